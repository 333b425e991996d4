// An adaptive frame rate for floods of output, after iTerm2's. A frame costs the browser the same however
// many bytes it shows (the rows are laid out and painted again), and xterm.js draws one after every parse
// that changed the screen: fed as output arrives, a flood is drawn at the screen's full rate. Here output
// is handed to xterm.js at once while it is light (a keystroke's echo, a prompt: no added latency); once
// FLOOD_BYTES arrive within one FLOOD_FRAME_MS, the rest of that frame's output waits and goes in as one
// write when the frame is over. One write is parsed in one go (xterm.js yields only between writes), so
// a flood costs one frame per FLOOD_FRAME_MS: about half the frames per MB, and it ends sooner.
// The bytes wait at most one frame, and never more than the caller's flow control lets arrive: `done`
// runs only once xterm.js has parsed them.

/** During a flood, at most one write (and so one frame) per this many ms: about 30 frames a second. */
export const FLOOD_FRAME_MS = 33;
/** Output past this many bytes within one frame is a flood (interactive output is far below it). */
export const FLOOD_BYTES = 64 * 1024;
/** Batch buffers are sized in steps of this, so that one fits the next frame's batch too. */
const BATCH_STEP = 256 * 1024;

export interface PacerIo {
  /** Hands output to the terminal; `parsed` runs once it has been parsed. */
  write(data: Uint8Array, parsed: () => void): void;
  now(): number;
  /** Runs `fn` after `ms`; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export class OutputPacer {
  private frameStart = -Infinity;
  private frameBytes = 0;
  private waiting: Uint8Array[] = [];
  private waitingDone: Array<() => void> = [];
  private timer: (() => void) | undefined;
  private spare: Uint8Array | undefined;

  constructor(private readonly io: PacerIo) {}

  write(data: Uint8Array, done?: () => void): void {
    const now = this.io.now();
    if (now - this.frameStart >= FLOOD_FRAME_MS) {
      this.frameStart = now;
      this.frameBytes = 0;
    }
    if (this.waiting.length === 0 && this.frameBytes < FLOOD_BYTES) {
      this.spare = undefined; // not a flood (or no longer): no batch buffer is held
      this.frameBytes += data.length;
      return this.io.write(data, done ?? noop);
    }
    this.waiting.push(data);
    if (done) this.waitingDone.push(done);
    this.timer ??= this.io.after(this.frameStart + FLOOD_FRAME_MS - now, () => {
      this.timer = undefined;
      this.flush();
    });
  }

  /** Hands over whatever waits now (before a line that must follow it, or at the end). */
  flush(): void {
    this.timer?.();
    this.timer = undefined;
    if (this.waiting.length === 0) return;
    const parts = this.waiting;
    const dones = this.waitingDone;
    this.waiting = [];
    this.waitingDone = [];
    this.frameStart = this.io.now();
    const size = parts.reduce((n, p) => n + p.length, 0);
    this.frameBytes = size;
    if (parts.length === 1) return this.io.write(parts[0], () => dones.forEach((d) => d()));
    // Joined in a buffer that a parsed batch gave back: a new one each frame costs more than the copy.
    const buffer = this.spare && this.spare.length >= size ? this.spare : new Uint8Array(Math.ceil(size / BATCH_STEP) * BATCH_STEP);
    this.spare = undefined;
    let at = 0;
    for (const p of parts) {
      buffer.set(p, at);
      at += p.length;
    }
    this.io.write(buffer.subarray(0, size), () => {
      if (this.frameBytes >= FLOOD_BYTES) this.spare = buffer; // kept only while the flood lasts
      dones.forEach((d) => d());
    });
  }

  /** Forgets what waits and cancels the timer (the terminal is going away). */
  dispose(): void {
    this.timer?.();
    this.timer = undefined;
    this.waiting = [];
    this.waitingDone = [];
    this.spare = undefined;
  }
}

function noop(): void {}
