// The SSH transport layer (RFC 4253), sans-IO: bytes in through receive(), bytes out through
// hooks.output, decrypted messages up through hooks.onMessage. It owns the version exchange,
// packet protection, key (re-)exchange with strict-kex rules, EXT_INFO, and the one fatal path.

import { utf8 } from './bytes';
import { Disconnect, SshError, disconnectError, protocolError, type SshErrorKind } from './errors';
import { KexSession, type HostKeyInfo } from './kex/session';
import { resolvePreferences, type AlgorithmPreferences, type Negotiated } from './kexinit';
import { Msg, isKexMessage } from './messages';
import { PacketDecoder, PacketEncoder } from './packet';
import { VersionReader } from './version';
import { SshReader, SshWriter } from './wire';

export interface TransportOptions {
  clientVersion?: string;
  algorithms?: Partial<AlgorithmPreferences>;
  /** Rekey after this many bytes in either direction (default 1 GiB). */
  rekeyBytes?: number;
  /** Rekey after this long (default 1 hour); checked in tick(). */
  rekeyIntervalMs?: number;
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

/** Which DISCONNECT reason we send for each fatal kind (RFC 4253 §11.1). */
function reasonFor(kind: SshErrorKind): number {
  switch (kind) {
    case 'integrity-failure':
      return Disconnect.MAC_ERROR;
    case 'no-common-algorithm':
    case 'kex-failed':
      return Disconnect.KEY_EXCHANGE_FAILED;
    case 'host-key-invalid':
    case 'host-key-rejected':
    case 'host-key-changed':
      return Disconnect.HOST_KEY_NOT_VERIFIABLE;
    case 'closed':
      return Disconnect.BY_APPLICATION;
    case 'auth-cancelled':
      return Disconnect.AUTH_CANCELLED_BY_USER;
    case 'no-methods-left':
      return Disconnect.NO_MORE_AUTH_METHODS_AVAILABLE;
    case 'timeout':
      return Disconnect.CONNECTION_LOST;
    default:
      return Disconnect.PROTOCOL_ERROR;
  }
}

export function asSshError(e: unknown): SshError {
  if (e instanceof SshError) return e;
  return new SshError('protocol-error', `Internal error in the SSH client: ${e instanceof Error ? e.message : String(e)}`);
}

export class Transport {
  readonly clientVersion: string;
  serverVersion: string | undefined;
  readonly prefs: AlgorithmPreferences;
  readonly encoder = new PacketEncoder();
  readonly decoder = new PacketDecoder();
  private readonly versionReader = new VersionReader();
  private readonly rekeyBytes: number;
  private readonly rekeyIntervalMs: number;

  sessionId: Uint8Array | undefined;
  negotiated: Negotiated | undefined;
  hostKey: HostKeyInfo | undefined;
  /** RFC 8308 server-sig-algs, once the server has sent EXT_INFO. */
  serverSigAlgs: string[] | undefined;
  strictKex = false;
  kexCount = 0;

  private kex: KexSession | null = null;
  private held: Uint8Array[] = [];
  private outChain: Promise<void> = Promise.resolve();
  private dead = false;
  private pumping = false;
  /** A stream end that arrived while packets were still being decrypted: reported after them. */
  private closePending?: () => void;
  private kick = false;
  private packetsReceived = 0;
  private lastKexAt = 0;
  private now = 0;

  constructor(private readonly hooks: TransportHooks, options: TransportOptions = {}) {
    this.clientVersion = options.clientVersion ?? DEFAULT_CLIENT_VERSION;
    if (!/^SSH-2\.0-[\x21-\x2c\x2e-\x7e]+( [\x20-\x7e]*)?$/.test(this.clientVersion) || this.clientVersion.length > 253) {
      throw new RangeError(`clientVersion: not a valid SSH-2.0 identification string: ${this.clientVersion}`);
    }
    this.prefs = resolvePreferences(options.algorithms);
    this.rekeyBytes = options.rekeyBytes ?? 2 ** 30;
    this.rekeyIntervalMs = options.rekeyIntervalMs ?? 3600_000;
  }

