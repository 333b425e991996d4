// The SSH transport layer (RFC 4253), client side and sans-IO: bytes in through receive(), bytes
// out through hooks.output, decrypted messages up through hooks.onMessage. The packet pump it
// extends (packet-pump.ts) moves packets in order, holds messages during key exchange and owns the
// one fatal path; this file adds the client's role: the version we announce, key exchange as the
// client with host-key verification, the timed rekey, and EXT_INFO.

import { CLIENT_VOICE, SshError, disconnectError, protocolError } from './wire/errors';
import { KexSession, type HostKeyInfo } from './kex/session';
import type { KexKeyPool } from './kex/key-pool';
import { resolvePreferences, type AlgorithmPreferences, type Negotiated } from './kex/kexinit';
import { Msg } from './wire/messages';
import { PacketPump } from './packet-pump';
import { SshReader, SshWriter } from './wire/wire';

export interface TransportOptions {
  clientVersion?: string;
  algorithms?: Partial<AlgorithmPreferences>;
  /** Rekey after this many bytes in either direction (default 1 GiB). */
  rekeyBytes?: number;
  /** Rekey after this long (default 1 hour); checked in tick(). */
  rekeyIntervalMs?: number;
  /** Keys made ahead for the first exchange; later exchanges make their own. */
  kexKeys?: KexKeyPool;
  /**
   * Send the first exchange's KEX_ECDH_INIT for our first method right behind our KEXINIT (RFC 4253 §7
   * first_kex_packet_follows; default true): one round trip less when the server prefers the same method
   * and host key algorithm; otherwise the server skips it and we send the right one.
   */
  guessKex?: boolean;
}

export interface TransportHooks {
  output(bytes: Uint8Array): void;
  /** Resolve to proceed; reject with an SshError to refuse the host key. Only for the first exchange. */
  verifyHostKey(info: HostKeyInfo): Promise<void>;
  /** Messages for the upper layers (service accept, auth, connection). False means "unknown". */
  onMessage(payload: Uint8Array): boolean | Promise<boolean>;
  onKexDone(first: boolean): void;
  onFatal(error: SshError): void;
  log(message: string): void;
}

export const DEFAULT_CLIENT_VERSION = 'SSH-2.0-Postern_1.0';

export class Transport extends PacketPump<KexSession> {
  readonly clientVersion: string;
  readonly prefs: AlgorithmPreferences;
  sessionId: Uint8Array | undefined;
  negotiated: Negotiated | undefined;
  hostKey: HostKeyInfo | undefined;
  /** RFC 8308 server-sig-algs, once the server has sent EXT_INFO. */
  serverSigAlgs: string[] | undefined;

  protected readonly voice = CLIENT_VOICE;
  protected readonly peerDisconnected = disconnectError;
  private readonly rekeyIntervalMs: number;
  private readonly kexKeys: KexKeyPool | undefined;
  private readonly guessKex: boolean;
  private lastKexAt = 0;
  private now = 0;

  constructor(private readonly hooks: TransportHooks, options: TransportOptions = {}) {
    super(hooks, options.rekeyBytes);
    this.clientVersion = options.clientVersion ?? DEFAULT_CLIENT_VERSION;
    if (!/^SSH-2\.0-[\x21-\x2c\x2e-\x7e]+( [\x20-\x7e]*)?$/.test(this.clientVersion) || this.clientVersion.length > 253) {
      throw new RangeError(`clientVersion: not a valid SSH-2.0 identification string: ${this.clientVersion}`);
    }
    this.prefs = resolvePreferences(options.algorithms);
    this.rekeyIntervalMs = options.rekeyIntervalMs ?? 3600_000;
    this.kexKeys = options.kexKeys;
    this.guessKex = options.guessKex ?? true;
  }

  get serverVersion(): string | undefined {
    return this.peerVersion;
  }

  /** Sends our identification and first KEXINIT; the server's may arrive in any order. */
  start(now: number): void {
    this.now = now;
    this.lastKexAt = now;
    this.open(this.clientVersion);
  }

  /** Periodic housekeeping from the caller's clock: time-based rekey. */
  tick(now: number): void {
    this.now = now;
    if (this.sessionId && !this.kexInProgress && now - this.lastKexAt >= this.rekeyIntervalMs) this.startKex();
  }

  /** What the stream adapter reports when the byte stream ends. */
  streamClosed(error?: SshError): void {
    // A server that sends DISCONNECT and closes at once: its reason is still being decrypted; it
    // arrives first, so the person reads the server's reason rather than "connection lost".
    this.streamEnded(() => {
      if (error) return error;
      if (this.serverVersion !== undefined) return new SshError('connection-lost', 'The connection to the server was lost.');
      const seen = this.versionReader.preamble[0];
      return seen ? this.versionReader.notSsh(seen) : new SshError('connection-lost', 'The server closed the connection before the SSH handshake began.');
    });
  }

  protected onMessage(payload: Uint8Array): boolean | Promise<boolean> {
    if (payload[0] !== Msg.EXT_INFO) return this.hooks.onMessage(payload);
    this.readExtInfo(payload);
    return true;
  }

  protected onEnd(error: SshError): void {
    this.hooks.log(`session ended (${error.kind}): ${error.message}`);
    this.hooks.onFatal(error);
  }

  protected newKex(): KexSession {
    const first = this.sessionId === undefined;
    return new KexSession(this.prefs, first, first ? this.kexKeys : undefined, first && this.guessKex);
  }

  protected async onKexMessage(payload: Uint8Array, kex: KexSession): Promise<void> {
    const n = payload[0];
    if (n === Msg.KEXINIT) {
      const stillToSend = kex.onServerInit(payload);
      if (kex.first && kex.strict) this.enableStrictKex();
      this.negotiated = kex.negotiated;
      if (stillToSend) this.send(kex.initMessage());
      return;
    }
    if (n === Msg.NEWKEYS) {
      this.keysIn(kex.keys?.opener);
      this.lastKexAt = this.now;
      this.hooks.log(`key exchange ${this.kexCount} done: ${JSON.stringify(kex.negotiated)}`);
      this.hooks.onKexDone(kex.first);
      return;
    }
    if (kex.skipGuess()) return;
    if (n !== Msg.KEX_ECDH_REPLY || !kex.agreement || kex.keys) throw protocolError(`unexpected key exchange message ${n}`);
    const result = await kex.onReply(payload, {
      clientVersion: this.clientVersion,
      serverVersion: this.serverVersion!,
      sessionId: this.sessionId,
    });
    if (kex.first) {
      this.hostKey = result.hostKey;
      await this.hooks.verifyHostKey(result.hostKey);
      if (this.closed) return;
      this.sessionId = result.exchangeHash;
    } else if (result.hostKey.fingerprint !== this.hostKey?.fingerprint) {
      throw new SshError('host-key-changed', `The server presented a different host key (${result.hostKey.fingerprint}) during re-keying. The connection was closed.`);
    }
    await kex.deriveKeys(this.sessionId!);
    if (this.closed) return;
    // NEWKEYS goes out under the old keys; everything after it under the new ones.
    this.keysOut(kex.keys!.sealer);
  }

  /** RFC 8308 §2.3: uint32 count, then (string name, string value) pairs. */
  private readExtInfo(payload: Uint8Array): void {
    const r = new SshReader(payload);
    r.byte();
    const count = r.uint32('the extension count');
    for (let i = 0; i < count; i++) {
      const name = r.string('an extension name');
      const value = r.bytes('an extension value');
      if (name === 'server-sig-algs') this.serverSigAlgs = new SshReader(new SshWriter().bytes(value).finish()).nameList();
    }
  }
}
