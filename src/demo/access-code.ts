// Access codes in the offline demo, judged by the same rules as the proxy's (src/shared/rules): the
// demo keeps only a slow hash (PBKDF2, WebCrypto), in its own IndexedDB, beside the link it guards.
// There is one visitor here, so only the per-link lockout applies.
import { looksLikeAccessCode, normalizeAccessCode } from '../shared/rules/access-code.ts';
import { lockState, wrongCodesAfter } from '../shared/rules/policy.ts';
import { refusals, type Refusal } from '../shared/rules/refusals.ts';
import type { Link } from '../shared/api';
import { demoDb } from './storage';

const ITERATIONS = 200_000;
const metaKey = (linkId: string) => `accessCode:${linkId}`;

async function derive(code: string, salt: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(normalizeAccessCode(code)), 'PBKDF2', false, ['deriveBits']);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: ITERATIONS }, key, 256));
}

/** Stores the code's hash for these links (undefined removes it). */
export async function setDemoAccessCode(linkIds: readonly string[], code: string | undefined): Promise<void> {
  const d = await demoDb();
  for (const id of linkIds) {
    if (code === undefined) {
      await d.delete('meta', metaKey(id));
      continue;
    }
    const salt = crypto.getRandomValues(new Uint8Array(16));
    await d.put('meta', { salt, hash: await derive(code, salt) }, metaKey(id));
  }
}

export async function hasDemoAccessCode(linkId: string): Promise<boolean> {
  return (await (await demoDb()).get('meta', metaKey(linkId))) !== undefined;
}

async function rightCode(linkId: string, code: string): Promise<boolean> {
  const stored = (await (await demoDb()).get('meta', metaKey(linkId))) as { salt: Uint8Array<ArrayBuffer>; hash: Uint8Array } | undefined;
  if (!stored) return false;
  const got = await derive(code, stored.salt);
  let diff = got.length ^ stored.hash.length;
  for (let i = 0; i < got.length; i++) diff |= got[i] ^ (stored.hash[i] ?? 0);
  return diff === 0;
}

/** As the proxy's AccessCodes.check: undefined when the code is right (or none is asked). */
export async function checkDemoAccessCode(link: Link, code: string | undefined, now: Date): Promise<Refusal | undefined> {
  if (!link.policy?.accessCode) return undefined;
  if (!code) return refusals.codeRequired();
  const typed = normalizeAccessCode(code);
  if (looksLikeAccessCode(typed) && (await rightCode(link.id, typed))) return undefined;
  const tx = (await demoDb()).transaction('links', 'readwrite');
  const stored = await tx.store.get(link.id);
  const wrongCodes = wrongCodesAfter(stored?.wrongCodes ?? [], now);
  if (stored) await tx.store.put({ ...stored, wrongCodes });
  await tx.done;
  const lock = lockState(wrongCodes.map((t) => new Date(t)), now, 'link');
  return lock.locked ? { code: 'locked', message: lock.message } : refusals.wrongCode(lock.triesLeft);
}