  get closed(): boolean {
    return this.dead;
  }

  get kexInProgress(): boolean {
    return this.kex !== null;
  }

  /** Sends our identification and first KEXINIT; the server's may arrive in any order. */
  start(now: number): void {
    this.now = now;
    this.lastKexAt = now;
    this.hooks.output(utf8(this.clientVersion + '\r\n'));
    this.beginKex();
  }

  receive(bytes: Uint8Array): void {
    if (this.dead) return;
    this.decoder.input.push(bytes);
    this.kick = true;
    if (!this.pumping) void this.pump();
  }

  /** Periodic housekeeping from the caller's clock: time-based rekey. */
  tick(now: number): void {
    this.now = now;
    if (!this.dead && this.sessionId && !this.kex && now - this.lastKexAt >= this.rekeyIntervalMs) this.beginKex();
  }

  /** Queues a message; held back while a key exchange is running (RFC 4253 §7.1). */
  send(payload: Uint8Array): void {
    if (this.dead) return;
    const n = payload[0];
    const allowedDuringKex = (n >= 1 && n <= 4) || isKexMessage(n);
    if (this.kex && !this.kex.sentNewKeys && !allowedDuringKex) {
      this.held.push(payload);
      return;
    }
    this.emit(payload);
  }

  /** Resolves once everything queued so far has been handed to hooks.output. */
  flushed(): Promise<void> {
    return this.outChain;
  }

  /** The one fatal path: send DISCONNECT (unless the server sent one), stop, report once. */
  fail(error: SshError, notifyPeer = true): void {
    if (this.dead) return;
    if (notifyPeer && this.serverVersion !== undefined) {
      const reason = reasonFor(error.kind);
      this.emit(new SshWriter().byte(Msg.DISCONNECT).uint32(reason).string(error.message).string('').finish());
    }
    this.dead = true;
    this.held = [];
    this.hooks.log(`session ended (${error.kind}): ${error.message}`);
    this.hooks.onFatal(error);
  }

  private emit(payload: Uint8Array): void {
    let sealed: Promise<Uint8Array>;
    try {
      sealed = this.encoder.encode(payload);
    } catch (e) {
      this.fail(asSshError(e));
      return;
    }
    this.outChain = this.outChain.then(
      () => sealed.then((bytes) => this.hooks.output(bytes)),
      () => undefined,
    );
    sealed.catch((e) => this.fail(asSshError(e)));
    if (this.sessionId && !this.kex && this.encoder.bytesSinceKex >= this.rekeyBytes) this.beginKex();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      do {
        this.kick = false;
        while (!this.dead) {
          if (this.serverVersion === undefined) {
            const line = this.versionReader.read(this.decoder.input);
            if (line === null) break;
            this.serverVersion = line;
            this.hooks.log(`server version: ${line}`);
            continue;
          }
          const payload = await this.decoder.next();
          if (!payload || this.dead) break;
          this.packetsReceived++;
          await this.dispatch(payload);
          if (this.sessionId && !this.kex && this.decoder.bytesSinceKex >= this.rekeyBytes) this.beginKex();
        }
      } while (this.kick && !this.dead);
    } catch (e) {
      this.fail(asSshError(e));
    } finally {
      this.pumping = false;
      const close = this.closePending;
      this.closePending = undefined;
      close?.();
    }
  }

  /** What the stream adapter reports when the byte stream ends. */
  streamClosed(error?: SshError): void {
    if (this.dead) return;
    // A server that sends DISCONNECT and closes at once: its reason is still being decrypted; let it
    // arrive first, so the person reads the server's reason rather than "connection lost".
    if (this.pumping) {
      this.closePending = () => this.streamClosed(error);
      return;
    }
    if (error) return this.fail(error, false);
    if (this.serverVersion === undefined) {
      const seen = this.versionReader.preamble[0];
      return this.fail(seen ? this.versionReader.notSsh(seen) : new SshError('connection-lost', 'The server closed the connection before the SSH handshake began.'), false);
    }
    this.fail(new SshError('connection-lost', 'The connection to the server was lost.'), false);
  }

