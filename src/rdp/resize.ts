// Keeps the remote desktop the size of the window. Two ways exist, and which one a machine takes is
// only known by trying:
//   'live'       the machine resizes the session in place (the Display Control virtual channel,
//                MS-RDPEDISP; Windows 8.1+/Server 2012 R2+): IronRDP's session.resize() is enough;
//   'reconnect'  it cannot (xrdp 0.9 has no Display Control; IronRDP then ignores the request):
//                the page signs in again at the new size, which reattaches the same session (xrdp
//                with xorgxrdp resizes the X screen on reconnection).
// After the window settles, the controller asks for a live resize; if the desktop has not changed
// size within `probeMs`, the machine is taken for one that cannot, and from then on every settled
// size is a reconnection. DOM-free, with injectable timers, so it is unit-tested on its own.
import type { Size } from './geometry';

export type ResizeMode = 'unknown' | 'live' | 'reconnect';

export interface ResizeHooks {
  /** Asks the machine to resize the session in place (IronRDP session.resize). */
  resizeLive(size: Size): void;
  /** Signs in again at this size. */
  reconnect(size: Size): void;
  /** Tells the page what the controller now believes (for the toolbar's wording). */
  modeChanged?(mode: ResizeMode): void;
}

export interface ResizeTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface ResizeOptions {
  /** Quiet time after the last window change before acting. */
  settleMs?: number;
  /** How long a live resize may take before the machine is taken for one that cannot. */
  probeMs?: number;
  timers?: ResizeTimers;
}

const same = (a: Size | undefined, b: Size | undefined) => !!a && !!b && a.width === b.width && a.height === b.height;

export class ResizeController {
  private _mode: ResizeMode = 'unknown';
  private enabled = true;
  /** The size last asked for (live or by reconnecting): a window that settles there again is a no-op. */
  private requested: Size;
  private wanted: Size | undefined;
  private settleTimer: unknown;
  private probeTimer: unknown;
  private readonly settleMs: number;
  private readonly probeMs: number;
  private readonly timers: ResizeTimers;

  constructor(initial: Size, private readonly hooks: ResizeHooks, opts: ResizeOptions = {}) {
    this.requested = initial;
    this.settleMs = opts.settleMs ?? 600;
    this.probeMs = opts.probeMs ?? 2000;
    this.timers = opts.timers ?? { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) };
  }

  get mode(): ResizeMode {
    return this._mode;
  }

  /** Following the window can be turned off (the desktop then keeps its size and is scaled). */
  setEnabled(on: boolean): void {
    this.enabled = on;
    if (!on) this.cancel();
    else if (this.wanted) this.windowChanged(this.wanted);
  }

  /** The desktop size the window now calls for; acted on once the window settles. */
  windowChanged(want: Size): void {
    this.wanted = want;
    if (!this.enabled) return;
    this.timers.clear(this.settleTimer);
    this.settleTimer = this.timers.set(() => this.settled(), this.settleMs);
  }

  /** The desktop changed size (IronRDP resized the canvas): a live resize worked. */
  desktopChanged(): void {
    if (this.probeTimer === undefined) return;
    this.timers.clear(this.probeTimer);
    this.probeTimer = undefined;
    this.setMode('live');
    // The window may have moved on while the machine was resizing.
    if (this.wanted && !same(this.wanted, this.requested)) this.windowChanged(this.wanted);
  }

  cancel(): void {
    this.timers.clear(this.settleTimer);
    this.timers.clear(this.probeTimer);
    this.settleTimer = this.probeTimer = undefined;
  }

  private settled(): void {
    this.settleTimer = undefined;
    const want = this.wanted;
    if (!want || same(want, this.requested) || this.probeTimer !== undefined) return;
    this.requested = want;
    if (this._mode === 'reconnect') {
      this.hooks.reconnect(want);
      return;
    }
    this.hooks.resizeLive(want);
    if (this._mode === 'live') return;
    this.probeTimer = this.timers.set(() => {
      this.probeTimer = undefined;
      this.setMode('reconnect');
      this.requested = this.wanted ?? want;
      this.hooks.reconnect(this.requested);
    }, this.probeMs);
  }

  private setMode(mode: ResizeMode): void {
    if (mode === this._mode) return;
    this._mode = mode;
    this.hooks.modeChanged?.(mode);
  }
}
