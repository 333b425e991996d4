// The SSH session's Web Worker: it owns the byte stream (open-stream.ts), the SshClient and the parsed private key,
// so decryption runs beside the page's rendering instead of competing with it. It talks to the page
// only through the messages in protocol.ts.
import { connectSsh, DEFAULT_ALGORITHMS, type ByteStream, KexKeyPool, POST_QUANTUM_KEX, SshError, signIn, type SshChannel, type SshClient } from '../core/index';
import type { PromptRequest } from '../core/auth';
import { parsePrivateKey, type PrivateKey } from '../keys/index';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { endReason, toWire } from './errors';
import { sameFingerprint } from './fingerprint';
import { isFilesRequest, type FromWorker, type Phase, type ToWorker, type WireError } from './protocol';
import { WorkerFiles } from './files/worker-files';
import { FileTally } from './file-tally';
import { openStream } from './open-stream';
import { OutputBatcher } from './output-batcher';
import { FALLBACK_LOCALE, isLocale } from './locale';

/**
 * The shell's environment: LANG only, as OpenSSH's SendEnv passes the client's. Without a UTF-8 locale
 * the shell runs in the POSIX locale and drops non-ASCII input. The env request asks for no reply, so a
 * server whose AcceptEnv refuses it simply ignores it. Only a valid locale name is ever sent.
 */
function sessionEnv(locale: unknown): Record<string, string> {
  return { LANG: isLocale(locale) ? locale : FALLBACK_LOCALE };
}

/** The part of DedicatedWorkerGlobalScope used here (the root tsconfig types `self` as a Window). */
interface WorkerScope {
  postMessage(message: FromWorker, options?: { transfer?: Transferable[] }): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<ToWorker>) => void): void;
}
const scope = self as unknown as WorkerScope;

type ConnectRequest = Extract<ToWorker, { type: 'connect' }>;
type HostKeys = Omit<Extract<ToWorker, { type: 'host-keys' }>, 'type'>;

/** Host key algorithms with the remembered key types first, as OpenSSH orders them for a known host. */
export function hostKeyOrder(preferKeyTypes: string[]): string[] {
  const typeOf = (alg: string) => (alg.startsWith('rsa-sha2-') ? 'ssh-rsa' : alg);
  const all = [...DEFAULT_ALGORITHMS.hostKey];
  return [...all.filter((a) => preferKeyTypes.includes(typeOf(a))), ...all.filter((a) => !preferKeyTypes.includes(typeOf(a)))];
}

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Key-exchange keys, made as soon as this worker starts (while the visitor fills in the form, or at the
 * latest while the relay dials) so the key exchange spends nothing on them. sntrup761's key pair costs tens
 * of milliseconds, ML-KEM's about one: one task each, so a 'connect' message that arrives meanwhile opens
 * the transport at once. Each worker serves one session, and each key one exchange.
 */
const PREPARED_KEX = ['mlkem768x25519-sha256', 'sntrup761x25519-sha512', 'curve25519-sha256'];
const kexKeys = new KexKeyPool();
const kexKeysMade = (async () => {
  for (const kex of PREPARED_KEX) {
    await nextTask();
    kexKeys.prepare([kex]);
  }
})();

/**
 * Then a warm-up, one round per task until a session starts. The first builds noble's Ed25519 tables (some
 * 25 ms; Ed25519 is the host key type asked for first); the rest let V8 compile the hashing and curve code
 * the exchange runs (X25519, SHA-256, Ed25519's SHA-512), which otherwise runs interpreted at Connect: a few
 * milliseconds of the handshake, on the visitor's clock. A session that starts sooner does the rest itself.
 */
const WARM_UP_ROUNDS = 8;
/** Set when this worker's session starts: the warm-up stops there. */
let sessionStarted = false;
void kexKeysMade.then(async () => {
  const seed = new Uint8Array(32).fill(7);
  const message = new Uint8Array(1024);
  const peer = x25519.getPublicKey(new Uint8Array(32).fill(9));
  for (let i = 0; i < WARM_UP_ROUNDS; i++) {
    await nextTask();
    if (sessionStarted) return;
    ed25519.verify(ed25519.sign(message, seed), message, ed25519.getPublicKey(seed));
    sha256(x25519.getSharedSecret(seed, peer));
  }
});

/** Counts the bytes a stream carries each way, for the connection details. */
function counted(stream: ByteStream, counts: { in: number; out: number }): ByteStream {
  return {
    write: (bytes) => {
      counts.out += bytes.length;
      stream.write(bytes);
    },
    close: () => stream.close(),
    onData: (handler) => stream.onData((bytes) => {
      counts.in += bytes.length;
      handler(bytes);
    }),
    onClose: (handler) => stream.onClose(handler),
  };
}

