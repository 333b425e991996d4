// One visitor's remote desktop: the first connection and the reconnections that follow the window's size.
// The desktop follows the window (resize.ts): in place where the machine can, otherwise by signing in
// again at the new size, which reattaches the same session. Desktop.svelte draws what `model` holds and
// hands its canvas and sizes to this class; IronRDP (connect) and the input and clipboard wiring (wire)
// are injected, so the loop runs in tests without WASM or a page.
import { ConnectError, type ClipboardWays, type Session } from '../session/contract';
import { connectRdp, type RdpConnectParams, type RdpConnection } from './connection';
import { describeConnectError, describeFailure, type FailureContext } from './errors';
import type { Size } from './geometry';
import { CTRL_ALT_DEL } from './keymap';
import { chord } from './keys';
import { ResizeController, type ResizeTimers } from './resize';
import { ironSink } from './sink';
import { DesktopFiles, saveWithLink } from './files.svelte';
import { DesktopModel } from './view-model.svelte';
import { wireSession, type Wiring } from './wiring';
import { watchForXrdpLoginFailure } from './xrdp-login';

export interface RdpSessionParams extends FailureContext {
  proxyUrl: string;
  authToken: string;
  destination: string;
  username: string;
  password: string;
  /** Which ways the clipboard may cross (the visitor's toggle within the link's rule). */
  clipboard: ClipboardWays;
  /** Which ways files may cross: `to` upload, `from` download (the link's file-transfer and clipboard rules). */
  fileTransfer?: ClipboardWays;
}

export interface RdpSessionDeps {
  connect(params: RdpConnectParams): Promise<RdpConnection>;
  wire(conn: RdpConnection, canvas: HTMLCanvasElement, o: { clipboard: ClipboardWays; desktop(): Size }): Wiring;
  /** Watches the first seconds of the desktop for a sign-in that failed (xrdp's Connection Log); returns a stop function. */
  watchLogin?(canvas: HTMLCanvasElement, failed: () => void): () => void;
  timers?: ResizeTimers;
  /** Saves a downloaded file (default: a download link). */
  save?(blob: Blob, name: string): void;
}

/** How long after the first picture a user session may take before the sign-in hint is shown. */
const SIGNIN_HINT_MS = 8000;

const realTimers: ResizeTimers = { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) };

export class RdpSession implements Session {
  readonly model = new DesktopModel();
  /** Files through the clipboard channel: what the machine offers, and transfers with their progress. */
  readonly files: DesktopFiles;
  /** Resolves at the end, once: null for a normal end (Disconnect), or why it ended. */
  readonly ended: Promise<ConnectError | null>;
  readonly ownDisconnect = true;
  private resolveEnded!: (reason: ConnectError | null) => void;
  private readonly up: Promise<void>;
  private resolveUp!: () => void;
  private rejectUp!: (reason: ConnectError) => void;
  private readonly timers: ResizeTimers;
  private canvas: HTMLCanvasElement | undefined;
  private conn: RdpConnection | undefined;
  private wiring: Wiring | undefined;
  private resizer: ResizeController | undefined;
  /** The size to reconnect at once the current connection has closed. */
  private reconnectTo: Size | undefined;
  /** The machine's clipboard service asked for ours: a user session runs (see connection.ts). */
  private sessionStarted = false;
  private finished = false;
  private hintTimer: unknown;
  private stopLoginWatch: (() => void) | undefined;
  /** The first frame has been drawn. */
  private drawn = false;
  /** Which ways the clipboard crosses now: the params' at first, then the visitor's toggle. */
  private clipboard: ClipboardWays;

  constructor(
    readonly params: RdpSessionParams,
    private readonly deps: RdpSessionDeps = { connect: connectRdp, wire: wireSession, watchLogin: watchForXrdpLoginFailure },
  ) {
    this.timers = deps.timers ?? realTimers;
    this.clipboard = { ...params.clipboard };
    this.files = new DesktopFiles(params.fileTransfer ?? { to: true, from: true }, {
      save: deps.save ?? saveWithLink,
      // While files the page sent wait on the machine's clipboard, the page's own clipboard must not replace them.
      onOffered: (waiting) => this.wiring?.bridge.holdForFiles(waiting),
    });
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    this.up = new Promise((resolve, reject) => {
      this.resolveUp = resolve;
      this.rejectUp = reject;
    });
    this.up.catch(() => undefined); // awaited in start()
  }

  /** Resolves once the desktop is up; rejects with a ConnectError when it ended before that. */
  start(): Promise<void> {
    return this.up;
  }

  /** The view is ready: connect, drawing into `canvas`, at `size` (the desktop size the stage will have). */
  attach(canvas: HTMLCanvasElement, size: Size): void {
    if (this.canvas || this.finished) return;
    this.canvas = canvas;
    this.resizer = new ResizeController(size, {
      resizeLive: (s) => {
        try {
          this.conn?.session.resize(s.width, s.height);
        } catch {
          // closing; the controller falls back to reconnecting
        }
      },
      reconnect: (s) => this.reconnect(s),
    }, { timers: this.timers });
    this.resizer.setEnabled(this.model.fitWindow);
    void this.run(canvas, size);
  }

  /** The desktop size the window now calls for. Sizes before the session runs do not count (the form still takes room). */
  windowChanged(size: Size): void {
    if (this.conn && this.model.phase === 'running') this.resizer?.windowChanged(size);
  }

