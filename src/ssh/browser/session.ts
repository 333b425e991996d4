// The page side of an SSH session: it starts the worker, renders the terminal and the questions into the
// host element the sign-in form gives it, decides host-key trust, and keeps the terminal on screen after
// the session ends so the visitor can read why, and reconnect.
import { flushSync, mount, tick, unmount } from 'svelte';
import { ConnectError, type ClipboardWays, type ConnectOptions, type Session, type SessionHost } from '../../session/contract';
import { clipboardKeyNames, detectPlatform } from '../../terminal/keys';
import { loadSettings, saveSettings, stepFontSize } from '../../terminal/settings';
import { TerminalView } from '../../terminal/terminal';
import { watchShellFolder } from '../../terminal/osc7';
import { readKnownHosts, type KnownHosts } from './known-hosts';
import { browserLanguages, loadLocale, localeChoices, localeStorage, saveLocale } from './locale';
import type { FromWorker, ToWorker, WireError } from './protocol';
import { startSshWorker, takeSshWorker } from './spare-worker';
import SshView from './SshView.svelte';
import { transferables, type OpenTransport } from './transport';
import { exitSentence, SshViewModel } from './view-model.svelte';
import { reconnectDelay, shouldAutoReconnect } from './auto-reconnect';
import { FilesChannel } from './files/channel';
import { FilesModel } from './files/model.svelte';

/** How often the open connection details refresh the round trip and byte counts. */
const STATS_EVERY_MS = 3000;
/** How long a shell that sends nothing at first may keep the terminal unseen after it opened (see start()). */
const SHOW_SILENT_SHELL_MS = 150;

const sameTypes = (a: string[], b: string[]) => a.length === b.length && a.every((t) => b.includes(t));
const unreadable = (e: unknown) => new ConnectError('protocol', `Could not read this browser's known hosts: ${String(e)}`);
const noop = () => undefined;
const toError = (e: WireError) => new ConnectError(e.kind, e.message, e.field);

/** One visitor's SSH session in one host element: the first connection and any reconnections. */
export class SshSession implements Session {
  readonly ended: Promise<ConnectError | null>;
  private resolveEnded!: (reason: ConnectError | null) => void;
  private readonly model: SshViewModel;
  private readonly terminalHost = document.createElement('div');
  /** Made by buildView(), just after the known hosts are read: set before any message that needs them is handled. */
  private terminal!: TerminalView;
  private view: ReturnType<typeof mount> | undefined;
  /** Resolves once the view and the terminal exist; worker messages that come earlier wait for it. */
  private readonly built: Promise<void>;
  private readonly previousTitle = document.title;
  private worker: Worker | undefined;
  /** The known hosts read at this Connect or reconnection; set before the worker judges the server's key. */
  private known!: KnownHosts;
  private readonly firstAttempt: Promise<void>;
  /** Resolves when the first connection's shell sends its first bytes (its prompt, or a message of the day). */
  private firstOutput!: () => void;
  private readonly firstOutputSeen = new Promise<void>((resolve) => (this.firstOutput = resolve));
  private torn = false;
  private pasteNoticeTimer: ReturnType<typeof setTimeout> | undefined;
  private autoTimer: ReturnType<typeof setInterval> | undefined;
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private readonly files = new FilesChannel((message, transfer) => this.post(message, transfer));

