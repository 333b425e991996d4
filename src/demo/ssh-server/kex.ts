// One key exchange, server side (RFC 4253 §7-8, RFC 5656 §4, RFC 8731). The mirror of the client's
// src/ssh/core/kex/session.ts, built from the same pieces (agreement, exchange hash, key
// derivation, cipher factories), with the roles swapped:
//   the client sends KEX_ECDH_INIT (30): string Q_C (or mpint e)
//   we answer KEX_ECDH_REPLY (31): string K_S, string Q_S (or mpint f), string signature of H
// then we seal with the server-to-client keys and open with the client-to-server ones.

import { CIPHERS, CIPHER_NAMES, MAC_NAMES } from '../../ssh/core/cipher/suite';
import type { Opener, Sealer } from '../../ssh/core/cipher/types';
import { KEX_NAMES, createAgreement } from '../../ssh/core/kex/agreement';
import { exchangeHash, packetProtection } from '../../ssh/core/kex/exchange';
import { EXT_INFO_C, STRICT_KEX_C, STRICT_KEX_S, parseKexInit, writeKexInit, type KexInit, type Negotiated } from '../../ssh/core/kexinit';
import { Msg } from '../../ssh/core/messages';
import { SshReader, SshWriter } from '../../ssh/core/wire';
import type { PrivateKey } from '../../ssh/keys/types';
import { ServerFailure } from './failure';

export interface ServerAlgorithms {
  kex: readonly string[];
  cipher: readonly string[];
  mac: readonly string[];
}

/** Everything the client core can run; the client's order decides (RFC 4253 §7.1). */
export const SERVER_ALGORITHMS: ServerAlgorithms = {
  kex: KEX_NAMES,
  cipher: CIPHER_NAMES,
  mac: MAC_NAMES,
};

/** Refuses names the core cannot run, so a typo in a test or config fails loudly. */
export function resolveServerAlgorithms(partial?: Partial<ServerAlgorithms>): ServerAlgorithms {
  const out = { ...SERVER_ALGORITHMS, ...partial };
  const known = { kex: new Set<string>(KEX_NAMES), cipher: new Set(CIPHER_NAMES), mac: new Set(MAC_NAMES) };
  for (const category of ['kex', 'cipher', 'mac'] as const) {
    const unknown = out[category].filter((n) => !known[category].has(n));
    if (unknown.length) throw new RangeError(`algorithms.${category}: unsupported ${unknown.join(', ')}`);
    if (out[category].length === 0) throw new RangeError(`algorithms.${category} must not be empty`);
  }
  return out;
}

export function buildServerKexInit(algs: ServerAlgorithms, hostKeyAlgorithm: string, first: boolean): Uint8Array {
  // The strict-kex marker only belongs in the first KEXINIT (OpenSSH PROTOCOL, "kex-strict").
  const kex = first ? [...algs.kex, STRICT_KEX_S] : [...algs.kex];
  return writeKexInit({ kex, hostKey: [hostKeyAlgorithm], cipher: algs.cipher, mac: algs.mac });
}

/** The first name in the client's list that we also support. */
function pick(what: string, client: readonly string[], ours: readonly string[]): string {
  for (const name of client) if (ours.includes(name)) return name;
  throw new ServerFailure('kex', `no ${what} in common (client offers ${client.join(', ') || 'nothing'})`);
}

export function negotiateAsServer(algs: ServerAlgorithms, hostKeyAlgorithm: string, client: KexInit): Negotiated {
  const cipherC2S = pick('cipher', client.cipherC2S, algs.cipher);
  const cipherS2C = pick('cipher', client.cipherS2C, algs.cipher);
  pick('compression', client.compressionC2S, ['none']);
  pick('compression', client.compressionS2C, ['none']);
  return {
    kex: pick('key exchange method', client.kex, algs.kex),
    hostKey: pick('host key algorithm', client.hostKey, [hostKeyAlgorithm]),
    cipherC2S,
    cipherS2C,
    macC2S: CIPHERS[cipherC2S].aead ? '' : pick('MAC', client.macC2S, algs.mac),
    macS2C: CIPHERS[cipherS2C].aead ? '' : pick('MAC', client.macS2C, algs.mac),
  };
}

