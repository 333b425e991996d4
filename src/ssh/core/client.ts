// SshClient: the facade a UI or worker talks to. Sans-IO: feed it bytes with receive(), give it
// an `output` sink for bytes to send, and call tick() now and then for keepalive and timed rekey.
// Lifecycle: idle -> handshake -> host-key (await acceptHostKey) -> authenticating -> connected -> closed.

import { UserAuth, type AuthMethod, type AuthOutcome, type PromptRequest } from './auth';
import type { PtyOptions, SshChannel } from './channel';
import { Connection } from './connection';
import { SshError, protocolError, type SshErrorKind } from './wire/errors';
import type { HostKeyInfo } from './kex/session';
import type { AlgorithmPreferences, Negotiated } from './kex/kexinit';
import { Msg } from './wire/messages';
import { SessionBase } from './session';
import { isLegalTransition, type ConnectionState } from './state';
import { signIn } from './sign-in';
import { Transport } from './transport';
import type { KexKeyPool } from './kex/key-pool';
import { SshWriter } from './wire/wire';

export interface SshClientOptions {
  username: string;
  /** Where encrypted bytes for the server go (a WebSocket, a socket, a pipe). */
  output(bytes: Uint8Array): void;
  algorithms?: Partial<AlgorithmPreferences>;
  clientVersion?: string;
  rekeyBytes?: number;
  rekeyIntervalMs?: number;
  /** Send keepalive@openssh.com after this much silence from the server (default 15 s; 0 = never). */
  keepaliveIntervalMs?: number;
  /** Give up after this many unanswered keepalives (default 3). */
  keepaliveMaxUnanswered?: number;
  /** Clock for keepalive and timed rekey; tests pass their own. */
  now?: () => number;
  /** Key-exchange keys made ahead (KexKeyPool.prepare); the first exchange takes the one it needs. */
  kexKeys?: KexKeyPool;
  /** Send our first method's key exchange packet without waiting for the server's KEXINIT (default true; transport.ts). */
  guessKex?: boolean;
}

export interface ClientEvents extends Record<string, unknown> {
  state: ConnectionState;
  /** The server's host key; answer with acceptHostKey() or rejectHostKey(). */
  hostKey: HostKeyInfo;
  /** USERAUTH_BANNER text, to show before sign-in. */
  banner: string;
  /** keyboard-interactive prompts; answer with answerPrompts() or cancelPrompts(). */
  prompt: PromptRequest;
  log: string;
}

export class SshClient extends SessionBase<ClientEvents> {
  state: ConnectionState = { name: 'idle' };
  /** Resolves when sign-in may begin; rejects with the fatal SshError if the handshake fails. */
  readonly ready: Promise<void>;
  /** Resolves with the reason once the session has ended, whatever the cause. */
  readonly closed: Promise<SshError>;

  protected readonly transport: Transport;
  private readonly auth: UserAuth;
  private readonly connection: Connection;
  private readonly now: () => number;
  private readonly keepaliveMs: number;
  private readonly keepaliveMax: number;
  private hostKeyAnswer: { resolve(): void; reject(e: SshError): void } | undefined;
  private settleReady!: { resolve(): void; reject(e: SshError): void };
  private settleClosed!: (e: SshError) => void;
  private lastHeardAt = 0;
  private lastKeepaliveAt = 0;

  constructor(options: SshClientOptions) {
    super();
    if (!options.username) throw new RangeError('username: required');
    this.now = options.now ?? (() => Date.now());
    this.keepaliveMs = options.keepaliveIntervalMs ?? 15_000;
    this.keepaliveMax = options.keepaliveMaxUnanswered ?? 3;
    this.ready = new Promise<void>((resolve, reject) => (this.settleReady = { resolve, reject }));
    this.ready.catch(() => undefined); // observed through `closed` too; avoid unhandled-rejection noise
    this.closed = new Promise<SshError>((resolve) => (this.settleClosed = resolve));

    this.transport = new Transport(
      {
        output: options.output,
        verifyHostKey: (info) => this.askHostKey(info),
        onMessage: (payload) => this.route(payload),
        onKexDone: (first) => {
          if (first) this.transport.send(new SshWriter().byte(Msg.SERVICE_REQUEST).string('ssh-userauth').finish());
        },
        onFatal: (error) => this.onFatal(error),
        log: (message) => this.emit('log', message),
      },
      options,
    );
    this.auth = new UserAuth(
      {
        send: (p) => this.transport.send(p),
        sessionId: () => this.transport.sessionId!,
        serverSigAlgs: () => this.transport.serverSigAlgs,
        onBanner: (message) => this.emit('banner', message),
        onPrompt: (request) => this.emit('prompt', request),
      },
      options.username,
    );
    this.connection = new Connection((p) => this.transport.send(p));
  }

