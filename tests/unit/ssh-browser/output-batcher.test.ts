// The worker's output batching with a real MessageChannel: one message per task, held while the page is
// behind, sent when it catches up, and never held past MAX_HELD or a flush(); buffers the page gives back
// carry the next batches.
import { describe, expect, it } from 'vitest';
import { OutputBatcher } from '../../../src/ssh/browser/output-batcher';

const nextTask = () => new Promise((r) => setTimeout(r, 5));
const bytes = (n: number) => new Uint8Array(n).fill(1);

function stage() {
  const sent: number[] = [];
  const buffers: ArrayBuffer[] = [];
  const contents: number[][] = [];
  const batcher = new OutputBatcher((data, length) => {
    sent.push(length);
    buffers.push(data);
    contents.push([...new Uint8Array(data, 0, length)]);
  });
  return { batcher, sent, buffers, contents };
}

describe('OutputBatcher', () => {
  it('sends what one task decrypted as one message, after the task', async () => {
    const { batcher, sent } = stage();
    for (let i = 0; i < 10; i++) batcher.push(bytes(4096));
    expect(sent).toEqual([]);
    await nextTask();
    expect(sent).toEqual([40960]);
  });

  it('sends at once past SIZE', () => {
    const { batcher, sent } = stage();
    batcher.push(bytes(OutputBatcher.SIZE));
    expect(sent).toEqual([OutputBatcher.SIZE]);
  });

  it('holds output while the page is behind, and sends it when acknowledgements catch up', async () => {
    const { batcher, sent } = stage();
    const batches = OutputBatcher.BEHIND / OutputBatcher.SIZE;
    for (let i = 0; i < batches; i++) batcher.push(bytes(OutputBatcher.SIZE)); // the page now has BEHIND bytes unparsed
    expect(sent).toHaveLength(batches);
    batcher.push(bytes(1000));
    await nextTask();
    expect(sent).toHaveLength(batches); // held
    batcher.acked(OutputBatcher.SIZE);
    await nextTask();
    expect(sent).toEqual([...Array<number>(batches).fill(OutputBatcher.SIZE), 1000]);
  });

  it('never holds more than MAX_HELD, and flush() sends what is held at once', async () => {
    const { batcher, sent } = stage();
    batcher.push(bytes(OutputBatcher.BEHIND));
    for (let i = 0; i < OutputBatcher.MAX_HELD / OutputBatcher.SIZE; i++) batcher.push(bytes(OutputBatcher.SIZE - 1));
    expect(sent).toEqual([OutputBatcher.BEHIND]);
    batcher.push(bytes(OutputBatcher.SIZE));
    expect(sent).toHaveLength(2);
    expect(sent[1]).toBeGreaterThanOrEqual(OutputBatcher.MAX_HELD);
    batcher.push(bytes(10));
    batcher.flush();
    expect(sent).toHaveLength(3);
  });

  it('copies the next batch that fits into a buffer given back, in order, and the rest into new ones', () => {
    const { batcher, sent, buffers, contents } = stage();
    batcher.push(bytes(OutputBatcher.SIZE));
    const first = buffers[0];
    expect(first.byteLength).toBe(OutputBatcher.SIZE);
    batcher.acked(OutputBatcher.SIZE);
    batcher.recycle(first);
    batcher.push(new Uint8Array([7, 8]));
    batcher.push(new Uint8Array([9]));
    batcher.flush();
    expect(buffers[1]).toBe(first);
    expect(sent[1]).toBe(3);
    expect(contents[1]).toEqual([7, 8, 9]);
    batcher.push(new Uint8Array([5]));
    batcher.flush();
    expect(buffers[2]).not.toBe(first); // given out once
    expect(buffers[2].byteLength).toBe(1); // a small batch gets a buffer of its size
  });

  it('keeps at most SPARES buffers, none smaller than SIZE, and uses none too small for the batch', () => {
    const { batcher, buffers } = stage();
    const small = new ArrayBuffer(100);
    const given = Array.from({ length: OutputBatcher.SPARES + 2 }, () => new ArrayBuffer(OutputBatcher.SIZE));
    batcher.recycle(small);
    given.forEach((b) => batcher.recycle(b));
    batcher.push(bytes(OutputBatcher.SIZE + 1)); // too big for any spare
    expect(given).not.toContain(buffers[0]);
    batcher.acked(OutputBatcher.SIZE + 1);
    for (let i = 0; i < OutputBatcher.SPARES + 1; i++) {
      batcher.push(bytes(OutputBatcher.SIZE));
      batcher.acked(OutputBatcher.SIZE);
    }
    // The first SPARES given back carry the next batches; the ones past SPARES, and the small one, were not kept.
    for (let i = 0; i < OutputBatcher.SPARES; i++) expect(buffers[1 + i]).toBe(given[i]);
    expect([...given, small]).not.toContain(buffers[1 + OutputBatcher.SPARES]);
  });
});