  private async dispatch(payload: Uint8Array): Promise<void> {
    const n = payload[0];
    const initialKex = this.kexCount === 0;
    if (this.strictKex && initialKex && !isKexMessage(n) && n !== Msg.DISCONNECT) {
      throw protocolError(`message ${n} during the initial strict key exchange`);
    }
    switch (n) {
      case Msg.DISCONNECT: {
        const r = new SshReader(payload);
        r.byte();
        const code = r.uint32('the disconnect reason');
        const description = r.remaining ? r.string('the disconnect description') : '';
        return this.fail(disconnectError(code, description), false);
      }
      case Msg.IGNORE:
      case Msg.DEBUG:
        return;
      case Msg.UNIMPLEMENTED:
        this.hooks.log(`server: unimplemented message (seq ${new SshReader(payload.subarray(1)).uint32()})`);
        return;
      case Msg.EXT_INFO:
        return this.readExtInfo(payload);
    }
    if (isKexMessage(n)) return this.onKexMessage(payload);
    const handled = await this.hooks.onMessage(payload);
    if (!handled && !this.dead) {
      this.hooks.log(`unimplemented message ${n}`);
      this.send(new SshWriter().byte(Msg.UNIMPLEMENTED).uint32(this.decoder.lastSeq >>> 0).finish());
    }
  }

  private beginKex(): void {
    if (this.kex || this.dead) return;
    const first = this.sessionId === undefined;
    this.kex = new KexSession(this.prefs, first);
    this.emit(this.kex.ourInit);
  }

  private async onKexMessage(payload: Uint8Array): Promise<void> {
    const n = payload[0];
    if (n === Msg.KEXINIT) {
      if (!this.kex) this.beginKex(); // server-initiated rekey
      const kex = this.kex!;
      kex.onServerInit(payload);
      if (kex.first) {
        this.strictKex = kex.strict;
        if (this.strictKex && this.packetsReceived !== 1) throw protocolError('KEXINIT was not the first packet under strict key exchange');
      }
      this.negotiated = kex.negotiated;
      this.emit(kex.initMessage());
      return;
    }
    if (!this.kex) throw protocolError(`key exchange message ${n} outside a key exchange`);
    const kex = this.kex;
    if (n === Msg.NEWKEYS) {
      if (!kex.keys || !kex.sentNewKeys) throw protocolError('NEWKEYS before the key exchange finished');
      this.decoder.setOpener(kex.keys.opener);
      if (this.strictKex) this.decoder.seq = 0;
      this.finishKex(kex);
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
      if (this.dead) return;
      this.sessionId = result.exchangeHash;
    } else if (result.hostKey.fingerprint !== this.hostKey?.fingerprint) {
      throw new SshError('host-key-changed', `The server presented a different host key (${result.hostKey.fingerprint}) during re-keying. The connection was closed.`);
    }
    await kex.deriveKeys(this.sessionId!);
    if (this.dead) return;
    // NEWKEYS goes out under the old keys; everything after it under the new ones.
    this.emit(new Uint8Array([Msg.NEWKEYS]));
    this.encoder.setSealer(kex.keys!.sealer);
    if (this.strictKex) this.encoder.seq = 0;
    kex.sentNewKeys = true;
    const held = this.held;
    this.held = [];
    for (const p of held) this.emit(p);
  }

  private finishKex(kex: KexSession): void {
    this.kex = null;
    this.kexCount++;
    this.lastKexAt = this.now;
    this.hooks.log(`key exchange ${this.kexCount} done: ${JSON.stringify(kex.negotiated)}`);
    this.hooks.onKexDone(kex.first);
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