  get negotiated(): Negotiated | undefined {
    return this.transport.negotiated;
  }
  get serverVersion(): string | undefined {
    return this.transport.serverVersion;
  }
  get hostKey(): HostKeyInfo | undefined {
    return this.transport.hostKey;
  }
  get serverSigAlgs(): string[] | undefined {
    return this.transport.serverSigAlgs;
  }
  /** Keepalives sent since the server was last heard from. */
  get keepalivesUnanswered(): number {
    return this.connection.unansweredKeepalives;
  }

  /** Sends the identification line and KEXINIT. Call once the byte stream is open. */
  start(): void {
    if (!this.transition({ name: 'handshake' })) return;
    const now = this.now();
    this.lastHeardAt = now;
    this.transport.start(now);
  }

  receive(bytes: Uint8Array): void {
    this.lastHeardAt = this.now();
    this.connection.unansweredKeepalives = 0;
    this.transport.receive(bytes);
  }

  /** The stream adapter reports the end of the byte stream (with its own error, if any). */
  streamClosed(error?: SshError): void {
    this.transport.streamClosed(error);
  }

  /** Housekeeping: keepalive after silence, timed rekey. Call every few seconds. */
  tick(): void {
    const now = this.now();
    this.transport.tick(now);
    if (this.state.name !== 'connected' || this.keepaliveMs <= 0) return;
    if (now - this.lastHeardAt < this.keepaliveMs || now - this.lastKeepaliveAt < this.keepaliveMs) return;
    if (this.connection.unansweredKeepalives >= this.keepaliveMax) {
      return this.transport.fail(new SshError('timeout', `The server stopped answering (${this.keepaliveMax} keepalives unanswered). The connection was closed.`));
    }
    this.lastKeepaliveAt = now;
    this.connection.keepalive();
  }

  /**
   * One keepalive@openssh.com with want-reply, as OpenSSH's ServerAliveInterval sends: resolves when the
   * server answers (any answer), so the caller can time a round trip. It never settles if the session
   * ends first: the caller bounds its wait.
   */
  ping(): Promise<void> {
    this.requireState('connected');
    return new Promise((resolve) => this.connection.keepalive(resolve));
  }

  acceptHostKey(): void {
    const answer = this.hostKeyAnswer;
    if (!answer) throw new SshError('protocol-error', 'No host key is waiting for an answer.');
    this.hostKeyAnswer = undefined;
    this.transition({ name: 'handshake' });
    answer.resolve();
  }

  /** Refuses the host key and ends the session. 'host-key-changed' when it differs from a remembered key. */
  rejectHostKey(kind: Extract<SshErrorKind, 'host-key-rejected' | 'host-key-changed'> = 'host-key-rejected', message?: string): void {
    const answer = this.hostKeyAnswer;
    if (!answer) throw new SshError('protocol-error', 'No host key is waiting for an answer.');
    this.hostKeyAnswer = undefined;
    const text =
      message ??
      (kind === 'host-key-changed'
        ? "The server's host key has changed since it was last trusted. This could mean someone is intercepting the connection. The connection was stopped."
        : "The server's host key was not trusted. The connection was stopped.");
    answer.reject(new SshError(kind, text));
  }

  /** Methods the server accepts for this user (asks with "none" the first time), or 'success' (then signed in). */
  async authMethods(): Promise<string[] | 'success'> {
    this.requireState('authenticating');
    const methods = await this.auth.queryMethods();
    if (methods === 'success') this.transition({ name: 'connected' });
    return methods;
  }

