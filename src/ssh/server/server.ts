// The SSH-2 server role: transport, user authentication and session channels, sans-IO. One
// SshServer holds the host key, the sign-in policy and what runs in a session; each connection is
// a ServerSession fed with bytes. serve() binds a session to a ByteStream (an in-memory pipe in
// tests, a MessagePort in the demo worker), exactly as connectSsh() binds the client.

import { Msg, SIGNATURE_ALGORITHMS, SessionBase, SshError, SshReader, SshWriter, fingerprintSha256, protocolError, type ByteStream } from '../core/index';
import type { PrivateKey } from '../keys/index';
import { ServerConnectionLayer } from './connection';
import type { ServerAlgorithms } from './kex';
import type { StartProgram } from './program';
import { ServerTransport } from './transport';
import { ServerUserAuth, type SignInPolicy } from './userauth';

/** User signature algorithms we verify by default: the same the client accepts for host keys; never ssh-rsa (SHA-1). */
export const USER_SIGNATURE_ALGORITHMS: readonly string[] = SIGNATURE_ALGORITHMS;

export interface SshServerOptions {
  /** An Ed25519 key; its fingerprint is what clients are shown. */
  hostKey: PrivateKey;
  /** Who may sign in. */
  authenticate: SignInPolicy;
  /** What runs in a session channel once the client asks for a shell or a command. */
  startProgram: StartProgram;
  /** Sign-in methods offered (default publickey, password). */
  authMethods?: readonly string[];
  /** User signature algorithms accepted and announced as server-sig-algs (default USER_SIGNATURE_ALGORITHMS). */
  userSignatureAlgorithms?: readonly string[];
  /** Shown by clients before sign-in (USERAUTH_BANNER). */
  banner?: string;
  version?: string;
  /** Restrict what we offer (tests use it to force one cipher or kex). */
  algorithms?: Partial<ServerAlgorithms>;
  /** Offer strict kex (default true). */
  strictKex?: boolean;
  maxAuthTries?: number;
  rekeyBytes?: number;
  log?: (message: string) => void;
}

/** How a server connection ended, for whoever runs the server: 'peer' when the client hung up or went away, otherwise why we ended it. */
export type ServerEndKind = 'peer' | 'protocol' | 'kex' | 'integrity' | 'auth-exhausted' | 'service' | 'closed';

export interface ServerEnd {
  kind: ServerEndKind;
  message: string;
}

function endOf(error: SshError): ServerEnd {
  const kinds: Partial<Record<SshError['kind'], ServerEndKind>> = {
    disconnected: 'peer',
    'connection-lost': 'peer',
    'stream-error': 'peer',
    'no-common-algorithm': 'kex',
    'kex-failed': 'kex',
    'integrity-failure': 'integrity',
    'no-methods-left': 'auth-exhausted',
    'service-not-available': 'service',
    closed: 'closed',
  };
  return { kind: kinds[error.kind] ?? 'protocol', message: error.message };
}

export class ServerSession extends SessionBase<Record<string, never>> {
  /** Resolves once the connection is over, with the error that ended it (as SshClient.closed does). */
  readonly closed: Promise<SshError>;
  /** The same end, summed up for a log: what kind of end, and the sentence. */
  readonly ended: Promise<ServerEnd>;
  protected readonly transport: ServerTransport;
  private readonly auth: ServerUserAuth;
  private connection: ServerConnectionLayer | undefined;
  private serviceAccepted = false;
  private settle!: (error: SshError) => void;

  constructor(
    options: SshServerOptions,
    output: (bytes: Uint8Array) => void,
  ) {
    super();
    const log = options.log ?? (() => undefined);
    this.closed = new Promise<SshError>((resolve) => (this.settle = resolve));
    this.ended = this.closed.then(endOf);
    const signatureAlgorithms = options.userSignatureAlgorithms ?? USER_SIGNATURE_ALGORITHMS;
    this.transport = new ServerTransport(
      {
        output,
        onMessage: (payload) => this.route(payload),
        onEnd: (error) => {
          const end = endOf(error);
          log(`connection ended (${end.kind}): ${end.message}`);
          this.connection?.hangup();
          this.settle(error);
        },
        log,
      },
      {
        hostKey: options.hostKey,
        version: options.version,
        algorithms: options.algorithms,
        strictKex: options.strictKex,
        serverSigAlgs: signatureAlgorithms,
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
      { policy: options.authenticate, methods: options.authMethods, signatureAlgorithms, banner: options.banner, maxTries: options.maxAuthTries },
    );
  }

  /** The signed-in user, once authentication succeeded. */
  get user(): string | undefined {
    return this.auth.user;
  }

  /** Output bytes queued across channels, waiting for the client's windows. */
  get bufferedOutput(): number {
    let n = 0;
    for (const c of this.connection?.channels.values() ?? []) n += c.buffered;
    return n;
  }

  /** Identification line, then KEXINIT. `before` goes out between them: only a test peer that breaks strict kex wants it. */
  start(before: readonly Uint8Array[] = []): void {
    this.transport.start(before);
  }

  receive(bytes: Uint8Array): void {
    this.transport.receive(bytes);
  }

  /** Queues one message: the transport orders, holds and seals it like its own. */
  send(payload: Uint8Array): void {
    this.transport.send(payload);
  }

  streamClosed(message?: string): void {
    this.transport.streamClosed(message);
  }

  /** Ends the connection with DISCONNECT (by application), `message` as its description. */
  close(message = 'The server closed the connection.'): void {
    this.transport.fail(new SshError('closed', message));
  }

  private async route(payload: Uint8Array): Promise<boolean> {
    const n = payload[0];
    if (n === Msg.SERVICE_REQUEST) {
      // SERVICE_REQUEST (5): string service name; SERVICE_ACCEPT (6) echoes it (RFC 4253 §10).
      const r = new SshReader(payload);
      r.byte();
      const service = r.string('the service name');
      if (service !== 'ssh-userauth' || this.serviceAccepted) throw new SshError('service-not-available', `The service "${service}" is not available.`);
      this.serviceAccepted = true;
      this.transport.send(new SshWriter().byte(Msg.SERVICE_ACCEPT).string(service).finish());
      return true;
    }
    if (n >= 50 && n <= 79) {
      if (!this.serviceAccepted) throw protocolError('authentication before the ssh-userauth service was accepted');
      if (n === Msg.USERAUTH_REQUEST) await this.auth.handle(payload);
      return true;
    }
    if (n >= 80 && n <= 127) {
      if (!this.connection) throw protocolError(`connection message ${n} before sign-in`);
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
