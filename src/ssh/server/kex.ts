// One key exchange, server side (RFC 4253 §7-8, RFC 5656 §4, RFC 8731): the mirror of the client's
// src/ssh/core/kex/session.ts, on the same KexRound (KEXINIT, negotiation, exchange hash):
//   the client sends KEX_ECDH_INIT (30): string Q_C (or mpint e; for a hybrid, KEM public key || X25519 key)
//   we answer KEX_ECDH_REPLY (31): string K_S, string Q_S (or mpint f; for a hybrid, ciphertext || X25519 key),
//   string signature of H
// then we seal with the server-to-client keys and open with the client-to-server ones.

import {
  CIPHER_NAMES,
  KEX_NAMES,
  KexRound,
  MAC_NAMES,
  Msg,
  SshReader,
  SshWriter,
  packetProtection,
  protocolError,
  resolvePreferences,
  respondToAgreement,
  type AlgorithmPreferences,
  type Opener,
  type Sealer,
} from '../core/index';
import type { PrivateKey } from '../keys/index';

/** What a server offers; the host key list comes from its host key. */
export type ServerAlgorithms = Omit<AlgorithmPreferences, 'hostKey'>;

/** Everything the library can run; the client's order decides (RFC 4253 §7.1). */
export const SERVER_ALGORITHMS: ServerAlgorithms = {
  kex: KEX_NAMES,
  cipher: CIPHER_NAMES,
  mac: MAC_NAMES,
};

/** Our lists for KEXINIT, refusing names the library cannot run so a typo in a test or config fails loudly. */
export function serverPreferences(hostKey: PrivateKey, algorithms?: Partial<ServerAlgorithms>): AlgorithmPreferences {
  return resolvePreferences({ ...algorithms, hostKey: [hostKey.signatureAlgorithms[0]] }, { ...SERVER_ALGORITHMS, hostKey: [] });
}

export interface ReplyContext {
  clientVersion: string;
  serverVersion: string;
  /** Undefined in the first exchange: H becomes the session id. */
  sessionId: Uint8Array | undefined;
}

export class ServerKex extends KexRound {
  /** Set once we have replied: opens what the client sends after its NEWKEYS. */
  opener: Opener | undefined;

  constructor(
    lists: AlgorithmPreferences,
    private readonly hostKey: PrivateKey,
    first: boolean,
    offerStrictKex = true,
  ) {
    super('server', lists, first, offerStrictKex);
  }

  /**
   * Answers KEX_ECDH_INIT: returns the REPLY payload, H, and the sealer for our side. The opener
   * for the client's side is kept until its NEWKEYS arrives.
   */
  async reply(payload: Uint8Array, ctx: ReplyContext): Promise<{ reply: Uint8Array; exchangeHash: Uint8Array; sealer: Sealer }> {
    const n = this.negotiated;
    if (!n) throw protocolError('KEX_ECDH_INIT before KEXINIT');
    const r = new SshReader(payload);
    r.byte();
    const clientValue = r.bytes("the client's key exchange value").slice();
    r.end('KEX_ECDH_INIT');
    const k = respondToAgreement(n.kex, clientValue);
    const h = this.exchangeHash(k, {
      ourVersion: ctx.serverVersion,
      peerVersion: ctx.clientVersion,
      hostKey: this.hostKey.publicBlob,
      ourValue: k.value,
      peerValue: clientValue,
    });
    const signature = await this.hostKey.sign(n.hostKey, h);
    const { sealer, opener } = await packetProtection(k, h, ctx.sessionId ?? h, n, 'server');
    this.opener = opener;
    const reply = new SshWriter().byte(Msg.KEX_ECDH_REPLY).bytes(this.hostKey.publicBlob).bytes(k.value).bytes(signature).finish();
    return { reply, exchangeHash: h, sealer };
  }
}