  async authenticate(method: AuthMethod): Promise<AuthOutcome> {
    this.requireState('authenticating');
    const outcome = await this.auth.authenticate(method);
    if (outcome.status === 'success') this.transition({ name: 'connected' });
    return outcome;
  }

  /** Password sign-in through the library's one sign-in policy (sign-in.ts). */
  async signInWithPassword(password: string): Promise<AuthOutcome> {
    await signIn(this, { password });
    return { status: 'success' };
  }

  answerPrompts(answers: string[]): void {
    this.auth.answerPrompts(answers);
  }

  cancelPrompts(): void {
    this.auth.cancelPrompts();
  }

  /** Opens a session channel with a pty and a login shell. */
  async openShell(pty: PtyOptions, flow: 'auto' | 'manual' = 'auto'): Promise<SshChannel> {
    this.requireState('connected');
    const channel = await this.connection.openSession(flow);
    // Both requests go out together, as OpenSSH sends them: one round trip instead of two. Replies
    // come back in order (RFC 4254 §5.4), so a refused pty still fails before the shell's answer counts.
    const ptyReply = channel.requestPty(pty);
    for (const [name, value] of Object.entries(pty.env ?? {})) channel.setEnv(name, value);
    const shellReply = channel.requestShell();
    shellReply.catch(() => undefined); // reported through ptyReply when the pty was refused first
    try {
      await ptyReply;
      await shellReply;
    } catch (e) {
      channel.close();
      throw e;
    }
    return channel;
  }

  /** Runs one command on a session channel, optionally with a pty. */
  async exec(command: string, pty?: PtyOptions): Promise<SshChannel> {
    this.requireState('connected');
    const channel = await this.connection.openSession();
    try {
      if (pty) await channel.requestPty(pty);
      await channel.requestExec(command);
    } catch (e) {
      channel.close();
      throw e;
    }
    return channel;
  }

  /** Opens a session channel running a subsystem of the server (RFC 4254 §6.5), such as "sftp". */
  async openSubsystem(name: string): Promise<SshChannel> {
    this.requireState('connected');
    const channel = await this.connection.openSession();
    try {
      await channel.requestSubsystem(name);
    } catch (e) {
      channel.close();
      throw e;
    }
    return channel;
  }

  /** Ends the session: DISCONNECT (by application) to the server, state 'closed'. */
  close(): void {
    if (this.state.name === 'idle') return this.onFatal(new SshError('closed', 'The session was closed.'));
    this.transport.fail(new SshError('closed', 'The session was closed.'));
  }

  private requireState(name: ConnectionState['name']): void {
    if (this.state.name === 'closed') throw this.state.error;
    if (this.state.name !== name) throw new SshError('protocol-error', `This needs the session to be ${name}, but it is ${this.state.name}.`);
  }

  /** The one transition guard: illegal moves are logged and refused. */
  private transition(next: ConnectionState): boolean {
    if (!isLegalTransition(this.state.name, next.name)) {
      this.emit('log', `illegal state transition ${this.state.name} -> ${next.name} refused`);
      return false;
    }
    this.state = next;
    this.emit('state', next);
    return true;
  }

  private askHostKey(info: HostKeyInfo): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.hostKeyAnswer = { resolve, reject };
      this.transition({ name: 'host-key', hostKey: info });
      this.emit('hostKey', info);
    });
  }

  private route(payload: Uint8Array): boolean {
    const n = payload[0];
    if (n === Msg.SERVICE_ACCEPT) {
      if (this.state.name !== 'handshake') throw protocolError('an unexpected SERVICE_ACCEPT');
      this.transition({ name: 'authenticating' });
      this.settleReady.resolve();
      return true;
    }
    if (n >= 50 && n <= 79) return this.auth.handle(payload);
    if (n >= 80 && n <= 127) {
      if (this.state.name !== 'connected') throw protocolError(`connection message ${n} before sign-in finished`);
      return this.connection.handle(payload);
    }
    return false;
  }

  private onFatal(error: SshError): void {
    const pendingHostKey = this.hostKeyAnswer;
    this.hostKeyAnswer = undefined;
    pendingHostKey?.reject(error);
    this.auth.abort(error);
    this.connection.abort(error);
    this.transition({ name: 'closed', error });
    this.settleReady.reject(error);
    this.settleClosed(error);
  }
}