  /** IronRDP set the canvas's width and height: the machine changed the desktop's size. */
  canvasResized(): void {
    const c = this.canvas;
    if (!c || c.width <= 0 || c.height <= 0) return;
    const { desktop } = this.model;
    if (c.width === desktop.width && c.height === desktop.height) return;
    this.model.desktop = { width: c.width, height: c.height };
    if (!this.model.resizing) this.resizer?.desktopChanged();
  }

  /** The visitor's clipboard toggle changed: applies now, and to a connection made again after a resize. */
  setClipboard(ways: ClipboardWays): void {
    this.clipboard = { ...ways };
    void this.wiring?.bridge.setWays(ways);
  }

  setFitWindow(on: boolean): void {
    this.model.fitWindow = on;
    this.resizer?.setEnabled(on);
  }

  ctrlAltDel(): void {
    const c = this.conn;
    if (!c) return;
    ironSink(c.rdp, c.session).keys(chord(CTRL_ALT_DEL));
    this.canvas?.focus({ preventScroll: true });
  }

  /** The visitor saw the machine's own sign-in screen: end, and put the sentence beside the password. */
  wrongPassword(): void {
    this.close(new ConnectError('auth-failed',
      `"${this.params.resourceName}" did not sign you in: the username or password was probably not accepted. Check them and connect again.`, 'password'));
  }

  /** Ends the session from this side (Disconnect, or leaving the page). */
  close(reason: ConnectError | null = null): void {
    this.reconnectTo = undefined;
    if (this.conn && !this.finished) shutdown(this.conn);
    this.finish(reason);
  }

  private async run(canvas: HTMLCanvasElement, first: Size): Promise<void> {
    const p = this.params;
    const model = this.model;
    let size = first;
    let drawn = false;
    for (;;) {
      let c: RdpConnection;
      try {
        c = await this.deps.connect({
          proxyUrl: p.proxyUrl,
          authToken: p.authToken,
          destination: p.destination,
          username: p.username,
          password: p.password,
          desktop: size,
          canvas,
          onPhase: (phase) => {
            model.phase = phase;
            if (phase !== 'running') return;
            model.resizing = false;
            if (!drawn) this.firstFrame();
            drawn = true;
          },
          onCursor: (css) => (model.cursor = css),
          onRemoteClipboard: (data) => void this.wiring?.bridge.fromMachine(data),
          onClipboardRequested: () => {
            this.sessionStarted = true;
            this.stopLoginWatch?.();
            model.signinHint = false;
            void this.wiring?.bridge.answerRequest();
          },
          onResized: () => this.canvasResized(),
        });
      } catch (e) {
        this.finish(describeConnectError(e, p));
        return;
      }
      if (this.finished) {
        shutdown(c);
        return;
      }
      this.conn = c;
      this.watchLogin();
      model.desktop = c.desktop;
      this.wiring = this.deps.wire(c, canvas, { clipboard: this.clipboard, desktop: () => model.desktop });
      if (c.files) this.files.attach(c.files);
      if (!model.up) {
        model.up = true;
        this.resolveUp();
      } else {
        canvas.focus({ preventScroll: true });
      }
      // The window may have moved on while this connection was being made.
      const next = this.reconnectTo;
      if (next && (next.width !== size.width || next.height !== size.height)) shutdown(c);
      else this.reconnectTo = undefined;
      const failure = await c.ended;
      this.files.detach();
      this.wiring.dispose();
      this.wiring = this.conn = undefined;
      if (this.reconnectTo && !this.finished) {
        size = this.reconnectTo;
        this.reconnectTo = undefined;
        continue;
      }
      // IronRDP's own words, for whoever opens the console; the visitor gets the sentence.
      if (failure) console.warn(`RDP session ended: ${failure.text}`);
      this.finish(failure ? describeFailure(failure, p) : null);
      return;
    }
  }

  /** Signs in again at `size` (the machine cannot resize a session in place). */
  private reconnect(size: Size): void {
    if (this.finished) return;
    this.model.resizing = true;
    const already = this.reconnectTo !== undefined;
    this.reconnectTo = size;
    if (this.conn && !already) shutdown(this.conn);
  }

  private firstFrame(): void {
    this.canvas?.focus({ preventScroll: true });
    this.drawn = true;
    this.watchLogin();
  }

  /**
   * Once the first frame is drawn and the connection is known: with NLA the machine checked the password
   * already; without it, xrdp shows a failed sign-in in its first frames, much sooner than the hint.
   */
  private watchLogin(): void {
    if (this.stopLoginWatch || !this.drawn || !this.conn || !this.canvas || this.finished) return;
    this.stopLoginWatch = () => undefined;
    if (this.conn.nla || this.sessionStarted) return;
    if (this.deps.watchLogin) this.stopLoginWatch = this.deps.watchLogin(this.canvas, () => this.wrongPassword());
    // Other machines without NLA (Windows with NLA off) show a sign-in screen the page cannot read: a hint.
    this.hintTimer = this.timers.set(() => {
      if (!this.sessionStarted && !this.finished) this.model.signinHint = true;
    }, SIGNIN_HINT_MS);
  }

  private finish(reason: ConnectError | null): void {
    if (this.finished) return;
    this.finished = true;
    this.resizer?.cancel();
    this.files.detach();
    this.wiring?.dispose();
    this.timers.clear(this.hintTimer);
    this.stopLoginWatch?.();
    if (!this.model.up) {
      this.rejectUp(reason ?? new ConnectError('unreachable', `The connection to "${this.params.resourceName}" closed before the desktop appeared.`));
    }
    this.resolveEnded(reason);
  }
}

function shutdown(c: RdpConnection): void {
  try {
    c.session.shutdown();
  } catch {
    // already closing
  }
}
