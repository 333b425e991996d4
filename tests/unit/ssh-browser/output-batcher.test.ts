// The worker's output batching with a real MessageChannel: one message per task, held while the page is
// behind, sent when it catches up, and never held past MAX_HELD or a flush().
import { describe, expect, it } from 'vitest';
import { OutputBatcher } from '../../../src/ssh/browser/output-batcher';

const nextTask = () => new Promise((r) => setTimeout(r, 5));
const bytes = (n: number) => new Uint8Array(n).fill(1);

function stage() {
  const sent: number[] = [];
  const batcher = new OutputBatcher((data) => sent.push(data.byteLength));
  return { batcher, sent };
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
    batcher.push(bytes(OutputBatcher.SIZE));
    batcher.push(bytes(OutputBatcher.SIZE)); // the page now has BEHIND bytes unparsed
    expect(sent).toHaveLength(2);
    batcher.push(bytes(1000));
    await nextTask();
    expect(sent).toHaveLength(2); // held
    batcher.acked(OutputBatcher.SIZE);
    await nextTask();
    expect(sent).toEqual([OutputBatcher.SIZE, OutputBatcher.SIZE, 1000]);
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
});
