// messagePortStream over Node's MessageChannel (the same HTML API a browser's worker uses): like the
// WebSocket stream, bytes and the end that arrive before anyone subscribes are kept for the first
// subscriber, so a caller may wrap the port at once and connect later (after reading known hosts).
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from 'vitest';
import type { SshError } from '../../../src/ssh/core/wire/errors';
import { messagePortStream } from '../../../src/ssh/core/message-port-stream';

test('bytes that arrive before the first data subscriber are handed to it, in order', async () => {
  const { port1, port2 } = new MessageChannel();
  const sender = messagePortStream(port1);
  const late = messagePortStream(port2);
  sender.write(Uint8Array.of(1, 2));
  sender.write(Uint8Array.of(3));
  await sleep(20); // delivered, with nobody listening yet
  const got: number[] = [];
  late.onData((bytes) => got.push(...bytes));
  expect(got).toEqual([1, 2, 3]);
  sender.write(Uint8Array.of(4));
  await sleep(20);
  expect(got).toEqual([1, 2, 3, 4]);
  sender.close();
});

test('an end that came before anyone listened is reported to the first who does, with its error', async () => {
  const { port1, port2 } = new MessageChannel();
  const late = messagePortStream(port2);
  port1.postMessage({ end: true, error: 'The machine stopped.' });
  await sleep(20);
  const error = await new Promise<SshError | undefined>((resolve) => late.onClose(resolve));
  expect(error).toMatchObject({ kind: 'stream-error', message: 'The machine stopped.' });
  port1.close();
});
