// The relay's target → browser gathering (proxy/relay/gather.ts), driven by hand: a manual clock, timers
// that fire when the test says, and a socket that reads what the test writes. No wall-clock time.
import { describe, expect, it } from 'vitest';
import { ARENA, GATHER_MS, Gatherer, HIGH_WATER, MAX_MESSAGE, PROBE, RELEASE_MS } from '../../../proxy/relay/gather.ts';

/** A source socket and a WebSocket around a Gatherer, as Node would drive it. */
function harness() {
  const h = {
    now: 100,
    open: true,
    buffered: 0,
    reading: true,
    sent: [] as Buffer[],
    /** Written callbacks of sent messages, in order; run them to say a message has left. */
    unwritten: [] as (() => void)[],
    timers: [] as { at: number; fn: () => void; cancelled: boolean }[],
    soons: [] as (() => void)[],
    /** Bytes the source has written that the relay has not read yet (the kernel's receive buffer). */
    kernel: [] as Buffer[],
  };
  const views: Buffer[] = [];
  const g = new Gatherer({
    now: () => h.now,
    isOpen: () => h.open,
    buffered: () => h.buffered,
    send: (message, written) => {
      h.sent.push(Buffer.from(message)); // a snapshot, to compare with the view later
      views.push(message);
      h.unwritten.push(written);
    },
    pauseReading: () => void (h.reading = false),
    resumeReading: () => void (h.reading = true),
    after: (ms, fn) => {
      const t = { at: h.now + ms, fn, cancelled: false };
      h.timers.push(t);
      return () => void (t.cancelled = true);
    },
    soon: (fn) => void h.soons.push(fn),
  });
  /** Like libuv: while reading is on, read whatever the kernel holds, one read per buffer offered. */
  const pump = () => {
    while (h.reading && h.kernel.length) {
      const into = g.readBuffer();
      const chunk = h.kernel[0];
      const n = Math.min(into.length, chunk.length);
      chunk.copy(into, 0, 0, n);
      if (n === chunk.length) h.kernel.shift();
      else h.kernel[0] = chunk.subarray(n);
      if (!g.onRead(n)) h.reading = false;
    }
  };
  return {
    g,
    h,
    views,
    /** The target writes `data`; the relay reads it if reading is on. */
    write(data: Buffer) {
      h.kernel.push(data);
      pump();
    },
    /** Time passes: due timers fire, then reads happen, then soon() callbacks run. */
    advance(ms: number) {
      h.now += ms;
      for (const t of h.timers.filter((t) => !t.cancelled && t.at <= h.now)) {
        t.cancelled = true;
        t.fn();
      }
      h.timers = h.timers.filter((t) => !t.cancelled);
      pump();
      const soons = h.soons.splice(0);
      for (const fn of soons) fn();
      pump();
    },
    liveTimers: () => h.timers.filter((t) => !t.cancelled).length,
    /** Quiet time, in steps, so that timers set by timers get their turn. */
    idle(ms: number) {
      for (let left = ms; left > 0; left -= 50) this.advance(Math.min(50, left));
    },
  };
}

function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed) & 0xff;
  return b;
}