  /**
   * `open` makes the byte stream's transport for each attempt: the relay, or a port to an in-page machine.
   * `known`: this browser's known hosts for the resource, being read at Connect (readKnownHosts): the
   * server's key is judged by them. `likelyKeyTypes`: the host key types the read-ahead found, asked of
   * the server first while that read goes on (undefined: nothing was read ahead, so the handshake waits for it).
   */
  constructor(
    private readonly options: ConnectOptions,
    private readonly host: SessionHost,
    private readonly open: OpenTransport,
    known: Promise<KnownHosts>,
    likelyKeyTypes: string[] | undefined,
  ) {
    performance.mark('postern-ssh:connect');

    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    this.model = new SshViewModel(`${options.username}@${options.resourceName}`, {
      reconnect: () => void this.reconnect(),
      cancelAutoReconnect: () => this.cancelAutoReconnect(),
      watchStats: (open) => this.watchStats(open),
      close: () => this.finish(null),
      find: (text, backwards) => this.terminal.find(text, backwards),
      focus: () => this.terminal.focus(),
      chooseLocale: (locale) => {
        if (saveLocale(localeStorage(), locale)) this.model.locale = locale;
      },
      changeSettings: (settings) => {
        this.model.settings = saveSettings(localeStorage(), settings);
        this.terminal.applySettings(this.model.settings);
      },
      extraKey: (key) => this.terminal.sendExtraKey(key),
      setSticky: (mods) => {
        this.model.sticky = mods;
        this.terminal.setSticky(mods);
      },
    });
    this.model.locale = loadLocale(localeStorage());
    // The worker starts first, before anything else here: its transport opens, the key is parsed and the
    // handshake begins while this thread reads the known hosts (a short request while it is free) and
    // only then builds the view and the terminal (tens of milliseconds), so the server's key is judged
    // without waiting for them.
    this.built = known.then(noop, noop).then(() => this.buildView());
    this.firstAttempt = this.attempt(known, likelyKeyTypes);
    this.firstAttempt.catch(() => undefined); // awaited in start()
  }

  private buildView(): void {
    if (this.torn) return;
    const options = this.options;
    this.model.settings = loadSettings(localeStorage());
    this.model.pings = !options.idleLimited;
    this.model.keyNames = clipboardKeyNames(detectPlatform(globalThis.navigator));
    // The link's file-transfer rule, applied here: SFTP runs end to end, so no one else can.
    const ways = options.fileTransfer ?? { to: true, from: true };
    if (ways.to || ways.from) this.model.files = new FilesModel(this.files, { upload: ways.to, download: ways.from });
    this.model.localeChoices = localeChoices(browserLanguages(), this.model.locale);
    this.terminalHost.className = 'ssh-terminal';
    this.view = mount(SshView, { target: this.host.element, props: { model: this.model, terminalHost: this.terminalHost } });
    // The view's action puts the terminal's host in the page; it must be there before xterm.js opens in it,
    // or xterm.js measures its font as zero wide and styles every run of text to make up for it.
    flushSync();
    if (!this.terminalHost.isConnected) throw new Error('The terminal has no place in the page.');
    this.terminal = new TerminalView(this.terminalHost, {
      clipboard: options.clipboard,
      settings: this.model.settings,
      onPasteBlocked: (local) => this.pasteBlocked(local),
      onFontStep: (step) => this.model.actions.changeSettings({ ...this.model.settings, fontSize: stepFontSize(this.model.settings.fontSize, step) }),
      onModifiersUsed: () => (this.model.sticky = { ctrl: false, alt: false }),
      onInput: (bytes) => this.post({ type: 'data', data: bytes.buffer as ArrayBuffer }, [bytes.buffer as ArrayBuffer]),
      onResize: (cols, rows) => this.post({ type: 'resize', cols, rows }),
    });
    // The shell's folder (OSC 7) is where the Files panel opens; disposed with the terminal.
    watchShellFolder(this.terminal.term, (path) => this.model.files?.shellFolderChanged(path));
    this.post({ type: 'resize', cols: this.terminal.cols, rows: this.terminal.rows });
  }

  /** The first connection: resolves when the shell is open, rejects with a ConnectError (and cleans up) otherwise. */
  async start(): Promise<void> {
    try {
      await this.built;
      await this.firstAttempt;
    } catch (e) {
      this.teardown();
      throw e instanceof ConnectError ? e : new ConnectError('protocol', e instanceof Error ? e.message : String(e));
    }
    document.title = this.model.title;
    // The terminal shows with the shell's first output, drawn in the same frame, rather than empty one
    // frame before it; a shell that says nothing at first is shown after SHOW_SILENT_SHELL_MS all the same.
    await Promise.race([this.firstOutputSeen, new Promise((r) => setTimeout(r, SHOW_SILENT_SHELL_MS))]);
    await this.goLive();
  }

