// The SSH transport layer (RFC 4253), server side and sans-IO: bytes in through receive(), bytes
// out through hooks.output, decrypted messages up through hooks.onMessage. It reuses the client
// core's packet codec, version reader and wire types; what differs is who answers the key exchange.
// Strict kex (OpenSSH PROTOCOL "kex-strict", the Terrapin fix) is honoured when the client asks:
// KEXINIT must be the client's first packet, nothing but kex messages until NEWKEYS, and sequence
// numbers restart at zero after every NEWKEYS.

import { utf8 } from '../../ssh/core/bytes';
import { Msg, isKexMessage } from '../../ssh/core/messages';
import { PacketDecoder, PacketEncoder } from '../../ssh/core/packet';
import { VersionReader } from '../../ssh/core/version';
import { SshReader, SshWriter } from '../../ssh/core/wire';
import type { PrivateKey } from '../../ssh/keys/types';
import { ServerFailure, asServerFailure, disconnectReason, type ServerEnd } from './failure';
import { ServerKex, resolveServerAlgorithms, type ServerAlgorithms } from './kex';

export interface ServerTransportHooks {
  output(bytes: Uint8Array): void;
  /** Service, auth and connection messages. False means "unknown": we answer UNIMPLEMENTED. */
  onMessage(payload: Uint8Array): boolean | Promise<boolean>;
  onEnd(end: ServerEnd): void;
  log(message: string): void;
}

export interface ServerTransportOptions {
  hostKey: PrivateKey;
  version?: string;
  algorithms?: Partial<ServerAlgorithms>;
  /** Signature algorithms we verify for publickey sign-in, sent as server-sig-algs (RFC 8308 §3.1). */
  serverSigAlgs: readonly string[];
  /** Rekey after this many bytes in either direction (default 1 GiB). */
  rekeyBytes?: number;
}

export const DEFAULT_SERVER_VERSION = 'SSH-2.0-PosternDemo_1.0';

export class ServerTransport {
  readonly version: string;
  clientVersion: string | undefined;
  sessionId: Uint8Array | undefined;
  strictKex = false;
  kexCount = 0;
  private readonly algs: ServerAlgorithms;
  private readonly encoder = new PacketEncoder();
  private readonly decoder = new PacketDecoder();
  private readonly versionReader = new VersionReader();
  private readonly rekeyBytes: number;
  private kex: ServerKex | null = null;
  private held: Uint8Array[] = [];
  private outChain: Promise<void> = Promise.resolve();
  private packetsReceived = 0;
  private dead = false;
  /** Set when the byte stream ended; reported once the packets already received are handled. */
  private streamEnd: string | undefined;
  private pumping = false;
  private kick = false;

  constructor(
    private readonly hooks: ServerTransportHooks,
    private readonly options: ServerTransportOptions,
  ) {
    this.version = options.version ?? DEFAULT_SERVER_VERSION;
    this.algs = resolveServerAlgorithms(options.algorithms);
    this.rekeyBytes = options.rekeyBytes ?? 2 ** 30;
    if (options.hostKey.type !== 'ssh-ed25519') throw new RangeError('hostKey: the demo server signs with an Ed25519 host key');
  }

  get closed(): boolean {
    return this.dead;
  }

  /** A server may speak first: identification line, then KEXINIT (RFC 4253 §4.2, §7.1). */
  start(): void {
    this.hooks.output(utf8(this.version + '\r\n'));
    this.beginKex();
  }

  receive(bytes: Uint8Array): void {
    if (this.dead) return;
    this.decoder.input.push(bytes);
    this.kick = true;
    if (!this.pumping) void this.pump();
  }

  /** Queues a message; held back while a key exchange has not yet switched our keys (RFC 4253 §7.1). */
  send(payload: Uint8Array): void {
    if (this.dead) return;
    const n = payload[0];
    if (this.kex && !this.kex.sentNewKeys && !((n >= 1 && n <= 4) || isKexMessage(n))) {
      this.held.push(payload);
      return;
    }
    this.emit(payload);
  }

  flushed(): Promise<void> {
    return this.outChain;
  }

  /** The one fatal path: DISCONNECT (unless the client ended it), stop, report once. */
  fail(failure: ServerFailure, notifyPeer = true): void {
    if (this.dead) return;
    if (notifyPeer && this.clientVersion !== undefined) {
      this.emit(new SshWriter().byte(Msg.DISCONNECT).uint32(disconnectReason(failure.kind)).string(failure.message).string('').finish());
    }
    this.end({ kind: failure.kind, message: failure.message });
  }

  /**
   * The byte stream ended (the client went away, or the adapter failed). Bytes that arrived
   * before the end are still decoded first: a client's DISCONNECT right before it closes the
   * stream is its last word, and must not be lost to the asynchronous decryption.
   */
  streamClosed(message?: string): void {
    this.streamEnd ??= message ?? 'the client closed the connection';
    if (!this.pumping) this.end({ kind: 'peer', message: this.streamEnd });
  }