describe('Gatherer', () => {
  it('sends the first read after a quiet spell at once, on its own', () => {
    const t = harness();
    t.write(Buffer.from('echo'));
    expect(t.h.sent.map(String)).toEqual(['echo']);
    expect(t.h.reading).toBe(true);
    expect(t.liveTimers()).toBe(0);
    // Quiet again (longer than the burst gap): the next keystroke's echo also goes out at once.
    t.advance(10);
    t.write(Buffer.from('x'));
    expect(t.h.sent.map(String)).toEqual(['echo', 'x']);
  });

  it('gathers reads that closely follow a message, with reading off until the window ends', () => {
    const t = harness();
    t.write(Buffer.from('a'));
    t.write(Buffer.from('b'));
    expect(t.h.sent.map(String)).toEqual(['a']);
    expect(t.h.reading).toBe(false); // the kernel gathers the rest of the burst
    t.write(Buffer.from('c'));
    t.write(Buffer.from('d'));
    expect(t.h.sent).toHaveLength(1);
    t.advance(GATHER_MS);
    expect(t.h.sent.map(String)).toEqual(['a', 'bcd']);
    // The window's read found more, so the burst goes on: reading is off for another window.
    expect(t.h.reading).toBe(false);
    t.write(Buffer.from('e'));
    t.advance(GATHER_MS);
    expect(t.h.sent.map(String)).toEqual(['a', 'bcd', 'e']);
    // A window that finds nothing ends the burst: reading stays on, nothing is waiting.
    t.advance(GATHER_MS);
    expect(t.h.sent).toHaveLength(3);
    expect(t.h.reading).toBe(true);
    expect(t.liveTimers()).toBe(0);
  });

  it('sends a full message without waiting for the window, and keeps reading while the source is fast', () => {
    const t = harness();
    t.write(Buffer.from('start'));
    t.write(bytes(100));
    expect(t.h.reading).toBe(false);
    // A fast source fills the kernel's buffer during the window.
    t.write(bytes(3 * MAX_MESSAGE, 3));
    t.advance(GATHER_MS);
    expect(t.h.sent.slice(1).map((m) => m.length)).toEqual([MAX_MESSAGE, MAX_MESSAGE, MAX_MESSAGE, 100]);
    expect(Buffer.concat(t.h.sent.slice(1)).equals(Buffer.concat([bytes(100), bytes(3 * MAX_MESSAGE, 3)]))).toBe(true);
    // Fast now: a read mid-burst opens a window that keeps reading, so the source never waits on us.
    t.write(bytes(1000));
    expect(t.h.reading).toBe(true);
    t.write(bytes(MAX_MESSAGE - 1000, 9));
    expect(t.h.sent.at(-1)!.length).toBe(MAX_MESSAGE);
    // A window that ends before a message fills marks the source slow again.
    t.write(bytes(10));
    t.advance(GATHER_MS);
    expect(t.h.sent.at(-1)!.length).toBe(10);
    t.write(bytes(10));
    expect(t.h.reading).toBe(false);
  });

  it('stops reading while the WebSocket is over its high-water mark, until that message is written', () => {
    const t = harness();
    t.h.buffered = HIGH_WATER - 10;
    t.h.now += 10; // a quiet spell, but the browser is behind
    t.write(bytes(100));
    expect(t.h.sent).toHaveLength(0); // a queue ahead: gathered, not sent at once
    t.advance(GATHER_MS);
    expect(t.h.sent).toHaveLength(1);
    expect(t.h.reading).toBe(false);
    // Windows that end meanwhile do not turn reading back on.
    t.write(bytes(50));
    t.advance(GATHER_MS);
    t.advance(GATHER_MS);
    expect(t.h.reading).toBe(false);
    expect(t.g.bytes).toBe(100);
    t.h.buffered = 0;
    t.h.unwritten.shift()!();
    expect(t.h.reading).toBe(true);
    t.advance(0);
    expect(t.g.bytes).toBe(150);
  });

  it('never reads into a message the WebSocket has not yet written, and reuses arenas that are written', () => {
    const t = harness();
    let seed = 0;
    const expected: Buffer[] = [];
    let released = 5;
    const writeSome = (round: number) => {
      for (let i = 0; i < 3; i++) {
        const chunk = bytes(1000 + ((round * 13 + i * 101) % 9000), ++seed);
        expected.push(chunk);
        t.write(chunk);
      }
    };
    // The WebSocket writes every message except the first five; each still holds what it held when
    // it was handed over.
    const writeMessages = () => {
      for (; released < t.h.unwritten.length; released++) {
        expect(t.views[released].equals(t.h.sent[released]), `message ${released}`).toBe(true);
        t.h.unwritten[released]();
      }
    };
    // Bursts with quiet spells between them…
    for (let round = 0; round < 100; round++) {
      writeSome(round);
      t.advance(GATHER_MS);
      t.advance(GATHER_MS);
      t.advance(10);
      writeMessages();
    }
    // …then one long burst: every window finds more.
    const longBurstFrom = t.views.length;
    for (let round = 0; round < 200; round++) {
      writeSome(round);
      t.advance(GATHER_MS);
      writeMessages();
    }
    for (let i = 0; i < 5; i++) expect(t.views[i].equals(t.h.sent[i]), `held message ${i}`).toBe(true);
    const all = Buffer.concat(expected);
    expect(Buffer.concat(t.h.sent).equals(all)).toBe(true);
    expect(t.g.bytes).toBe(all.length);
    // In the long burst, arenas take turns instead of being made per message.
    const longBurst = t.views.slice(longBurstFrom);
    expect(longBurst.length).toBeGreaterThan(150);
    expect(new Set(longBurst.map((v) => v.buffer)).size).toBeLessThanOrEqual(3);
  });

  it('counts bytes it cannot send, and after stop() schedules nothing', () => {
    const t = harness();
    t.write(bytes(10));
    t.write(bytes(20));
    t.h.open = false;
    t.advance(GATHER_MS);
    t.write(bytes(30));
    expect(t.g.bytes).toBe(60);
    expect(t.h.sent).toHaveLength(1);

    const u = harness();
    u.write(bytes(10));
    u.write(bytes(20));
    u.g.flush();
    u.g.stop();
    expect(u.h.sent.map((m) => m.length)).toEqual([10, 20]);
    u.write(bytes(5));
    u.advance(GATHER_MS);
    expect(u.liveTimers()).toBe(0);
    expect(u.h.sent).toHaveLength(2);
  });
});