export interface ReplyContext {
  clientVersion: string;
  serverVersion: string;
  /** Undefined in the first exchange: H becomes the session id. */
  sessionId: Uint8Array | undefined;
}

export class ServerKex {
  readonly ourInit: Uint8Array;
  negotiated: Negotiated | undefined;
  /** Both sides asked for strict kex in the first exchange. */
  strict = false;
  /** The client sent ext-info-c: it wants EXT_INFO after our first NEWKEYS (RFC 8308 §2.1). */
  wantsExtInfo = false;
  /** Set once we have replied: opens what the client sends after its NEWKEYS. */
  opener: Opener | undefined;
  private clientInit: Uint8Array | undefined;
  private skipNext = false;

  constructor(
    private readonly algs: ServerAlgorithms,
    private readonly hostKey: PrivateKey,
    readonly first: boolean,
  ) {
    this.ourInit = buildServerKexInit(algs, hostKey.signatureAlgorithms[0], first);
  }

  get hasClientInit(): boolean {
    return this.clientInit !== undefined;
  }

  onClientInit(payload: Uint8Array): void {
    if (this.clientInit) throw new ServerFailure('protocol', 'a second KEXINIT within one key exchange');
    this.clientInit = payload.slice();
    const init = parseKexInit(payload);
    this.negotiated = negotiateAsServer(this.algs, this.hostKey.signatureAlgorithms[0], init);
    if (this.first) {
      this.strict = init.kex.includes(STRICT_KEX_C);
      this.wantsExtInfo = init.kex.includes(EXT_INFO_C);
    }
    // A wrong guess (RFC 4253 §7): the client's first kex packet was for another method; drop it.
    this.skipNext = init.firstKexPacketFollows && (init.kex[0] !== this.negotiated.kex || init.hostKey[0] !== this.negotiated.hostKey);
  }

  skipGuess(): boolean {
    if (!this.skipNext) return false;
    this.skipNext = false;
    return true;
  }

  /**
   * Answers KEX_ECDH_INIT: returns the REPLY payload, H, and the sealer for our side. The opener
   * for the client's side is kept until its NEWKEYS arrives.
   */
  async reply(payload: Uint8Array, ctx: ReplyContext): Promise<{ reply: Uint8Array; exchangeHash: Uint8Array; sealer: Sealer }> {
    if (!this.clientInit || !this.negotiated) throw new ServerFailure('protocol', 'KEX_ECDH_INIT before KEXINIT');
    const r = new SshReader(payload);
    r.byte();
    const clientValue = r.bytes("the client's key exchange value").slice();
    r.end('KEX_ECDH_INIT');
    const n = this.negotiated;
    const agreement = createAgreement(n.kex);
    const secret = agreement.computeSecret(clientValue);
    const h = exchangeHash(agreement.hash, {
      clientVersion: ctx.clientVersion,
      serverVersion: ctx.serverVersion,
      clientKexInit: this.clientInit,
      serverKexInit: this.ourInit,
      hostKey: this.hostKey.publicBlob,
      clientValue,
      serverValue: agreement.ownValue,
      secret,
    });
    const signature = await this.hostKey.sign(n.hostKey, h);
    const sessionId = ctx.sessionId ?? h;
    const { sealer, opener } = await packetProtection(agreement.hash, secret, h, sessionId, n, 'server');
    this.opener = opener;
    const reply = new SshWriter().byte(Msg.KEX_ECDH_REPLY).bytes(this.hostKey.publicBlob).bytes(agreement.ownValue).bytes(signature).finish();
    return { reply, exchangeHash: h, sealer };
  }
}