  private end(end: ServerEnd): void {
    if (this.dead) return;
    this.dead = true;
    this.held = [];
    this.hooks.log(`connection ended (${end.kind}): ${end.message}`);
    this.hooks.onEnd(end);
  }

  private emit(payload: Uint8Array): void {
    let sealed: Promise<Uint8Array>;
    try {
      sealed = this.encoder.encode(payload);
    } catch (e) {
      return this.fail(asServerFailure(e));
    }
    this.outChain = this.outChain.then(
      () => sealed.then((bytes) => this.hooks.output(bytes)),
      () => undefined,
    );
    sealed.catch((e) => this.fail(asServerFailure(e)));
    if (this.sessionId && !this.kex && this.encoder.bytesSinceKex >= this.rekeyBytes) this.beginKex();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      do {
        this.kick = false;
        while (!this.dead) {
          if (this.clientVersion === undefined) {
            const line = this.versionReader.read(this.decoder.input);
            if (line === null) break;
            this.clientVersion = line;
            this.hooks.log(`client version: ${line}`);
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
      this.fail(asServerFailure(e));
    } finally {
      this.pumping = false;
      if (this.streamEnd !== undefined) this.end({ kind: 'peer', message: this.streamEnd });
    }
  }

  private async dispatch(payload: Uint8Array): Promise<void> {
    const n = payload[0];
    if (this.strictKex && this.kexCount === 0 && !isKexMessage(n) && n !== Msg.DISCONNECT) {
      throw new ServerFailure('protocol', `message ${n} during the initial strict key exchange`);
    }
    switch (n) {
      case Msg.DISCONNECT: {
        const r = new SshReader(payload);
        r.byte();
        const code = r.uint32('the disconnect reason');
        const description = r.remaining ? r.string('the disconnect description') : '';
        return this.end({ kind: 'peer', message: `the client disconnected (reason ${code}${description ? `: ${description}` : ''})` });
      }
      case Msg.IGNORE:
      case Msg.DEBUG:
      case Msg.EXT_INFO:
        return;
      case Msg.UNIMPLEMENTED:
        this.hooks.log('client: unimplemented message');
        return;
    }
    if (isKexMessage(n)) return this.onKexMessage(payload);
    if (this.sessionId === undefined) throw new ServerFailure('protocol', `message ${n} before the first key exchange finished`);
    const handled = await this.hooks.onMessage(payload);
    if (!handled && !this.dead) {
      this.hooks.log(`unimplemented message ${n}`);
      this.send(new SshWriter().byte(Msg.UNIMPLEMENTED).uint32(this.decoder.lastSeq >>> 0).finish());
    }
  }

  private beginKex(): void {
    if (this.kex || this.dead) return;
    this.kex = new ServerKex(this.algs, this.options.hostKey, this.sessionId === undefined);
    this.emit(this.kex.ourInit);
  }

  private async onKexMessage(payload: Uint8Array): Promise<void> {
    const n = payload[0];
    if (n === Msg.KEXINIT) {
      if (!this.kex) this.beginKex(); // the client started a rekey
      const kex = this.kex!;
      kex.onClientInit(payload);
      if (kex.first) {
        this.strictKex = kex.strict;
        if (this.strictKex && this.packetsReceived !== 1) throw new ServerFailure('protocol', 'KEXINIT was not the first packet under strict key exchange');
      }
      return;
    }
    const kex = this.kex;
    if (!kex) throw new ServerFailure('protocol', `key exchange message ${n} outside a key exchange`);
    if (n === Msg.NEWKEYS) {
      if (!kex.sentNewKeys || !kex.opener) throw new ServerFailure('protocol', 'NEWKEYS before the key exchange finished');
      this.decoder.setOpener(kex.opener);
      if (this.strictKex) this.decoder.seq = 0;
      this.kex = null;
      this.kexCount++;
      this.hooks.log(`key exchange ${this.kexCount} done: ${JSON.stringify(kex.negotiated)}`);
      return;
    }
    if (kex.skipGuess()) return;
    if (n !== Msg.KEX_ECDH_INIT || !kex.hasClientInit || kex.sentNewKeys) throw new ServerFailure('protocol', `unexpected key exchange message ${n}`);
    const { reply, exchangeHash, sealer } = await kex.reply(payload, {
      clientVersion: this.clientVersion!,
      serverVersion: this.version,
      sessionId: this.sessionId,
    });
    if (this.dead) return;
    this.sessionId ??= exchangeHash;
    // REPLY and NEWKEYS go out under the old keys; everything after them under the new ones.
    this.emit(reply);
    this.emit(Uint8Array.of(Msg.NEWKEYS));
    this.encoder.setSealer(sealer);
    if (this.strictKex) this.encoder.seq = 0;
    kex.sentNewKeys = true;
    if (kex.first && kex.wantsExtInfo) {
      // RFC 8308 §2.4, §3.1: uint32 count, then (string name, string value).
      this.emit(new SshWriter().byte(Msg.EXT_INFO).uint32(1).string('server-sig-algs').nameList(this.options.serverSigAlgs).finish());
    }
    const held = this.held;
    this.held = [];
    for (const p of held) this.emit(p);
  }
}
