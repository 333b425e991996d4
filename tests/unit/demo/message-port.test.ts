// The MessagePort adapter: a whole SSH session through real MessagePorts (Node's implementation
// of the same HTML API the demo worker uses), and the end-of-stream signalling.

import { describe, expect, test } from 'vitest';
import { messagePortStream } from '../../../src/ssh/core/message-port-stream';
import { pair, shell } from './support';

describe('messagePortStream', () => {
  test('the client signs in and runs a command through a MessageChannel; closing reaches the server', async () => {
    const { port1, port2 } = new MessageChannel();
    const p = pair({ stream: [messagePortStream(port1), messagePortStream(port2)] });
    await p.client.ready;
    await p.client.signInWithPassword('demo');
    const term = await shell(p);
    expect(await term.run('echo through a port')).toBe('through a port\r\n');
    p.client.close();
    const end = await p.session.ended;
    expect(end.kind).toBe('peer');
    expect(end.message).toMatch(/the client disconnected \(reason 11/);
  });

  test('bytes arrive in order and whole; the end marker closes the other side without an error', async () => {
    const { port1, port2 } = new MessageChannel();
    const a = messagePortStream(port1);
    const b = messagePortStream(port2);
    const got: number[] = [];
    b.onData((bytes) => got.push(...bytes));
    const closed = new Promise<unknown>((r) => b.onClose(r));
    const big = new Uint8Array(64).map((_, i) => i);
    a.write(big.subarray(10, 20)); // a view into a larger buffer: only these bytes travel
    a.write(Uint8Array.of(1, 2, 3));
    a.close();
    expect(await closed).toBeUndefined();
    expect(got).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 1, 2, 3]);
  });

  test('a non-binary message is a stream error with a sentence, on both sides', async () => {
    const { port1, port2 } = new MessageChannel();
    const b = messagePortStream(port2);
    const closed = new Promise<unknown>((r) => b.onClose(r));
    const other = new Promise<unknown>((r) => port1.addEventListener('message', (e) => r(e.data)));
    port1.postMessage('hello');
    expect(await closed).toMatchObject({ kind: 'stream-error', message: 'The demo connection sent something other than binary data.' });
    expect(await other).toEqual({ end: true, error: 'The demo connection sent something other than binary data.' });
    port1.close();
  });
});
