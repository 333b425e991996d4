// Target → browser gathering, sans-IO: decides when a read becomes a WebSocket message, when to stop
// reading, and where the next read lands. The caller owns the socket, the WebSocket and the clock.
//
// Why it looks like this. A pty makes sshd write about 4 KB at a time, and a browser takes 4 KB messages
// at about half the rate of 16 KB+ ones; on the relay's side the cost is per wake-up more than per byte:
// each 4 KB the kernel hands over is a sleep, a wake, a syscall and a trip into JavaScript. So:
// - The first read after a quiet spell goes out at once (a keystroke's echo waits for nothing).
// - A read that closely follows a message opens a gather window of GATHER_MS. While the source is slow
//   (less than a full message per window) reading is off during the window and the socket's receive
//   buffer does the gathering: one wake then reads everything that arrived (in two reads past PROBE
//   bytes: see below). While it keeps finding more, the next window opens straight away, so a steady
//   stream costs one wake per window.
// - Once a message fills (a read or a window's backlog brings a whole one), the source is fast: stopping
//   would only make it wait on our receive buffer, so windows keep reading (gathering in the arena)
//   until a message fills or the window ends, which marks the source slow again.
// Either way a byte waits at most GATHER_MS, and a message holds at most MAX_MESSAGE bytes — Nagle's
// idea, bounded to a millisecond.
//
// Reads land in an arena and a message is a view of the bytes it covers: no allocation per read in a
// burst. A region handed to the WebSocket is never read into again until the WebSocket reports that
// message written: reads only move forward in an arena, and a full arena is swapped for the spare, which
// is reused only once none of its messages is still in flight (else a new one is made; the old one is
// left to the garbage collector).
//
// An idle session holds no arena. Node keeps the buffer it was last given until its next read, however
// long that takes, so after every read the socket is handed the probe: a small buffer shared by every
// session (a read into it is copied out before onRead returns, so no two sessions ever need it at
// once). A read that fills the probe means the kernel holds more: its bytes are copied to the arena and
// the next read, straight after, lands in the arena behind them, so at most PROBE bytes are copied per
// wake-up and the bulk lands in place. A read that does not fill it is copied (its bytes are few); a
// keystroke's echo after a quiet spell goes out in a buffer of its own and never touches an arena.
// Arenas are let go when a burst ends, and after RELEASE_MS without a read; the next burst makes new
// ones. Messages still in flight keep their arena alive until written.
// The price is a second read() per wake-up that brings more than PROBE bytes: on a bulk download, one
// more per message (bench:relay's "down" case, about +15–20% relay CPU per MB). Handing the socket
// the arena again after a full message would save it, but a stream that ends exactly on a message
// boundary (common when sizes are round) would then leave that arena held until the next read.

/** Above this many bytes queued in the WebSocket, the source is paused until the queue drains. */
export const HIGH_WATER = 4 * 1024 * 1024;
/** A fast stream's messages grow to this: each WebSocket message costs the browser's network service, its
 *  IO thread and the SSH worker a wake-up, so 256 KB messages take about half as many as 64 KB ones did. */
export const MAX_MESSAGE = 256 * 1024;
export const GATHER_MS = 1;
/** A read this soon after the previous message is part of a burst and may wait to be gathered. */
export const BURST_GAP_MS = 2;
/** One full message. Messages start at an arena's start (the probe read that begins one picks the
 *  arena); bytes gathered late in an arena are carried (copied) to the next one's start, which is rare. */
export const ARENA = MAX_MESSAGE;
/** The shared probe's size. Odd, so that a read of exactly a full probe (which leaves the socket holding
 *  an arena view until its next read) never happens with SSH: its packets are multiples of 4 bytes. */
export const PROBE = 1023;
/** An arena unused for this long (no read at all) is let go. */
export const RELEASE_MS = 1000;

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

/** Where reads land after each read (see the top of this file): shared by every gatherer. */
const probe = Buffer.allocUnsafeSlow(PROBE);

