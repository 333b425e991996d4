// The SSH transport layer (RFC 4253), server side and sans-IO: bytes in through receive(), bytes
// out through hooks.output, decrypted messages up through hooks.onMessage. It extends the client
// core's packet pump (ordering, holding during key exchange, strict-kex resets, the one fatal
// path) with the server's role: answering the key exchange with our host key's signature,
// EXT_INFO, and refusing service messages before the first exchange is done.
// Strict kex (OpenSSH PROTOCOL "kex-strict", the Terrapin fix) is honoured when the client asks.

import { utf8 } from '../../ssh/core/bytes';
import { Msg } from '../../ssh/core/messages';
import { PacketPump } from '../../ssh/core/packet-pump';
import { SshWriter } from '../../ssh/core/wire';
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

export class ServerTransport extends PacketPump<ServerEnd, ServerKex> {
  readonly version: string;
  sessionId: Uint8Array | undefined;
  protected readonly peer = 'client';
  protected readonly asFailure = asServerFailure;
  private readonly algs: ServerAlgorithms;

  constructor(
    private readonly hooks: ServerTransportHooks,
    private readonly options: ServerTransportOptions,
  ) {
    super(hooks, options.rekeyBytes);
    this.version = options.version ?? DEFAULT_SERVER_VERSION;
    this.algs = resolveServerAlgorithms(options.algorithms);
    if (options.hostKey.type !== 'ssh-ed25519') throw new RangeError('hostKey: the demo server signs with an Ed25519 host key');
  }

  get clientVersion(): string | undefined {
    return this.peerVersion;
  }

  /** A server may speak first: identification line, then KEXINIT (RFC 4253 §4.2, §7.1). */
  start(): void {
    this.hooks.output(utf8(this.version + '\r\n'));
    this.startKex();
  }

  /** The byte stream ended (the client went away, or the adapter failed). */
  streamClosed(message = 'the client closed the connection'): void {
    this.streamEnded(() => ({ kind: 'peer', message }));
  }

  protected onMessage(payload: Uint8Array): boolean | Promise<boolean> {
    if (payload[0] === Msg.EXT_INFO) return true; // the client's extensions change nothing here
    if (this.sessionId === undefined) throw new ServerFailure('protocol', `message ${payload[0]} before the first key exchange finished`);
    return this.hooks.onMessage(payload);
  }

  protected protocolError(message: string): Error {
    return new ServerFailure('protocol', message);
  }

  protected disconnectReason(end: ServerEnd): number {
    return disconnectReason(end.kind);
  }

  protected peerDisconnected(code: number, description: string): ServerEnd {
    return { kind: 'peer', message: `the client disconnected (reason ${code}${description ? `: ${description}` : ''})` };
  }

  protected onEnd({ kind, message }: ServerEnd): void {
    this.hooks.log(`connection ended (${kind}): ${message}`);
    this.hooks.onEnd({ kind, message }); // a plain record, not the ServerFailure itself
  }

  protected newKex(): ServerKex {
    return new ServerKex(this.algs, this.options.hostKey, this.sessionId === undefined);
  }

  protected async onKexMessage(payload: Uint8Array, kex: ServerKex): Promise<void> {
    const n = payload[0];
    if (n === Msg.KEXINIT) {
      kex.onClientInit(payload);
      if (kex.first && kex.strict) this.enableStrictKex();
      return;
    }
    if (n === Msg.NEWKEYS) {
      this.keysIn(kex.opener);
      this.hooks.log(`key exchange ${this.kexCount} done: ${JSON.stringify(kex.negotiated)}`);
      return;
    }
    if (kex.skipGuess()) return;
    if (n !== Msg.KEX_ECDH_INIT || !kex.hasClientInit || kex.opener) throw new ServerFailure('protocol', `unexpected key exchange message ${n}`);
    const { reply, exchangeHash, sealer } = await kex.reply(payload, {
      clientVersion: this.clientVersion!,
      serverVersion: this.version,
      sessionId: this.sessionId,
    });
    if (this.closed) return;
    this.sessionId ??= exchangeHash;
    // REPLY and NEWKEYS go out under the old keys; everything after them under the new ones.
    this.send(reply);
    const extInfo = kex.first && kex.wantsExtInfo;
    // RFC 8308 §2.4, §3.1: uint32 count, then (string name, string value).
    this.keysOut(sealer, extInfo ? [new SshWriter().byte(Msg.EXT_INFO).uint32(1).string('server-sig-algs').nameList(this.options.serverSigAlgs).finish()] : []);
  }
}