  private prepareToShow(): void {
    this.model.prepared = true;
    this.host.prepare?.();
  }

  /** Shows the terminal and gives it the keyboard: once Svelte has taken it off-stage (a hidden element cannot take focus). */
  private async goLive(): Promise<void> {
    this.model.stage = 'live';
    await tick();
    this.terminal.focus();
  }

  close(): void {
    this.finish(null);
  }

  setClipboard(ways: ClipboardWays): void {
    this.terminal.setClipboard(ways);
    this.model.pasteNotice = '';
  }

  /** A paste met the closed "to" way: a short notice beside the terminal says so, and how to allow it. */
  private pasteBlocked(local: boolean): void {
    const rule = this.options.clipboardRule ?? { to: true, from: true };
    const what = local ? "Pasted what you copied in this terminal; this computer's clipboard was not used" : 'Paste blocked';
    this.model.pasteNotice = rule.to
      ? `${what}: clipboard sharing is off. Turn on "Share clipboard" at the top of the page to paste from this computer.`
      : `${what}: this link does not allow pasting into the machine.`;
    clearTimeout(this.pasteNoticeTimer);
    this.pasteNoticeTimer = setTimeout(() => (this.model.pasteNotice = ''), 8000);
  }

  /**
   * One connection attempt, each in a fresh worker: settles when the shell is open or the attempt failed.
   * The handshake starts at once, asking first for `keyTypes`; the server's key is judged by `known`.
   */
  private attempt(known: Promise<KnownHosts>, keyTypes: string[] | undefined): Promise<void> {
    this.model.phase = 'proxy';
    if (!keyTypes) return known.then((read) => this.attempt(Promise.resolve(read), read.preferredKeyTypes), (e: unknown) => Promise.reject(unreadable(e)));
    const worker = takeSshWorker() ?? startSshWorker();
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      let output = false;
      /** This attempt was given up for a new one (the known hosts asked for another key type): it settles nothing. */
      let superseded = false;
      const settleError = (error: ConnectError) => {
        if (superseded) return;
        this.clearQuestions();
        this.stopWorker(worker);
        if (!ready) reject(error);
      };
      worker.onerror = (e) => {
        e.preventDefault();
        settleError(new ConnectError('unreachable', 'The SSH client could not start in this browser. Reload the page and try again.'));
      };
      const handle = (m: FromWorker) => {
        if (this.worker !== worker) return;
        if (this.files.receive(m)) return;
        switch (m.type) {
          case 'phase':
            this.model.phase = m.phase;
            // Signed in: nothing more will be asked, so the page lays the terminal out in its final place
            // while the server opens the shell, and `ready` only has to show it.
            if (m.phase === 'shell' && this.model.stage === 'connecting') this.prepareToShow();
            // Phase timings for devtools and bench/ssh.ts, on this page's clock.
            performance.mark(`postern-ssh:${m.phase}`, { startTime: m.at - performance.timeOrigin });
            return;
          case 'negotiated':
            this.model.details = m.details;
            return;
          case 'host-key':
            if (m.accepted) return void this.known.remember(m); // pinned or known: keep the memory current
            return void this.decideHostKey(m.keyType, m.fingerprint);
          case 'banner':
            return this.terminal.write(m.text.replace(/\r?\n/g, '\r\n'));
          case 'prompt':
            this.model.prompt = {
              name: m.name,
              instruction: m.instruction,
              prompts: m.prompts,
              answer: (answers) => {
                this.model.prompt = null;
                this.post({ type: 'prompt-answer', answers });
              },
            };
            return;
          case 'ready':
            ready = true;
            performance.mark('postern-ssh:ready');
            this.terminal.inputEnabled = true;
            // The form hides now and the terminal moves on screen; fit to the real size.
            requestAnimationFrame(() => this.terminal.fitNow());
            return resolve();
          case 'data': {
            const first = !output;
            if (first) {
              output = true;
              performance.mark('postern-ssh:output'); // the shell's first bytes, among the phases bench/ssh.ts prints
            }
            const bytes = new Uint8Array(m.data, 0, m.length);
            // Acknowledge once xterm.js has taken the bytes: the SSH window opens only as fast as we render.
            // The buffer goes back with it, for the worker's next batches (OutputBatcher).
            // The first bytes show the terminal once parsed, so the frame that shows it draws them too.
            return this.terminal.write(bytes, () => {
              if (first) this.firstOutput();
              this.post({ type: 'ack', bytes: bytes.length, buffer: m.data }, [m.data]);
            });
          }
          case 'exit':
            return this.terminal.notice(exitSentence(m.exit));
          case 'stats':
            this.model.stats = { bytesIn: m.bytesIn, bytesOut: m.bytesOut, rttMs: m.rttMs ?? this.model.stats?.rttMs ?? null };
            return;
          case 'error':
            return settleError(toError(m.error));
          case 'closed':
            this.stopWorker(worker);
            return this.onEnded(m.reason, m.error);
        }
      };
      let viewBuilt = false;
      void this.built.then(() => (viewBuilt = true));
      // In order: a message that comes before the view exists waits for it, and so do those after it.
      let waiting = Promise.resolve();
      worker.onmessage = (event: MessageEvent<FromWorker>) => {
        if (viewBuilt) return handle(event.data);
        waiting = waiting.then(() => this.built).then(() => handle(event.data));
      };
      const { username, credential } = this.options;
      const transport = this.open(this.options); // a fresh one per attempt: a port is used once
      const locale = (this.model.sessionLocale = this.model.locale);
      const keepalive = !this.options.idleLimited;
      this.post({ type: 'connect', transport, username, credential, keepalive, locale, preferKeyTypes: keyTypes }, transferables(transport));
      if (this.terminal) this.post({ type: 'resize', cols: this.terminal.cols, rows: this.terminal.rows });
      // Read at this Connect or reconnection: the worker trusts nothing older.
      known.then(
        (read) => {
          if (this.worker !== worker) return;
          performance.mark('postern-ssh:known-hosts');
          this.known = read;
          if (sameTypes(read.preferredKeyTypes, keyTypes)) return this.post({ type: 'host-keys', trusted: read.trustedFingerprints });
          // Another tab remembered or forgot a key since the read-ahead: the handshake may be asking for the
          // wrong key type, which would look like a changed key. Start again asking for the right one.
          superseded = true;
          this.stopWorker(worker);
          this.attempt(Promise.resolve(read), read.preferredKeyTypes).then(resolve, reject);
        },
        (e: unknown) => {
          if (this.worker === worker) settleError(unreadable(e));
        },
      );
    });
  }

  private async decideHostKey(keyType: string, fingerprint: string): Promise<void> {
    const known = this.known;
    const verdict = known.verdict({ keyType, fingerprint });
    if (verdict.kind === 'changed') {
      return this.post({ type: 'host-key-answer', accept: false, changed: true, message: verdict.message });
    }
    if (verdict.kind === 'ask') {
      const trust = await new Promise<boolean>((answer) => {
        this.model.hostKey = { resourceName: this.options.resourceName, keyType, fingerprint, answer };
      });
      this.model.hostKey = null;
      if (!trust) {
        const message = `You did not trust the host key of "${this.options.resourceName}", so the connection was stopped.`;
        return this.post({ type: 'host-key-answer', accept: false, changed: false, message });
      }
    }
    // Trusted by the visitor, or matching the pinned fingerprint (which then replaces an older memory).
    // The answer goes first; storing it need not hold up the handshake.
    this.post({ type: 'host-key-answer', accept: true });
    void known.remember({ keyType, fingerprint });
  }

  private onEnded(reason: string, error: WireError | null): void {
    this.terminal.inputEnabled = false;
    this.terminal.resetModes();
    this.terminal.notice(reason);
    document.title = this.previousTitle;
    this.model.endMessage = reason;
    this.model.endIsError = error !== null;
    this.model.stage = 'ended';
    // A lost connection is tried again by itself, after a countdown the visitor can cancel.
    if (shouldAutoReconnect(error)) this.scheduleReconnect(1);
  }

  /**
   * While the connection details are open: the bytes each way and a round trip timed by an SSH keepalive,
   * every STATS_EVERY_MS. Not where the link ends idle sessions: the proxy counts keepalives as activity.
   */
  private watchStats(open: boolean): void {
    clearInterval(this.statsTimer);
    this.statsTimer = undefined;
    if (!open || this.torn) return;
    const ask = () => {
      if (this.model.stage === 'live') this.post({ type: 'stats', ping: this.model.pings });
    };
    ask();
    this.statsTimer = setInterval(ask, STATS_EVERY_MS);
  }

  /**
   * Counts down to attempt `attempt` of the automatic reconnection, once a second on screen. Reconnecting
   * signs in again with what this page holds in memory for this session (the form's credential), as the
   * Reconnect button does; nothing is stored.
   */
  private scheduleReconnect(attempt: number): void {
    this.cancelAutoReconnect();
    const delay = reconnectDelay(attempt);
    if (delay === null || this.torn) return;
    this.model.autoReconnect = { attempt, seconds: delay, total: delay };
    this.autoTimer = setInterval(() => {
      const auto = this.model.autoReconnect;
      if (!auto) return this.cancelAutoReconnect();
      if (auto.seconds > 1) {
        this.model.autoReconnect = { ...auto, seconds: auto.seconds - 1 };
        return;
      }
      this.cancelAutoReconnect();
      void this.reconnect(attempt);
    }, 1000);
  }

  private cancelAutoReconnect(): void {
    clearInterval(this.autoTimer);
    this.autoTimer = undefined;
    this.model.autoReconnect = null;
  }

  /** `auto`: the number of this automatic attempt; a failure for the same reason then schedules the next. */
  private async reconnect(auto?: number): Promise<void> {
    if (this.model.reconnecting || this.torn) return;
    this.cancelAutoReconnect();
    this.model.reconnecting = true;
    this.terminal.notice(`Reconnecting to ${this.model.title}…`);
    try {
      // Read again: the first session may have remembered a key, or another tab forgotten one.
      await this.attempt(readKnownHosts(this.options), this.known.preferredKeyTypes);
      document.title = this.model.title;
      // SSH cannot resume a session: say that what ran in the old shell is gone.
      this.terminal.notice('Connected again. This is a new shell: programs that ran in the old one have ended.');
      await this.goLive();
    } catch (e) {
      const error = e instanceof ConnectError ? e : new ConnectError('protocol', String(e));
      // A wrong password or key belongs beside its field in the form: end here and let the form say it.
      if (error.field) return this.finish(error);
      this.terminal.notice(error.message);
      this.model.endMessage = error.message;
      this.model.endIsError = true;
      if (auto !== undefined && shouldAutoReconnect(error)) queueMicrotask(() => this.scheduleReconnect(auto + 1));
    } finally {
      this.model.reconnecting = false;
    }
  }

  private post(message: ToWorker, transfer?: Transferable[]): void {
    this.worker?.postMessage(message, transfer ?? []);
  }

  private clearQuestions(): void {
    this.model.hostKey?.answer(false);
    this.model.prompt = null;
    this.model.hostKey = null;
  }

  /** Asks the worker to say goodbye to the server (SSH DISCONNECT), then ends it regardless. */
  private stopWorker(worker: Worker): void {
    if (this.worker === worker) {
      this.worker = undefined;
      this.files.fail('The session ended, so the file transfer stopped. Reconnect to use Files again.');
    }
    worker.postMessage({ type: 'close' } satisfies ToWorker);
    setTimeout(() => worker.terminate(), 1000);
  }

  private finish(reason: ConnectError | null): void {
    this.teardown();
    this.resolveEnded(reason);
  }

  private teardown(): void {
    if (this.torn) return;
    this.torn = true;
    clearTimeout(this.pasteNoticeTimer);
    this.cancelAutoReconnect();
    clearInterval(this.statsTimer);
    this.model.files?.dispose();
    this.clearQuestions();
    if (this.worker) this.stopWorker(this.worker);
    document.title = this.previousTitle;
    this.terminal?.dispose();
    if (this.view) void unmount(this.view);
  }
}
