// The SSH transport layer (RFC 4253), server side and sans-IO: bytes in through receive(), bytes
// out through hooks.output, decrypted messages up through hooks.onMessage. It extends the core's
// packet pump (ordering, holding during key exchange, strict-kex resets, the one fatal path) with
// the server's role: answering the key exchange with our host key's signature, EXT_INFO, refusing
// service messages before the first exchange is done, and the server's voice.
// Strict kex (OpenSSH PROTOCOL "kex-strict", the Terrapin fix) is honoured when the client asks.

import { Msg, PacketPump, SshError, SshWriter, protocolError, type AlgorithmCategory, type AlgorithmPreferences, type Voice } from '../core/index';
import type { PrivateKey } from '../keys/index';
import { ServerKex, serverPreferences, type ServerAlgorithms } from './kex';

export interface ServerTransportHooks {
  output(bytes: Uint8Array): void;
  /** Service, auth and connection messages. False means "unknown": we answer UNIMPLEMENTED. */
  onMessage(payload: Uint8Array): boolean | Promise<boolean>;
  onEnd(error: SshError): void;
  log(message: string): void;
}

export interface ServerTransportOptions {
  hostKey: PrivateKey;
  version?: string;
  algorithms?: Partial<ServerAlgorithms>;
  /** Offer strict kex in the first KEXINIT (default true; only a test peer turns it off). */
  strictKex?: boolean;
  /** Signature algorithms we verify for publickey sign-in, sent as server-sig-algs (RFC 8308 §3.1). */
  serverSigAlgs: readonly string[];
  /** Rekey after this many bytes in either direction (default 1 GiB). */
  rekeyBytes?: number;
}

export const DEFAULT_SERVER_VERSION = 'SSH-2.0-Postern_1.0';

const NAMES: Record<AlgorithmCategory, string> = {
  kex: 'key exchange method',
  hostKey: 'host key algorithm',
  cipher: 'cipher',
  mac: 'MAC',
  compression: 'compression',
};

/** The server's voice: short lines for its log and for the DISCONNECT the client reads. */
export const SERVER_VOICE: Voice = {
  peer: 'client',
  protocol: (detail) => detail,
  malformed: (detail) => `malformed message from the client: ${detail}`,
  noCommon: (category, peerOffers) => `no ${NAMES[category]} in common (client offers ${peerOffers.join(', ') || 'nothing'})`,
  notSsh: () => 'the client did not send an SSH-2.0 identification line',
  otherVersion: () => 'the client did not send an SSH-2.0 identification line',
  internal: (detail) => `internal error in the SSH server: ${detail}`,
};

export class ServerTransport extends PacketPump<ServerKex> {
  readonly version: string;
  sessionId: Uint8Array | undefined;
  protected readonly voice = SERVER_VOICE;
  private readonly lists: AlgorithmPreferences;

  constructor(
    private readonly hooks: ServerTransportHooks,
    private readonly options: ServerTransportOptions,
  ) {
    super(hooks, options.rekeyBytes);
    this.version = options.version ?? DEFAULT_SERVER_VERSION;
    if (options.hostKey.type !== 'ssh-ed25519') throw new RangeError('hostKey: the server signs with an Ed25519 host key');
    this.lists = serverPreferences(options.hostKey, options.algorithms);
  }

  get clientVersion(): string | undefined {
    return this.peerVersion;
  }

  /** A server may speak first: identification line, then KEXINIT. `before` is for test peers only. */
  start(before: readonly Uint8Array[] = []): void {
    this.open(this.version, before);
  }

  /** The byte stream ended (the client went away, or the adapter failed). */
  streamClosed(message = 'the client closed the connection'): void {
    this.streamEnded(() => new SshError('connection-lost', message));
  }

  protected onMessage(payload: Uint8Array): boolean | Promise<boolean> {
    if (payload[0] === Msg.EXT_INFO) return true; // the client's extensions change nothing here
    if (this.sessionId === undefined) throw protocolError(`message ${payload[0]} before the first key exchange finished`);
    return this.hooks.onMessage(payload);
  }

  protected peerDisconnected(code: number, description: string): SshError {
    return new SshError('disconnected', `the client disconnected (reason ${code}${description ? `: ${description}` : ''})`, {
      reason: code,
      reasonCode: code,
      serverMessage: description,
    });
  }

  protected onEnd(error: SshError): void {
    this.hooks.onEnd(error);
  }

  protected newKex(): ServerKex {
    return new ServerKex(this.lists, this.options.hostKey, this.sessionId === undefined, this.options.strictKex ?? true);
  }

  protected async onKexMessage(payload: Uint8Array, kex: ServerKex): Promise<void> {
    const n = payload[0];
    if (n === Msg.KEXINIT) {
      kex.onPeerInit(payload);
      if (kex.first && kex.strict) this.enableStrictKex();
      return;
    }
    if (n === Msg.NEWKEYS) {
      this.keysIn(kex.opener);
      this.hooks.log(`key exchange ${this.kexCount} done: ${JSON.stringify(kex.negotiated)}`);
      return;
    }
    if (kex.skipGuess()) return;
    if (n !== Msg.KEX_ECDH_INIT || !kex.hasPeerInit || kex.opener) throw protocolError(`unexpected key exchange message ${n}`);
    const { reply, exchangeHash, sealer } = await kex.reply(payload, {
      clientVersion: this.clientVersion!,
      serverVersion: this.version,
      sessionId: this.sessionId,
    });
    if (this.closed) return;
    this.sessionId ??= exchangeHash;
    // REPLY and NEWKEYS go out under the old keys; everything after them under the new ones.
    this.send(reply);
    const extInfo = kex.first && kex.peerWantsExtInfo;
    // RFC 8308 §2.4, §3.1: uint32 count, then (string name, string value).
    this.keysOut(sealer, extInfo ? [new SshWriter().byte(Msg.EXT_INFO).uint32(1).string('server-sig-algs').nameList(this.options.serverSigAlgs).finish()] : []);
  }
}
