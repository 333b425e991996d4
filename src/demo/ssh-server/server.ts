// The demo machine's SSH-2 server: transport, user authentication and session channels, sans-IO.
// One SshServer holds the host key and accounts; each connection is a ServerSession fed with
// bytes. serve() binds a session to a ByteStream (an in-memory pipe in tests, a MessagePort in the
// demo worker), exactly as connectSsh() binds the client.

import { fingerprintSha256 } from '../../ssh/core/hostkey';
import { Msg } from '../../ssh/core/messages';
import type { ByteStream } from '../../ssh/core/stream';
import { SshReader, SshWriter } from '../../ssh/core/wire';
import type { PrivateKey } from '../../ssh/keys/types';
import { ServerConnectionLayer } from './connection';
import { ServerFailure, type ServerEnd } from './failure';
import type { ServerAlgorithms } from './kex';
import type { StartProgram } from './program';
import { ServerTransport } from './transport';
import { ServerUserAuth, USER_SIGNATURE_ALGORITHMS, type AccountBook } from './userauth';

export interface SshServerOptions {
  /** An Ed25519 key (see host-key.ts); its fingerprint is what clients are shown. */
  hostKey: PrivateKey;
  accounts: AccountBook;
  /** What runs in a session channel once the client asks for a shell or a command. */
  startProgram: StartProgram;
  /** Shown by clients before sign-in (USERAUTH_BANNER). */
  banner?: string;
  version?: string;
  /** Restrict what we offer (tests use it to force one cipher or kex). */
  algorithms?: Partial<ServerAlgorithms>;
  maxAuthTries?: number;
  rekeyBytes?: number;
  log?: (message: string) => void;
}

export class ServerSession {
  /** Resolves once the connection is over, with why. */
  readonly ended: Promise<ServerEnd>;
  private readonly transport: ServerTransport;
  private readonly auth: ServerUserAuth;
  private connection: ServerConnectionLayer | undefined;
  private serviceAccepted = false;
  private settle!: (end: ServerEnd) => void;

  constructor(
    private readonly options: SshServerOptions,
    output: (bytes: Uint8Array) => void,
  ) {
    const log = options.log ?? (() => undefined);
    this.ended = new Promise<ServerEnd>((resolve) => (this.settle = resolve));
    this.transport = new ServerTransport(
      {
        output,
        onMessage: (payload) => this.route(payload),
        onEnd: (end) => {
          this.connection?.hangup();
          this.settle(end);
        },
        log,
      },
      {
        hostKey: options.hostKey,
        version: options.version,
        algorithms: options.algorithms,
        serverSigAlgs: USER_SIGNATURE_ALGORITHMS,
        rekeyBytes: options.rekeyBytes,
      },
    );
    this.auth = new ServerUserAuth(
      {
        send: (p) => this.transport.send(p),
        sessionId: () => this.transport.sessionId!,
        onSuccess: (user) => {
          this.connection = new ServerConnectionLayer(user, (p) => this.transport.send(p), options.startProgram);
        },
        log,
      },
      options.accounts,
      { banner: options.banner, maxTries: options.maxAuthTries },
    );
  }

  /** The signed-in user, once authentication succeeded. */
  get user(): string | undefined {
    return this.auth.user;
  }

  get strictKex(): boolean {
    return this.transport.strictKex;
  }

  get kexCount(): number {
    return this.transport.kexCount;
  }

  /** Output bytes queued across channels, waiting for the client's windows. */
  get bufferedOutput(): number {
    let n = 0;
    for (const c of this.connection?.channels.values() ?? []) n += c.buffered;
    return n;
  }

  start(): void {
    this.transport.start();
  }

  receive(bytes: Uint8Array): void {
    this.transport.receive(bytes);
  }

  streamClosed(message?: string): void {
    this.transport.streamClosed(message);
  }

  /** Ends the connection with DISCONNECT (by application). */
  close(message = 'The demo machine closed the connection.'): void {
    this.transport.fail(new ServerFailure('closed', message));
  }

  flushed(): Promise<void> {
    return this.transport.flushed();
  }

  private async route(payload: Uint8Array): Promise<boolean> {
    const n = payload[0];
    if (n === Msg.SERVICE_REQUEST) {
      // SERVICE_REQUEST (5): string service name; SERVICE_ACCEPT (6) echoes it (RFC 4253 §10).
      const r = new SshReader(payload);
      r.byte();
      const service = r.string('the service name');
      if (service !== 'ssh-userauth' || this.serviceAccepted) throw new ServerFailure('service', `The service "${service}" is not available.`);
      this.serviceAccepted = true;
      this.transport.send(new SshWriter().byte(Msg.SERVICE_ACCEPT).string(service).finish());
      return true;
    }
    if (n >= 50 && n <= 79) {
      if (!this.serviceAccepted) throw new ServerFailure('protocol', 'authentication before the ssh-userauth service was accepted');
      if (n === Msg.USERAUTH_REQUEST) await this.auth.handle(payload);
      return true;
    }
    if (n >= 80 && n <= 127) {
      if (!this.connection) throw new ServerFailure('protocol', `connection message ${n} before sign-in`);
      return this.connection.handle(payload);
    }
    return false;
  }
}

export class SshServer {
  constructor(readonly options: SshServerOptions) {
    if (options.hostKey.type !== 'ssh-ed25519') throw new RangeError('hostKey: must be an Ed25519 key');
  }

  /** "SHA256:..." as clients show it. */
  get hostKeyFingerprint(): string {
    return fingerprintSha256(this.options.hostKey.publicBlob);
  }

  /** A sans-IO session; call start(), feed receive(), pass output bytes to the client. */
  session(output: (bytes: Uint8Array) => void): ServerSession {
    return new ServerSession(this.options, output);
  }

  /**
   * Serves one connection over a stream until either side ends it, then closes the stream. When
   * we end it, the client gets a moment (lingerMs) to read our DISCONNECT and hang up first, as a
   * TCP peer would still read the bytes that preceded a FIN.
   */
  serve(stream: ByteStream, options: { lingerMs?: number } = {}): ServerSession {
    const session = this.session((bytes) => stream.write(bytes));
    let peerClosed!: () => void;
    const peerGone = new Promise<void>((resolve) => (peerClosed = resolve));
    const offData = stream.onData((bytes) => session.receive(bytes));
    const offClose = stream.onClose((error) => {
      peerClosed();
      session.streamClosed(error?.message);
    });
    void session.ended.then(async (end) => {
      await session.flushed();
      offData();
      if (end.kind !== 'peer') await lingerUntil(peerGone, options.lingerMs ?? 2000);
      offClose();
      stream.close();
    });
    session.start();
    return session;
  }
}

interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

function lingerUntil(event: Promise<void>, ms: number): Promise<void> {
  const timers = globalThis as unknown as Timers;
  let id: unknown;
  const timeout = new Promise<void>((resolve) => (id = timers.setTimeout(resolve, ms)));
  return Promise.race([event, timeout]).finally(() => timers.clearTimeout(id));
}
