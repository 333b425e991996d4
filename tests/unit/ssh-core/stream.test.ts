// webSocketStream over a real `ws` server on loopback: bytes and the end that arrive before anyone
// subscribes are kept for the first subscriber, as the server's version line does when the caller is
// still busy (looking up known hosts) after the WebSocket opened.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { afterEach, expect, test } from 'vitest';
import { webSocketStream, type WebSocketLike } from '../../../src/ssh/core/stream';
import type { SshError } from '../../../src/ssh/core/wire/errors';

let server: WebSocketServer | undefined;
afterEach(() => server?.close());

/** A server that sends `messages` to each client as soon as it connects, then optionally closes. */
async function serve(messages: string[], closeCode?: number): Promise<string> {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (ws) => {
    for (const m of messages) ws.send(Buffer.from(m), { binary: true });
    if (closeCode) ws.close(closeCode, 'bye');
  });
  await once(server, 'listening');
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Resolves once the client has received `count` messages (listening beside the stream, not through it). */
function received(ws: WebSocket, count: number): Promise<void> {
  return new Promise((resolve) => {
    let n = 0;
    ws.addEventListener('message', () => ++n === count && resolve());
  });
}

test('bytes that arrive before the first data subscriber are handed to it, in order', async () => {
  const ws = new WebSocket(await serve(['SSH-2.0-', 'Test\r\n']));
  const arrived = received(ws, 2);
  const stream = await webSocketStream(ws as unknown as WebSocketLike);
  await arrived;
  const seen: string[] = [];
  stream.onData((b) => seen.push(Buffer.from(b).toString()));
  expect(seen).toEqual(['SSH-2.0-', 'Test\r\n']);
  stream.close();
});

test('an end before anyone listens is reported to the first close subscriber, after the data', async () => {
  const ws = new WebSocket(await serve(['last words'], 4001));
  const stream = await webSocketStream(ws as unknown as WebSocketLike);
  await once(ws, 'close');
  const events: string[] = [];
  stream.onData((b) => events.push(Buffer.from(b).toString()));
  const error = await new Promise<SshError | undefined>((resolve) => stream.onClose(resolve));
  expect(events).toEqual(['last words']);
  expect(error?.kind).toBe('stream-error');
  expect(error?.message).toMatch(/bye/);
});

test("a relay's close code and reason reach the client as its words (websockify's 1011 when it cannot dial)", async () => {
  const ws = new WebSocket(await serve([], 1011));
  const stream = await webSocketStream(ws as unknown as WebSocketLike);
  const error = await new Promise<SshError | undefined>((resolve) => stream.onClose(resolve));
  expect(error).toMatchObject({ kind: 'stream-error', reasonCode: 1011, serverMessage: 'bye', message: 'The relay closed the connection: bye' });
});
