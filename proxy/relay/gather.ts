// Target → browser gathering, sans-IO: decides when a read becomes a WebSocket message, when to stop
// reading, and where the next read lands. The caller owns the socket, the WebSocket and the clock.
//
// Why it looks like this. A pty makes sshd write about 4 KB at a time, and a browser takes 4 KB messages
// at about half the rate of 16 KB+ ones; on the relay's side the cost is per wake-up more than per byte:
// each 4 KB the kernel hands over is a sleep, a wake, a syscall and a trip into JavaScript. So:
// - The first read after a quiet spell goes out at once (a keystroke's echo waits for nothing).
// - A read that closely follows a message opens a gather window of GATHER_MS. While the source is slow
//   (less than a full message per window) reading is off during the window and the socket's receive
//   buffer does the gathering: one read then takes everything that arrived. While that read keeps
//   finding more, the next window opens straight away, so a steady stream costs one wake per window.
// - Once a message fills (a read or a window's backlog brings a whole one), the source is fast: stopping
//   would only make it wait on our receive buffer, so windows keep reading (gathering in the arena)
//   until a message fills or the window ends, which marks the source slow again.
// Either way a byte waits at most GATHER_MS, and a message holds at most MAX_MESSAGE bytes — Nagle's
// idea, bounded to a millisecond.
//
// Reads land straight in an arena and a message is a view of the bytes it covers: no copy and no
// allocation per read. A region handed to the WebSocket is never read into again until the WebSocket
// reports that message written: reads only move forward in an arena, and a full arena is swapped for
// the spare, which is reused only once none of its messages is still in flight (else a new one is
// made; the old one is left to the garbage collector).

/** Above this many bytes queued in the WebSocket, the source is paused until the queue drains. */
export const HIGH_WATER = 4 * 1024 * 1024;
export const MAX_MESSAGE = 64 * 1024;
export const GATHER_MS = 1;
/** A read this soon after the previous message is part of a burst and may wait to be gathered. */
export const BURST_GAP_MS = 2;
/** One full message. A message that started late in an arena is carried (copied) to the next one's
 *  start; that costs a copy of a few KB now and then, and keeps an idle session's buffer small. */
export const ARENA = MAX_MESSAGE;

/** What the gatherer needs from the outside world. */
export interface GatherIo {
  now(): number;
  isOpen(): boolean;
  /** Bytes the WebSocket has queued and not yet written. */
  buffered(): number;
  /** Sends one binary message; `written` is called once it has left the process, or failed to. */
  send(message: Buffer, written: () => void): void;
  pauseReading(): void;
  resumeReading(): void;
  /** Runs `fn` after `ms`; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
  /** Runs `fn` once the reads that are already possible have been made (Node: setImmediate). */
  soon(fn: () => void): void;
}

interface Arena {
  buf: Buffer;
  /** Messages cut from this arena that the WebSocket has not yet written. */
  inFlight: number;
}

export class Gatherer {
  /** Every byte read from the source, sent or not: the audit's count. */
  bytes = 0;
  private arena: Arena = { buf: Buffer.allocUnsafeSlow(ARENA), inFlight: 0 };
  private spare: Arena | undefined;
  /** The gathered message is arena[start, end); the next read lands at end. */
  private start = 0;
  private end = 0;
  private lastSentAt = -Infinity;
  /** Waiting for the WebSocket to drain (backpressure). */
  private blocked = false;
  /** Set while a gather window is open; cancels its timer. */
  private window: (() => void) | undefined;
  /** The open window has reading off (the source is slow). */
  private windowStopsReading = false;
  /** A message filled since the last window that ran out: windows keep reading. */
  private fast = false;
  /** A reading-off window is over: reading is back on and the backlog goes out once it is read. */
  private catchingUp = false;
  private stopped = false;

  constructor(private readonly io: GatherIo) {}

  /** Where the next read should land: the rest of the current message's room. */
  readBuffer(): Buffer {
    const room = MAX_MESSAGE - (this.end - this.start);
    if (this.arena.buf.length - this.end < room) this.nextArena();
    return this.arena.buf.subarray(this.end, this.end + room);
  }

  /** `n` bytes landed in the last readBuffer(). Returns false to stop reading for now. */
  onRead(n: number): boolean {
    this.bytes += n;
    if (this.stopped || !this.io.isOpen()) return true; // nowhere to send: count and drop
    this.end += n;
    if (this.end - this.start >= MAX_MESSAGE) {
      this.fast = true;
      this.flush();
    } else if (this.window) {
      if (this.windowStopsReading) return false; // resumed mid-window: the timer takes it from here
    } else if (this.catchingUp) {
      // the soon() after the window sends it
    } else if (this.io.now() - this.lastSentAt > BURST_GAP_MS && this.io.buffered() === 0) {
      this.flush();
    } else {
      this.openWindow();
      if (this.windowStopsReading) return false;
    }
    return !this.blocked;
  }

  /** Sends whatever is gathered (the window is over, or the source ended). */
  flush(): void {
    this.closeWindow();
    if (this.end === this.start) return;
    const message = this.arena.buf.subarray(this.start, this.end);
    this.start = this.end;
    this.lastSentAt = this.io.now();
    if (this.stopped || !this.io.isOpen()) return;
    // The browser is reading slower than the target writes: stop reading until this message is out.
    const block = this.io.buffered() + message.length > HIGH_WATER;
    if (block) {
      this.blocked = true;
      this.io.pauseReading();
    }
    const arena = this.arena;
    arena.inFlight++;
    this.io.send(message, () => {
      arena.inFlight--;
      if (!block) return;
      this.blocked = false;
      if (!this.stopped && !(this.window && this.windowStopsReading)) this.io.resumeReading();
    });
  }

  /** The source is gone: no more timers, sends or resumes. */
  stop(): void {
    this.closeWindow();
    this.stopped = true;
  }

  private openWindow(): void {
    this.windowStopsReading = !this.fast;
    this.window = this.io.after(GATHER_MS, () => this.endWindow());
  }

  private closeWindow(): void {
    this.window?.();
    this.window = undefined;
  }

  private endWindow(): void {
    this.window = undefined;
    if (this.stopped) return;
    if (!this.windowStopsReading) {
      // A reading window ended before a message filled: the source is slow again.
      this.fast = false;
      return this.flush();
    }
    // Read what the kernel holds and send it as one message; if that read found more, the burst goes
    // on, so the next window opens straight away.
    this.catchingUp = true;
    const before = this.bytes;
    this.io.soon(() => {
      this.catchingUp = false;
      const more = this.bytes !== before;
      this.flush();
      if (!more) this.spare = undefined; // the burst is over; an idle session holds one arena
      if (!more || this.stopped || !this.io.isOpen()) return;
      this.openWindow();
      if (this.windowStopsReading) this.io.pauseReading();
    });
    if (!this.blocked) this.io.resumeReading();
  }

  /** Swaps in the spare arena (or a new one while the spare's messages are in flight), carrying the
   *  gathered bytes, if any, to its start. */
  private nextArena(): void {
    const next = this.spare?.inFlight === 0 ? this.spare : { buf: Buffer.allocUnsafeSlow(ARENA), inFlight: 0 };
    this.arena.buf.copy(next.buf, 0, this.start, this.end);
    this.end -= this.start;
    this.start = 0;
    this.spare = this.arena;
    this.arena = next;
  }
}