describe('Gatherer buffers', () => {
  /** What Node would keep for the socket's next read, however long that takes. */
  const heldBySocket = (t: ReturnType<typeof harness>) => t.g.readBuffer().length;

  it('holds no arena while idle: fresh, after a lone read, and once a burst ends', () => {
    const t = harness();
    expect(t.g.heldBytes()).toBe(0);
    expect(heldBySocket(t)).toBeLessThanOrEqual(PROBE);
    // A keystroke's echo goes out in a buffer of its own.
    t.write(Buffer.from('echo'));
    expect(t.h.sent.map(String)).toEqual(['echo']);
    expect(t.g.heldBytes()).toBe(0);
    // A burst gathers in an arena…
    t.advance(10);
    t.write(bytes(5000, 1));
    t.write(bytes(3000, 2));
    expect(t.g.heldBytes()).toBeGreaterThanOrEqual(ARENA);
    t.advance(GATHER_MS);
    expect(t.h.sent.slice(1).map((m) => m.length)).toEqual([5000, 3000]);
    expect(Buffer.concat(t.h.sent.slice(1)).equals(Buffer.concat([bytes(5000, 1), bytes(3000, 2)]))).toBe(true);
    // …and the window that finds nothing ends it: the arenas go, the socket holds the probe.
    t.advance(GATHER_MS);
    expect(t.g.heldBytes()).toBe(0);
    expect(heldBySocket(t)).toBeLessThanOrEqual(PROBE);
    expect(t.liveTimers()).toBe(0);
    // The unwritten messages still hold their bytes.
    for (let i = 0; i < t.views.length; i++) expect(t.views[i].equals(t.h.sent[i])).toBe(true);
  });

  it('lands a read larger than the probe in the arena, behind the probe\'s bytes: one message, no copy of the rest', () => {
    const t = harness();
    t.h.now += 10;
    const big = bytes(40_000, 3);
    t.write(big);
    expect(t.h.sent).toHaveLength(1);
    expect(t.h.sent[0].equals(big)).toBe(true);
    expect(t.views[0].buffer.byteLength).toBe(ARENA); // a view of the arena
    expect(heldBySocket(t)).toBeLessThanOrEqual(PROBE);
  });

  it('sends a read that exactly fills the probe once the reads are done, then lets the arena go', () => {
    const t = harness();
    t.h.now += 10;
    t.write(bytes(PROBE, 4));
    expect(t.h.sent).toHaveLength(0); // more may follow at once: it would join this message
    t.advance(0);
    expect(t.h.sent.map((m) => m.length)).toEqual([PROBE]);
    // The socket was handed the arena for that read and keeps it until it reads again.
    expect(heldBySocket(t)).toBeGreaterThan(PROBE);
    t.idle(3 * RELEASE_MS);
    t.write(bytes(10, 5));
    expect(t.h.sent[1].equals(bytes(10, 5))).toBe(true);
    expect(heldBySocket(t)).toBeLessThanOrEqual(PROBE);
    t.idle(2 * RELEASE_MS + 100);
    expect(t.g.heldBytes()).toBe(0);
    expect(t.liveTimers()).toBe(0);
  });

  it('lets an arena go after RELEASE_MS without a read, and not while reads come', () => {
    const t = harness();
    t.write(Buffer.from('start'));
    t.write(bytes(100));
    t.write(bytes(3 * MAX_MESSAGE, 6));
    t.advance(GATHER_MS); // a fast source: three full messages
    t.advance(GATHER_MS); // its reading window ends with nothing: no burst end, the arena stays
    expect(t.h.sent.slice(1).map((m) => m.length)).toEqual([MAX_MESSAGE, MAX_MESSAGE, MAX_MESSAGE, 100]);
    expect(t.g.heldBytes()).toBeGreaterThan(0);
    for (let i = 0; i < 6; i++) {
      t.idle(RELEASE_MS / 2);
      t.write(Buffer.from('k')); // a keystroke's echo every half second
    }
    expect(t.g.heldBytes()).toBeGreaterThan(0);
    // Let go between RELEASE_MS and twice that after the last read.
    t.idle(RELEASE_MS - 50);
    expect(t.g.heldBytes()).toBeGreaterThan(0);
    t.idle(RELEASE_MS + 100);
    expect(t.g.heldBytes()).toBe(0);
    expect(t.liveTimers()).toBe(0);
    // The next burst makes a new arena, and everything arrives in order.
    t.write(bytes(20_000, 7));
    t.write(bytes(20_000, 8));
    t.advance(GATHER_MS);
    t.advance(GATHER_MS);
    expect(t.g.heldBytes()).toBe(0);
    expect(Buffer.concat(t.h.sent.slice(-2)).equals(Buffer.concat([bytes(20_000, 7), bytes(20_000, 8)]))).toBe(true);
  });

  it('keeps every message in flight intact across releases and new arenas', () => {
    const t = harness();
    const expected: Buffer[] = [];
    for (let round = 0; round < 20; round++) {
      t.advance(10);
      for (let i = 0; i < 4; i++) {
        const chunk = bytes(500 + ((round * 7919 + i * 104729) % 30_000), round * 4 + i);
        expected.push(chunk);
        t.write(chunk);
      }
      t.advance(GATHER_MS);
      t.advance(GATHER_MS);
      if (round % 5 === 4) {
        t.idle(2 * RELEASE_MS);
        expect(t.g.heldBytes()).toBe(0);
      }
    }
    // Nothing was ever reported written, yet no message changed.
    for (let i = 0; i < t.views.length; i++) expect(t.views[i].equals(t.h.sent[i]), `message ${i}`).toBe(true);
    expect(Buffer.concat(t.h.sent).equals(Buffer.concat(expected))).toBe(true);
  });

  it('holds nothing after stop(), even mid-burst', () => {
    const t = harness();
    t.write(bytes(10));
    t.write(bytes(5000));
    expect(t.g.heldBytes()).toBeGreaterThan(0);
    t.g.flush();
    t.g.stop();
    expect(t.g.heldBytes()).toBe(0);
    t.h.reading = true; // the socket reads on until it closes
    t.write(bytes(70_000));
    expect(t.g.heldBytes()).toBe(0);
    expect(heldBySocket(t)).toBeLessThanOrEqual(PROBE);
    expect(t.g.bytes).toBe(75_010);
    expect(t.liveTimers()).toBe(0);
  });
});