/** How long a timed keepalive may go unanswered before the details say so. */
const PING_TIMEOUT_MS = 10_000;

class WorkerSession {
  private client: SshClient | undefined;
  private channel: SshChannel | undefined;
  private ready = false;
  private finished = false;
  private closingByUser = false;
  private shellEnded = false;
  private promptAnswer: ((answers: string[] | null) => void) | undefined;
  private readonly output = new OutputBatcher((data, length) => this.post({ type: 'data', data, length }, [data]));
  private size = { cols: 80, rows: 24 };
  private readonly counts = { in: 0, out: 0 };
  private pinging = false;
  private gotHostKeys!: (info: HostKeys) => void;
  private readonly hostKeys = new Promise<HostKeys>((resolve) => (this.gotHostKeys = resolve));
  /** Sends the file report to the relay; undefined where the transport takes none (the demo, a user's session). */
  private sendReport: ((text: string) => void) | undefined;
  /** Files and bytes moved over SFTP, reported to the relay for the session's audit row. */
  private readonly tally = new FileTally((text) => this.sendReport?.(text));
  private readonly files = new WorkerFiles(
    () => (this.ready && this.client?.state.name === 'connected' ? this.client : undefined),
    (message, transfer) => {
      this.tally.reply(message); // before the post, which transfers its buffers
      this.post(message, transfer);
    },
  );

  constructor(private readonly req: ConnectRequest) {
    void this.run();
  }

  private post(message: FromWorker, transfer?: Transferable[]): void {
    if (message.type !== 'data') this.output.flush(); // the output before it (the shell's last lines before its exit) goes first
    scope.postMessage(message, transfer ? { transfer } : undefined);
  }

  private phase(phase: Phase): void {
    this.post({ type: 'phase', phase, at: performance.timeOrigin + performance.now() });
  }

  handle(m: ToWorker): void {
    if (isFilesRequest(m)) {
      this.tally.request(m);
      return this.files.handle(m);
    }
    switch (m.type) {
      case 'data':
        if (this.channel?.state === 'open') this.channel.write(new Uint8Array(m.data));
        return;
      case 'ack':
        this.channel?.consume(m.bytes);
        this.output.acked(m.bytes);
        if (m.buffer) this.output.recycle(m.buffer);
        return;
      case 'resize':
        this.size = { cols: m.cols, rows: m.rows };
        this.channel?.resize(m.cols, m.rows);
        return;
      case 'host-keys':
        return this.gotHostKeys(m);
      case 'stats':
        return void this.stats(m.ping);
      case 'host-key-answer':
        return this.answerHostKey(m);
      case 'prompt-answer':
        return this.answerPrompt(m.answers);
      case 'close':
        this.closingByUser = true;
        this.tally.flush(); // ahead of the close, on the same WebSocket
        this.gotHostKeys({ trusted: [] });
        if (this.client) this.client.close();
        else this.fail(new SshError('closed', 'The session was closed.'));
        return;
      case 'connect':
        return; // one session per worker
    }
  }

  private async run(): Promise<void> {
    const { req } = this;
    this.phase('proxy');
    sessionStarted = true;
    // The stream is asked for first, and a worker's WebSocket sends its handshake only once this task ends:
    // the key's parse (which has a synchronous start) waits a task, so it cannot hold the handshake back.
    const opening = openStream(req.transport);
    opening.catch(() => undefined); // awaited below
    await nextTask();
    // Parse (and for encrypted keys, run the slow KDF) while the network handshake proceeds.
    const keyPromise: Promise<PrivateKey> | undefined =
      req.credential.kind === 'private-key' ? parsePrivateKey(req.credential.keyText, req.credential.passphrase) : undefined;
    keyPromise?.catch(() => undefined);
    try {
      // The stream keeps what arrives before connectSsh subscribes.
      const { stream, sendReport } = await opening;
      this.sendReport = sendReport;
      await kexKeysMade;
      if (this.closingByUser) return stream.close();
      this.phase('kex');
      const client = connectSsh(counted(stream, this.counts), {
        username: req.username, algorithms: { hostKey: hostKeyOrder(req.preferKeyTypes) }, kexKeys,
        keepaliveIntervalMs: req.keepalive ? undefined : 0,
      });
      this.client = client;
      client.on('hostKey', async (info) => {
        this.phase('host-key');
        const known = await this.hostKeys; // as the page read them at this Connect, usually here long before
        if (this.closingByUser) return;
        // A pinned or remembered key needs no round trip to the page (whose thread may be busy drawing).
        const accepted = known.trusted.some((f) => sameFingerprint(f, info.fingerprint));
        if (accepted) client.acceptHostKey();
        this.post({ type: 'host-key', keyType: info.keyType, algorithm: info.algorithm, fingerprint: info.fingerprint, accepted });
        const n = client.negotiated;
        if (n) {
          const details = { kex: n.kex, postQuantum: POST_QUANTUM_KEX.has(n.kex), cipher: n.cipherS2C, mac: n.macS2C, hostKey: n.hostKey, fingerprint: info.fingerprint,
            server: client.serverVersion ?? '' };
          this.post({ type: 'negotiated', details });
        }
      });
      client.on('banner', (text) => this.post({ type: 'banner', text }));
      client.on('prompt', (request) => void this.relayPrompt(request));
      void client.closed.then((e) => this.onClosed(e));
      await client.ready;
      const key = keyPromise ? await keyPromise : undefined;
      this.phase('sign-in');
      await this.signIn(client, key);
      this.phase('shell');
      const asked = this.size;
      const channel = await client.openShell({ term: 'xterm-256color', ...asked, env: sessionEnv(req.locale) }, 'manual');
      this.channel = channel;
      if (this.size !== asked) channel.resize(this.size.cols, this.size.rows); // resized while the shell opened
      channel.on('data', (bytes) => this.output.push(bytes));
      channel.on('stderr', (bytes) => this.output.push(bytes));
      channel.on('exit', (exit) => this.post({ type: 'exit', exit }));
      channel.on('close', () => {
        this.shellEnded = true;
        this.tally.flush();
        client.close();
      });
      this.ready = true;
      this.post({ type: 'ready' });
    } catch (e) {
      this.fail(e);
    }
  }

