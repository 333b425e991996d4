// The relay's target → browser gathering (proxy/relay/gather.ts), driven by hand: a manual clock, timers
// that fire when the test says, and a socket that reads what the test writes. No wall-clock time.
import { describe, expect, it } from 'vitest';
import { GATHER_MS, Gatherer, HIGH_WATER, MAX_MESSAGE } from '../../../proxy/relay/gather.ts';

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
