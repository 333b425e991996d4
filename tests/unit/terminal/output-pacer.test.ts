// The adaptive frame rate on an injected clock: light output passes at once, a flood goes in as one write
// per frame, and every `done` runs once the bytes it belongs to are parsed.
import { describe, expect, it } from 'vitest';
import { FLOOD_BYTES, FLOOD_FRAME_MS, OutputPacer } from '../../../src/terminal/output-pacer';

function stage() {
  let now = 0;
  const timers: Array<{ at: number; fn: () => void; cancelled: boolean }> = [];
  const writes: Array<{ at: number; data: Uint8Array; parsed: () => void }> = [];
  const pacer = new OutputPacer({
    write: (data, parsed) => writes.push({ at: now, data, parsed }),
    now: () => now,
    after: (ms, fn) => {
      const t = { at: now + ms, fn, cancelled: false };
      timers.push(t);
      return () => (t.cancelled = true);
    },
  });
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = timers.filter((t) => !t.cancelled && t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      now = due.at;
      due.cancelled = true;
      due.fn();
    }
    now = until;
  };
  const pending = () => timers.filter((t) => !t.cancelled).length;
  return { pacer, writes, advance, pending };
}

const bytes = (n: number, fill = 0x61) => new Uint8Array(n).fill(fill);

describe('OutputPacer', () => {
  it('passes light output at once, each write as it came', () => {
    const { pacer, writes, advance, pending } = stage();
    for (let i = 0; i < 20; i++) {
      pacer.write(bytes(100));
      advance(5);
    }
    expect(writes.map((w) => w.at)).toEqual(Array.from({ length: 20 }, (_, i) => i * 5));
    expect(pending()).toBe(0);
  });

  it('holds a flood to one write per frame, in order, and runs each done once its bytes are parsed', () => {
    const { pacer, writes, advance } = stage();
    const chunk = 32 * 1024;
    const done: number[] = [];
    // 200 chunks of 32 KB, one per ms (about 32 MB/s).
    for (let i = 0; i < 200; i++) {
      pacer.write(bytes(chunk, i % 256), () => done.push(i));
      advance(1);
    }
    advance(FLOOD_FRAME_MS);
    // The first frame passes up to FLOOD_BYTES as it comes; everything after goes in one write per frame.
    const atOnce = FLOOD_BYTES / chunk;
    expect(writes.slice(0, atOnce).map((w) => w.at)).toEqual(Array.from({ length: atOnce }, (_, i) => i));
    const paced = writes.slice(atOnce);
    for (let i = 1; i < paced.length; i++) expect(paced[i].at - paced[i - 1].at).toBeGreaterThanOrEqual(FLOOD_FRAME_MS);
    expect(writes.length).toBeLessThanOrEqual(atOnce + Math.ceil(200 / FLOOD_FRAME_MS) + 1);
    // Every byte, in order.
    const all = writes.flatMap((w) => [...w.data.filter((_, j) => j % chunk === 0)]);
    expect(all).toEqual(Array.from({ length: 200 }, (_, i) => i % 256));
    // done runs only as the terminal reports each write parsed.
    expect(done).toEqual([]);
    writes.forEach((w) => w.parsed());
    expect(done).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('passes output at once again when the flood is over', () => {
    const { pacer, writes, advance } = stage();
    pacer.write(bytes(FLOOD_BYTES));
    pacer.write(bytes(10)); // the same frame, past the limit: waits
    expect(writes).toHaveLength(1);
    advance(FLOOD_FRAME_MS);
    expect(writes).toHaveLength(2);
    advance(FLOOD_FRAME_MS * 3);
    pacer.write(bytes(10));
    expect(writes).toHaveLength(3);
  });

  it('flush hands over what waits at once (a line of its own must follow it); dispose drops it', () => {
    const { pacer, writes, advance, pending } = stage();
    pacer.write(bytes(FLOOD_BYTES));
    pacer.write(bytes(7));
    pacer.write(bytes(8));
    pacer.flush();
    expect(writes.map((w) => w.data.length)).toEqual([FLOOD_BYTES, 15]);
    expect(pending()).toBe(0);
    pacer.write(bytes(FLOOD_BYTES)); // a light frame so far: passes, and makes the next one wait
    pacer.write(bytes(9));
    expect(writes).toHaveLength(3);
    pacer.dispose();
    advance(FLOOD_FRAME_MS * 2);
    expect(writes).toHaveLength(3);
  });

  it('joins a batch in a buffer given back only once xterm.js has parsed the batch before', () => {
    const { pacer, writes, advance } = stage();
    const frame = () => {
      for (let i = 0; i < 4; i++) pacer.write(bytes(FLOOD_BYTES, i));
      advance(FLOOD_FRAME_MS);
    };
    frame(); // the first write passes; the other three go in as one batch
    frame();
    const [first, second] = writes.slice(-2);
    expect(second.data.buffer).not.toBe(first.data.buffer); // the first batch is not parsed yet
    first.parsed();
    frame();
    const third = writes[writes.length - 1];
    expect(third.data.buffer).toBe(first.data.buffer);
    expect([...third.data.subarray(0, 1), ...third.data.subarray(third.data.length - 1)]).toEqual([0, 3]);
  });
});