  /**
   * Bytes so far, and with `ping` one keepalive@openssh.com timed to its answer (as ServerAliveInterval
   * sends them; it also reaches through the relay, so it is the round trip the visitor's keys take).
   * One ping at a time; an answer that takes longer than PING_TIMEOUT_MS is reported as none.
   */
  private async stats(ping: boolean): Promise<void> {
    let rttMs: number | null = null;
    if (ping && !this.pinging && this.ready && this.client?.state.name === 'connected') {
      this.pinging = true;
      const started = performance.now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const answered = await Promise.race([
          this.client.ping().then(() => true),
          new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS))),
        ]);
        if (answered) rttMs = performance.now() - started;
      } catch {
        // The session ended meanwhile: no round trip.
      } finally {
        clearTimeout(timer);
        this.pinging = false;
      }
    } else if (ping && this.pinging) {
      return; // the ping in flight reports
    }
    this.post({ type: 'stats', bytesIn: this.counts.in, bytesOut: this.counts.out, rttMs });
  }

  /** Signs in with what the visitor gave, by the SSH library's sign-in policy (core/sign-in.ts). */
  private signIn(client: SshClient, key: PrivateKey | undefined): Promise<void> {
    const cred = this.req.credential;
    return signIn(client, { password: cred.kind === 'password' ? cred.password : undefined, key, ask: (request) => this.ask(request) });
  }

  private ask(request: PromptRequest): Promise<string[] | null> {
    return new Promise((resolve) => {
      this.promptAnswer = resolve;
      this.post({ type: 'prompt', name: request.name, instruction: request.instruction, prompts: request.prompts });
    });
  }

  private async relayPrompt(request: PromptRequest): Promise<void> {
    const answers = await this.ask(request);
    try {
      if (answers) this.client?.answerPrompts(answers);
      else this.client?.cancelPrompts();
    } catch {
      // The session ended while the visitor was typing: the close path reports it.
    }
  }

  private answerPrompt(answers: string[] | null): void {
    const answer = this.promptAnswer;
    this.promptAnswer = undefined;
    answer?.(answers);
  }

  private answerHostKey(m: Extract<ToWorker, { type: 'host-key-answer' }>): void {
    const client = this.client;
    if (!client || client.state.name !== 'host-key') return; // ended meanwhile
    if (m.accept) client.acceptHostKey();
    else client.rejectHostKey(m.changed ? 'host-key-changed' : 'host-key-rejected', m.message);
  }

  private onClosed(e: SshError): void {
    this.answerPrompt(null);
    if (!this.ready) return; // run() reports failures before the shell opened
    if (this.finished) return;
    this.finished = true;
    let error: WireError | null = endReason(e);
    let reason = error?.message ?? '';
    if (this.closingByUser) {
      error = null;
      reason = 'You disconnected.';
    } else if (this.shellEnded && (e.kind === 'closed' || e.kind === 'connection-lost')) {
      error = null;
      reason = 'The remote shell ended.';
    }
    this.post({ type: 'closed', reason, error });
  }

  private fail(e: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.client?.close();
    const cred = this.req.credential.kind;
    this.post({ type: 'error', error: toWire(e, cred) });
  }
}

let session: WorkerSession | undefined;
scope.addEventListener('message', (event) => {
  const m = event.data;
  if (m.type === 'connect' && !session) session = new WorkerSession(m);
  else session?.handle(m);
});
