// One key exchange, client side (RFC 4253 §7-8, RFC 5656 §4, RFC 8731):
//   both sides send KEXINIT -> client sends KEX_ECDH_INIT / KEXDH_INIT (30): string Q_C or mpint e
//   server answers KEX_ECDH_REPLY / KEXDH_REPLY (31): string K_S, string Q_S or mpint f, string signature
//   each side sends NEWKEYS (21) and switches to the new keys for what it sends next.
// The transport drives it and decides when keys switch; this object holds the per-exchange state.

import type { Opener, Sealer } from '../cipher/types';
import type { AlgorithmPreferences } from './kexinit';
import { Msg } from '../wire/messages';
import { fingerprintSha256, keyTypeOf, verifyHostSignature } from './signature';
import { SshReader, SshWriter } from '../wire/wire';
import { createAgreement, type KeyAgreement } from './agreement';
import { packetProtection, type ExchangeSecret } from './exchange';
import { KexRound } from './round';
import type { KexKeyPool } from './key-pool';

export interface HostKeyInfo {
  /** The negotiated signature algorithm, e.g. "rsa-sha2-512". */
  algorithm: string;
  /** The key type as known_hosts writes it, e.g. "ssh-rsa", "ssh-ed25519". */
  keyType: string;
  /** "SHA256:..." as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  /** The public key blob (RFC 4253 §6.6); base64 of it is the known_hosts key field. */
  blob: Uint8Array;
}

export class KexSession extends KexRound {
  agreement: KeyAgreement | undefined;
  keys: { sealer: Sealer; opener: Opener } | undefined;
  private result: { k: ExchangeSecret; exchangeHash: Uint8Array } | undefined;

  /**
   * `pool` may hold a key made ahead for the method negotiated; it is taken, so it serves this exchange only.
   * `guess`: our first method's KEX_ECDH_INIT goes out right behind our KEXINIT (guessMessage), saving a
   * round trip when the server prefers the same method and host key algorithm, as a default OpenSSH does.
   */
  constructor(
    prefs: AlgorithmPreferences,
    first: boolean,
    private readonly pool?: KexKeyPool,
    guess = false,
  ) {
    super('client', prefs, first, true, guess);
    if (guess) this.agreement = pool?.take(prefs.kex[0]) ?? createAgreement(prefs.kex[0]);
  }

  /** The guessed KEX_ECDH_INIT that follows our KEXINIT, if we guess. */
  get guessMessage(): Uint8Array | undefined {
    return this.guessed ? this.initMessage() : undefined;
  }

  /** The server's KEXINIT; returns whether our KEX_ECDH_INIT must still be sent (no guess, or a wrong one the server skips). */
  onServerInit(payload: Uint8Array): boolean {
    const kex = this.onPeerInit(payload).kex;
    if (this.guessRight) return false;
    this.agreement = this.pool?.take(kex) ?? createAgreement(kex);
    return true;
  }

  /** KEX_ECDH_INIT / KEXDH_INIT. */
  initMessage(): Uint8Array {
    return new SshWriter().byte(Msg.KEX_ECDH_INIT).bytes(this.agreement!.ownValue).finish();
  }

  async onReply(
    payload: Uint8Array,
    ctx: { clientVersion: string; serverVersion: string; sessionId: Uint8Array | undefined },
  ): Promise<{ hostKey: HostKeyInfo; exchangeHash: Uint8Array }> {
    const r = new SshReader(payload);
    r.byte();
    const hostKeyBlob = r.bytes('the server host key').slice();
    const serverValue = r.bytes("the server's key exchange value");
    const signature = r.bytes('the exchange hash signature');
    r.end('KEX_ECDH_REPLY');
    const agreement = this.agreement!;
    const k: ExchangeSecret = { hash: agreement.hash, secret: agreement.computeSecret(serverValue), secretEncoding: agreement.secretEncoding };
    const h = this.exchangeHash(k, {
      ourVersion: ctx.clientVersion,
      peerVersion: ctx.serverVersion,
      hostKey: hostKeyBlob,
      ourValue: agreement.ownValue,
      peerValue: serverValue,
    });
    await verifyHostSignature(this.negotiated!.hostKey, hostKeyBlob, signature, h);
    this.result = { k, exchangeHash: h };
    return {
      hostKey: {
        algorithm: this.negotiated!.hostKey,
        keyType: keyTypeOf(hostKeyBlob),
        fingerprint: fingerprintSha256(hostKeyBlob),
        blob: hostKeyBlob,
      },
      exchangeHash: h,
    };
  }

  async deriveKeys(sessionId: Uint8Array): Promise<void> {
    const { k, exchangeHash: h } = this.result!;
    this.keys = await packetProtection(k, h, sessionId, this.negotiated!, 'client');
  }
}
