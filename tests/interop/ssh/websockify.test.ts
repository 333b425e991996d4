// The client over a WebSocket through a stock websockify to a real sshd: proves the relay
// convention (binary WebSocket messages carrying raw TCP bytes) with the same adapter a browser uses.

import WebSocket from 'ws';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startSshd, type Sshd } from '../../support/sshd';
import { startWebsockify, type Websockify } from '../../support/ssh-websockify';
import { collectUntilClose, waitForOutput } from '../../support/ssh-node';
import { connectSsh, webSocketStream, type WebSocketLike } from '../../../src/ssh/core/stream';

let sshd: Sshd;
let relay: Websockify;
beforeAll(async () => {
  sshd = await startSshd();
  relay = await startWebsockify(sshd.host, sshd.port);
});
afterAll(async () => {
  await relay?.stop();
  await sshd?.stop();
});

test('sign in, run a pty shell and a command through websockify', async () => {
  const ws = new WebSocket(relay.url);
  const received: boolean[] = [];
  ws.on('message', (_data, isBinary) => received.push(isBinary));
  const stream = await webSocketStream(ws as unknown as WebSocketLike);
  const client = connectSsh(stream, { username: sshd.fixture.user });
  client.on('hostKey', () => client.acceptHostKey());
  await client.ready;
  expect(await client.signInWithPassword(sshd.fixture.password)).toEqual({ status: 'success' });

  const shell = await client.openShell({ cols: 100, rows: 30 });
  shell.write('stty size; echo "via-ws-$((3 * 3))"\n');
  const text = await waitForOutput(shell, (t) => t.includes('via-ws-9'));
  expect(text).toContain('30 100');
  const end = collectUntilClose(shell);
  shell.write('exit 0\n');
  expect((await end).exit).toEqual({ code: 0 });

  client.close();
  expect((await client.closed).kind).toBe('closed');
  // Every message websockify sent was binary.
  expect(received.length).toBeGreaterThan(3);
  expect(received.every(Boolean)).toBe(true);
  await new Promise<void>((r) => (ws.readyState === WebSocket.CLOSED ? r() : ws.once('close', () => r())));
});

test('a relay that cannot reach its target ends the session with its reason', async () => {
  const dead = await startWebsockify('127.0.0.1', 1); // nothing listens on port 1
  try {
    // websockify accepts the WebSocket, then closes it (code 1011) when its TCP connect fails. It then
    // drops the socket at once: when the client's version line was still unread there, the reset
    // can reach the client before the close frame (1006), which it must then report as a lost relay.
    const stream = await webSocketStream(new WebSocket(dead.url) as unknown as WebSocketLike);
    const reason = await connectSsh(stream, { username: 'postern-test' }).closed;
    expect(reason.kind).toBe('stream-error');
    expect([1011, 1006]).toContain(reason.reasonCode);
    expect(reason.message).toBe(reason.reasonCode === 1011
      ? 'The relay closed the connection: Failed to connect to downstream server'
      : 'The relay connection was lost (WebSocket code 1006).');
  } finally {
    await dead.stop();
  }
});
