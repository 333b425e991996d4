// What one key exchange holds whoever plays which role (RFC 4253 §7): our KEXINIT, the peer's, what
// they settle, and the exchange hash over both sides' values. The client's KexSession (session.ts)
// and the server's (src/ssh/server/kex.ts) add their half of the ECDH/DH messages.

import { negotiate, buildKexInit, type AlgorithmPreferences, type Negotiated, type Role } from './kexinit';
import { protocolError } from '../wire/errors';
import { exchangeHash, type ExchangeSecret } from './exchange';

export abstract class KexRound {
  readonly ourInit: Uint8Array;
  negotiated: Negotiated | undefined;
  /** Strict kex, fixed by the first exchange for the whole connection: both sides offered it. */
  strict = false;
  /** The client asked for EXT_INFO after the server's first NEWKEYS (RFC 8308 §2.1). */
  peerWantsExtInfo = false;
  /** We sent our first method's kex packet right after our KEXINIT, and the peer's KEXINIT says it stands. */
  guessRight = false;
  protected peerInit: Uint8Array | undefined;
  private ignoreGuess = false;

  /**
   * `offerStrictKex` false leaves the strict-kex marker out of our first KEXINIT; `guessed` says that our
   * first method's packet follows our KEXINIT without waiting for the peer's (RFC 4253 §7).
   */
  constructor(
    protected readonly role: Role,
    protected readonly lists: AlgorithmPreferences,
    readonly first: boolean,
    private readonly offerStrictKex = true,
    readonly guessed = false,
  ) {
    this.ourInit = buildKexInit(role, lists, first, offerStrictKex, guessed);
  }

  get hasPeerInit(): boolean {
    return this.peerInit !== undefined;
  }

  /** The peer's KEXINIT: negotiates, and notes strict kex, ext-info and a wrong guess. */
  onPeerInit(payload: Uint8Array): Negotiated {
    if (this.peerInit) throw protocolError('a second KEXINIT within one key exchange');
    this.peerInit = payload.slice();
    const peer = negotiate(this.role, this.lists, payload);
    this.negotiated = peer.negotiated;
    if (this.first) {
      this.strict = this.offerStrictKex && peer.strict;
      this.peerWantsExtInfo = peer.wantsExtInfo;
    }
    this.ignoreGuess = peer.skipGuess;
    this.guessRight = this.guessed && peer.firstChoicesMatch;
    return peer.negotiated;
  }

  /** A wrongly guessed kex packet from the peer is skipped once (RFC 4253 §7). */
  skipGuess(): boolean {
    if (!this.ignoreGuess) return false;
    this.ignoreGuess = false;
    return true;
  }

  /** H (RFC 4253 §8): our values and the peer's put in the client's and the server's place. */
  protected exchangeHash(
    k: ExchangeSecret,
    x: { ourVersion: string; peerVersion: string; hostKey: Uint8Array; ourValue: Uint8Array; peerValue: Uint8Array },
  ): Uint8Array {
    const ours = { version: x.ourVersion, init: this.ourInit, value: x.ourValue };
    const peer = { version: x.peerVersion, init: this.peerInit!, value: x.peerValue };
    const [client, server] = this.role === 'client' ? [ours, peer] : [peer, ours];
    return exchangeHash(k.hash, {
      clientVersion: client.version,
      serverVersion: server.version,
      clientKexInit: client.init,
      serverKexInit: server.init,
      hostKey: x.hostKey,
      clientValue: client.value,
      serverValue: server.value,
      secret: k.secret,
      secretEncoding: k.secretEncoding,
    });
  }
}
