// A link's second secret on the proxy: an access code, or the pass its bound passkey earned.
// Access codes are stored only as a slow hash (scrypt), compared in constant time, and
// guarded by two lockouts: wrong codes per link (in the store, so every proxy sees them) and per
// client address (in this proxy's memory). Hashing is slow on purpose, so few run at once: a guesser
// with a valid link cannot make the proxy spend its memory or its cores on them.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { looksLikeAccessCode, normalizeAccessCode } from '../../src/shared/rules/access-code.ts';
import { lockState, LOCKOUT, wrongCodesAfter } from '../../src/shared/rules/policy.ts';
import { refusals, type Refusal } from '../../src/shared/rules/refusals.ts';
import type { LinkRecord, Store } from '../store/store.ts';
import { hashToken } from '../store/tokens.ts';
import { looksLikeToken } from '../../src/shared/rules/validate.ts';

/** 16 MiB and ~50 ms per hash here: slow for a guesser with a stolen database, quick for one visitor. */
const PARAMS = { N: 2 ** 14, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const AT_ONCE = 2;
const MAX_WAITING = 64;

function derive(code: string, salt: Buffer, o: ScryptOptions & typeof PARAMS): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(code, salt, KEY_BYTES, { ...o, maxmem: 256 * o.N * o.r }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** "scrypt$N$r$p$salt$key" (base64url): the parameters travel with the hash, so they can grow later. */
export async function hashAccessCode(code: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(normalizeAccessCode(code), salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Whether `code` matches the stored hash; a malformed hash matches nothing. */
export async function verifyAccessCode(code: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, key] = stored.split('$');
  const o = { N: Number(n), r: Number(r), p: Number(p) };
  if (kind !== 'scrypt' || !salt || !key || o.N !== PARAMS.N || o.r !== PARAMS.r || o.p !== PARAMS.p) return false;
  const expected = Buffer.from(key, 'base64url');
  const got = await derive(normalizeAccessCode(code), Buffer.from(salt, 'base64url'), o as typeof PARAMS);
  return expected.length === got.length && timingSafeEqual(expected, got);
}

/** The one place a visitor's access code is judged, for the link page's look-up and for every tunnel. */
export class AccessCodes {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** Recent wrong codes per client address (ISO instants), oldest address first. */
  private readonly byAddress = new Map<string, string[]>();

  constructor(private readonly store: Store, private readonly maxAddresses = 10_000) {}

  /**
   * Undefined when the link asks for no code or `code` is right; otherwise why not. A wrong code
   * counts against the link and the address, and says how many tries are left.
   */
  async check(link: LinkRecord, code: string | undefined, address: string, now: Date): Promise<Refusal | undefined> {
    if (link.policy?.passkey) return this.checkPass(link, code, now);
    if (!link.accessCodeHash) return undefined;
    const fromAddress = lockState(this.wrongFrom(address, now).map((t) => new Date(t)), now, 'address');
    if (fromAddress.locked) return { code: 'locked', message: fromAddress.message };
    if (code === undefined || code === '') return refusals.codeRequired();
    const typed = normalizeAccessCode(code);
    if (looksLikeAccessCode(typed)) {
      const right = await this.verify(typed, link.accessCodeHash);
      if (right === 'busy') return refusals.busy();
      if (right) return undefined;
    }

    const addressWrong = wrongCodesAfter(this.wrongFrom(address, now), now);
    this.remember(address, addressWrong);
    const linkWrong = (await this.store.recordWrongCode(link.id, now)) ?? [];
    const asLink = lockState(linkWrong.map((t) => new Date(t)), now, 'link');
    if (asLink.locked) return { code: 'locked', message: asLink.message };
    const asAddress = lockState(addressWrong.map((t) => new Date(t)), now, 'address');
    if (asAddress.locked) return { code: 'locked', message: asAddress.message };
    return refusals.wrongCode(Math.min(asLink.triesLeft, asAddress.triesLeft));
  }

  /** A link bound to a passkey takes a pass the proxy gave for proving it (api/passkey-routes.ts). */
  private async checkPass(link: LinkRecord, pass: string | undefined, now: Date): Promise<Refusal | undefined> {
    const fresh = link.passkey ? refusals.passkeyToProve() : refusals.passkeyToBind();
    if (!pass || !link.passkey || !looksLikeToken(pass)) return fresh;
    return (await this.store.linkPassValid(link.id, hashToken(pass), now)) ? undefined : fresh;
  }

  private wrongFrom(address: string, now: Date): string[] {
    return (this.byAddress.get(address) ?? []).filter((t) => now.getTime() - Date.parse(t) < LOCKOUT.windowMs);
  }

  private remember(address: string, wrong: string[]) {
    this.byAddress.delete(address);
    this.byAddress.set(address, wrong);
    // Bounded: the oldest addresses go first (a Map iterates in insertion order).
    while (this.byAddress.size > this.maxAddresses) this.byAddress.delete(this.byAddress.keys().next().value!);
  }

  /** At most AT_ONCE hashes run and a bounded queue waits; past it the proxy is busy (nothing is counted). */
  private async verify(code: string, stored: string): Promise<boolean | 'busy'> {
    if (this.running >= AT_ONCE) {
      if (this.waiting.length >= MAX_WAITING) return 'busy';
      await new Promise<void>((go) => this.waiting.push(go));
    }
    this.running++;
    try {
      return await verifyAccessCode(code, stored);
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
