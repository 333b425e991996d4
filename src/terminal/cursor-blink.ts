// The cursor's blink, driven by a timer. xterm.js's DOM renderer blinks it with an endless CSS animation
// of its colours, and Chromium runs such an animation on the page's main thread at the screen's frame
// rate even though it changes once a second: a focused terminal doing nothing cost some 60 ms of the main
// thread and as much again on the compositor every second (bench/ssh.ts, "idle"). cursor-blink.css stops
// that animation in hosts of class `timed-blink`; here a timer switches their class `timed-blink-off`
// every BLINK_MS instead, two style changes a second. The cursor stays on while it moves (typing, output),
// as it does in xterm.js, and as in GTK's terminals it stops blinking, shown, once it has not moved for
// BLINK_TIMEOUT_MS: a terminal left open has no blink to pay for. xterm.js's WebGL renderer blinks with
// its own timer and draws no rows in the page: the class changes nothing there. cursor-blink.css also
// makes the browser's caret in xterm.js's hidden textarea transparent: its blink then repaints nothing,
// where it cost some 40 ms a second across the page's threads while the terminal had the focus. Chromium
// still wakes for that caret's timer twice a second, as for any focused text field (bench:ssh --trace).
// (terminal.ts, which gives the host its classes, imports the CSS: this module stays plain, for bench:ssh.)

/** Each phase, on and off: xterm.js's CSS blink is one second per cycle. */
export const BLINK_MS = 500;
/** The blink stops after the cursor has not moved for this long (GTK's gtk-cursor-blink-timeout). */
export const BLINK_TIMEOUT_MS = 10_000;

export interface BlinkIo {
  /** Shows or hides the cursor. */
  show(on: boolean): void;
  /** Runs `fn` every `ms`; returns a function that stops it. */
  every(ms: number, fn: () => void): () => void;
}

export class CursorBlink {
  private wanted = false;
  private visible = true;
  private recentlyMoved = false;
  private stillFor = 0;
  private stop: (() => void) | undefined;

  constructor(private readonly io: BlinkIo) {}

  /** Blinks while on (the terminal has the focus and takes input); off leaves the cursor shown. */
  set running(on: boolean) {
    if (on === this.wanted) return;
    this.wanted = on;
    if (on) this.start();
    else this.halt();
  }

  /** The cursor moved: it shows at once, stays for at least a whole phase, and blinks again if it had stopped. */
  moved(): void {
    this.recentlyMoved = true;
    this.stillFor = 0;
    this.setVisible(true);
    if (this.wanted && !this.stop) this.start();
  }

  dispose(): void {
    this.running = false;
  }

  private start(): void {
    this.stillFor = 0;
    this.stop = this.io.every(BLINK_MS, () => this.tick());
  }

  private halt(): void {
    this.stop?.();
    this.stop = undefined;
    this.setVisible(true);
  }

  private tick(): void {
    this.stillFor += BLINK_MS;
    if (this.stillFor >= BLINK_TIMEOUT_MS) return this.halt();
    if (this.recentlyMoved) {
      this.recentlyMoved = false;
      return;
    }
    this.setVisible(!this.visible);
  }

  private setVisible(on: boolean): void {
    if (on === this.visible) return;
    this.visible = on;
    this.io.show(on);
  }
}