export class Gatherer {
  /** Every byte read from the source, sent or not: the audit's count. */
  bytes = 0;
  /** None while the session is idle. */
  private arena: Arena | undefined;
  private spare: Arena | undefined;
  /** The gathered message is arena[start, end); the next arena read lands at end. */
  private start = 0;
  private end = 0;
  /** The buffer last handed to the socket is the arena at `end` (else the probe). */
  private readsIntoArena = false;
  /** Length of the probe view last handed to the socket. */
  private probeRoom = 0;
  /** A read that filled the probe would go out at once; it waits for the read that follows (soon()). */
  private held = false;
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
  /** Set while an arena is held; cancels the timer that lets it go. */
  private releaseTimer: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly io: GatherIo) {}

  /** Where the next read should land: the probe, or straight after a full probe, the rest of the
   *  current message's room in the arena. */
  readBuffer(): Buffer {
    const room = MAX_MESSAGE - (this.end - this.start);
    if (this.readsIntoArena) return this.arena!.buf.subarray(this.end, this.end + room);
    this.probeRoom = Math.min(PROBE, room);
    return probe.subarray(0, this.probeRoom);
  }

  /** `n` bytes landed in the last readBuffer(). Returns false to stop reading for now. */
  onRead(n: number): boolean {
    this.bytes += n;
    const intoArena = this.readsIntoArena;
    this.readsIntoArena = false;
    if (this.stopped || !this.io.isOpen()) {
      this.drop();
      return true; // nowhere to send: count and drop
    }
    if (intoArena) {
      this.end += n;
      this.held = false;
      return this.gathered();
    }
    // In the probe: take the bytes out before anything else can read there.
    const full = n === this.probeRoom;
    // Whether this read starts a message after a quiet spell (known only when nothing else decides).
    const quiet = this.end === this.start && !this.window && !this.catchingUp ? this.quiet() : undefined;
    const atOnce = quiet === true;
    if (atOnce && !full) {
      // The first read after a quiet spell, and all there is (a keystroke's echo): out on its own.
      const message = Buffer.allocUnsafe(n);
      probe.copy(message, 0, 0, n);
      this.lastSentAt = this.io.now();
      this.send(message, undefined);
      return !this.blocked;
    }
    this.land(n);
    if (!full) return this.gathered(quiet);
    if (atOnce) {
      // More is waiting: it joins this message, which goes out once it is read (or soon(), if that
      // read finds nothing after all).
      this.held = true;
      this.io.soon(() => this.settle());
      this.readsIntoArena = true;
      return true;
    }
    const reading = this.gathered(quiet);
    // The rest goes straight into the arena, unless reading stops or a message was just cut (then the
    // next read starts a new one, at the start of an arena, through the probe).
    this.readsIntoArena = reading && this.end !== this.start;
    return reading;
  }

  /** Bytes of buffer this gatherer keeps (its arenas; the shared probe is nobody's). */
  heldBytes(): number {
    return (this.arena?.buf.length ?? 0) + (this.spare?.buf.length ?? 0);
  }

  /** Sends whatever is gathered (the window is over, or the source ended). */
  flush(): void {
    this.closeWindow();
    if (this.end === this.start) return;
    const message = this.arena!.buf.subarray(this.start, this.end);
    this.start = this.end;
    this.lastSentAt = this.io.now();
    if (this.stopped || !this.io.isOpen()) return;
    this.send(message, this.arena);
  }

  /** The source is gone: no more timers, sends or resumes, and no buffers. */
  stop(): void {
    this.closeWindow();
    this.stopped = true;
    this.drop();
  }

  /** What the gathered bytes call for: send them, keep gathering, open a window. `quiet` when known. */
  private gathered(quiet?: boolean): boolean {
    if (this.end - this.start >= MAX_MESSAGE) {
      this.fast = true;
      this.flush();
    } else if (this.window) {
      if (this.windowStopsReading) return false; // resumed mid-window: the timer takes it from here
    } else if (this.catchingUp) {
      // the soon() after the window sends it
    } else if (quiet ?? this.quiet()) {
      this.flush();
    } else {
      this.openWindow();
      if (this.windowStopsReading) return false;
    }
    return !this.blocked;
  }

  /** No message lately and none queued: a read now is not part of a burst. */
  private quiet(): boolean {
    return this.io.now() - this.lastSentAt > BURST_GAP_MS && this.io.buffered() === 0;
  }

  /** A full probe was held for the read after it, which found nothing: decide on it alone. */
  private settle(): void {
    if (!this.held) return;
    this.held = false;
    if (this.stopped || this.end === this.start) return;
    if (!this.gathered()) this.io.pauseReading();
  }

  private send(message: Buffer, arena: Arena | undefined): void {
    // The browser is reading slower than the target writes: stop reading until this message is out.
    const block = this.io.buffered() + message.length > HIGH_WATER;
    if (block) {
      this.blocked = true;
      this.io.pauseReading();
    }
    if (arena) arena.inFlight++;
    this.io.send(message, () => {
      if (arena) arena.inFlight--;
      if (!block) return;
      this.blocked = false;
      if (!this.stopped && !(this.window && this.windowStopsReading)) this.io.resumeReading();
    });
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
      if (!more) return this.release(); // the burst is over: an idle session holds no arena
      if (this.stopped || !this.io.isOpen()) return;
      this.openWindow();
      if (this.windowStopsReading) this.io.pauseReading();
    });
    if (!this.blocked) this.io.resumeReading();
  }

  /** Copies a read from the probe to the end of the gathered bytes, with room behind it for the rest
   *  of a message (a new arena, or the spare, when this one lacks it). */
  private land(n: number): void {
    if (!this.arena) {
      this.arena = { buf: Buffer.allocUnsafeSlow(ARENA), inFlight: 0 };
      this.armRelease();
    } else if (this.arena.buf.length - this.end < MAX_MESSAGE - (this.end - this.start)) {
      this.nextArena();
    }
    probe.copy(this.arena.buf, this.end, 0, n);
    this.end += n;
  }

  /** Swaps in the spare arena (or a new one while the spare's messages are in flight), carrying the
   *  gathered bytes, if any, to its start. */
  private nextArena(): void {
    const arena = this.arena!;
    const next = this.spare?.inFlight === 0 ? this.spare : { buf: Buffer.allocUnsafeSlow(ARENA), inFlight: 0 };
    arena.buf.copy(next.buf, 0, this.start, this.end);
    this.end -= this.start;
    this.start = 0;
    this.spare = arena;
    this.arena = next;
  }

  /** Lets the arenas go, unless bytes are gathered or the socket's next read lands in the arena (then
   *  only the spare goes). Messages in flight keep their arena alive until written. */
  private release(): void {
    this.spare = undefined;
    if (!this.arena || this.end !== this.start || this.readsIntoArena || this.held) return;
    this.arena = undefined;
    this.start = this.end = 0;
    this.releaseTimer?.();
    this.releaseTimer = undefined;
  }

  /** While an arena is held, checks every RELEASE_MS whether any read came; if none did, lets it go. */
  private armRelease(): void {
    if (this.releaseTimer || this.stopped) return;
    const before = this.bytes;
    this.releaseTimer = this.io.after(RELEASE_MS, () => {
      this.releaseTimer = undefined;
      if (this.bytes === before && !this.window && !this.catchingUp) this.release();
      if (this.arena) this.armRelease();
    });
  }

  /** Forgets everything gathered and every buffer (the WebSocket is gone, or the source is). */
  private drop(): void {
    this.arena = this.spare = undefined;
    this.start = this.end = 0;
    this.readsIntoArena = this.held = false;
    this.releaseTimer?.();
    this.releaseTimer = undefined;
  }
}
