// The relay's two pipes (proxy/relay/pipe.ts) between a real TCP target and a real WebSocket, in one
// process so the test can look at both ends: bytes arrive whole and in order, every byte is counted,
// and backpressure holds both ways (a client that stops reading pauses the target, a target that stops
// reading pauses the WebSocket).
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { HIGH_WATER, MAX_MESSAGE, PROBE, RELEASE_MS } from '../../../proxy/relay/gather.ts';
import { socketToWebSocket, webSocketToSocket, type Downstream } from '../../../proxy/relay/pipe.ts';

/** Deterministic bytes: the byte at absolute offset i of a stream. */
const at = (i: number) => (i * 31 + (i >>> 11)) & 0xff;
function slice(from: number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = at(from + i);
  return b;
}
/** Checks a stream arriving in pieces against at(), without keeping it. */
function checker() {
  let offset = 0;
  let bad = -1;
  return {
    add(b: Buffer) {
      for (let i = 0; i < b.length && bad < 0; i++) if (b[i] !== at(offset + i)) bad = offset + i;
      offset += b.length;
    },
    get length() {
      return offset;
    },
    get firstBadByte() {
      return bad;
    },
  };
}

const waitFor = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
};
/** Waits until `value()` stops changing (the pipeline is stuck on backpressure), and returns it. */
async function settled(value: () => number): Promise<number> {
  let last = -1;
  for (let same = 0; same < 10; ) {
    await new Promise((r) => setTimeout(r, 20));
    const v = value();
    same = v === last ? same + 1 : 0;
    last = v;
  }
  return last;
}

interface Rig {
  client: WebSocket;
  serverWs: WebSocket;
  /** The relay's socket to the target. */
  relaySocket: net.Socket;
  /** The target's end of that connection. */
  target: net.Socket;
  down: Downstream;
}
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

/** A target, a WebSocket server that relays to it with the pipes, and a connected client. */
async function rig(): Promise<Rig> {
  const targetServer = net.createServer();
  const targetConn = new Promise<net.Socket>((ok) => targetServer.once('connection', ok));
  await new Promise<void>((ok) => targetServer.listen(0, '127.0.0.1', ok));
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((ok) => wss.once('listening', ok));
  const relayed = new Promise<Pick<Rig, 'serverWs' | 'relaySocket' | 'down'>>((ok) => {
    wss.once('connection', (serverWs) => {
      const down = socketToWebSocket(serverWs);
      const relaySocket = net.connect({ host: '127.0.0.1', port: (targetServer.address() as net.AddressInfo).port, onread: down.onread });
      down.attach(relaySocket);
      relaySocket.setNoDelay(true);
      relaySocket.once('connect', () => {
        serverWs.on('message', webSocketToSocket(serverWs, relaySocket));
        ok({ serverWs, relaySocket, down });
      });
      relaySocket.on('close', () => serverWs.close());
      serverWs.on('close', () => relaySocket.destroy());
    });
  });
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as net.AddressInfo).port}`);
  client.binaryType = 'nodebuffer';
  const [r, target] = await Promise.all([relayed, targetConn]);
  await waitFor(() => client.readyState === WebSocket.OPEN);
  cleanups.push(() => {
    client.terminate();
    target.destroy();
    wss.close();
    targetServer.close();
  });
  return { client, target, ...r };
}

describe('relay pipes', () => {
  it('relays small and large writes, quiet spells and bursts, in order and whole, and counts every byte', async () => {
    const r = await rig();
    const got = checker();
    const sizes: number[] = [];
    r.client.on('message', (m: Buffer) => {
      sizes.push(m.length);
      got.add(m);
    });
    const closed = new Promise((ok) => r.client.once('close', ok));
    let sent = 0;
    const write = (n: number) => {
      r.target.write(slice(sent, n));
      sent += n;
    };
    for (let round = 0; round < 40; round++) {
      write(1 + ((round * 37) % 50)); // a keystroke's echo after a quiet spell
      await new Promise((ok) => setTimeout(ok, 4));
      for (let i = 0; i < 20; i++) write(4096); // a pty's burst
      await new Promise((ok) => setImmediate(ok));
      if (round % 10 === 0) write(300_000); // bulk output
    }
    write(10);
    r.target.end(); // what is still being gathered goes out before the WebSocket closes
    await closed;
    expect(got.firstBadByte).toBe(-1);
    expect(got.length).toBe(sent);
    expect(r.down.bytes()).toBe(sent);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_MESSAGE);
    // Bursts were gathered: far fewer messages than the 1,600+ writes.
    expect(sizes.length).toBeLessThan(800);
  });

  it('pauses the target while the client does not read, then delivers everything', async () => {
    const r = await rig();
    const total = 48 * 1024 * 1024;
    let written = 0;
    let targetBlocked = false;
    const pump = () => {
      while (written < total) {
        const n = Math.min(64 * 1024, total - written);
        const ok = r.target.write(slice(written, n));
        written += n;
        if (!ok) {
          targetBlocked = true;
          return void r.target.once('drain', () => {
            targetBlocked = false;
            pump();
          });
        }
      }
    };
    r.client.pause(); // the browser stops reading
    pump();
    const readWhileStuck = await settled(() => r.down.bytes());
    expect(targetBlocked).toBe(true);
    expect(readWhileStuck).toBeLessThan(total / 2);
    expect(r.serverWs.bufferedAmount).toBeLessThanOrEqual(HIGH_WATER + MAX_MESSAGE);

    const got = checker();
    r.client.on('message', (m: Buffer) => got.add(m));
    r.client.resume();
    await waitFor(() => got.length === total);
    expect(got.firstBadByte).toBe(-1);
    expect(r.down.bytes()).toBe(total);
  });

  it('pauses the WebSocket while the target does not read, then delivers everything', async () => {
    const r = await rig();
    const total = 32 * 1024 * 1024;
    r.target.pause(); // the target stops reading
    for (let sent = 0; sent < total; sent += 64 * 1024) r.client.send(slice(sent, 64 * 1024));
    await settled(() => r.relaySocket.writableLength + r.client.bufferedAmount);
    expect(r.serverWs.isPaused).toBe(true);
    // The relay holds at most a little more than one socket read of messages, not the whole upload.
    expect(r.relaySocket.writableLength).toBeLessThan(1024 * 1024);
    expect(r.client.bufferedAmount).toBeGreaterThan(total / 2);

    const got = checker();
    r.target.on('data', (d: Buffer) => got.add(d));
    r.target.resume();
    await waitFor(() => got.length === total);
    expect(got.firstBadByte).toBe(-1);
    expect(r.serverWs.isPaused).toBe(false);
  });

  it('holds no read buffer once the session is idle: Node keeps only the shared probe', async () => {
    const r = await rig();
    const got = checker();
    r.client.on('message', (m: Buffer) => got.add(m));
    let sent = 0;
    const write = (n: number) => {
      r.target.write(slice(sent, n));
      sent += n;
    };
    write(300_000); // bulk: full messages
    for (let i = 0; i < 20; i++) write(4096); // a pty's burst
    await waitFor(() => got.length === sent);
    write(3); // a keystroke's echo after the burst
    await waitFor(() => got.length === sent);
    const started = Date.now();
    await waitFor(() => r.down.heldBytes() === 0);
    expect(Date.now() - started).toBeLessThan(2 * RELEASE_MS + 500);
    expect(got.firstBadByte).toBe(-1);
    // The buffer Node will read into next (net.Socket's own, keyed by an internal symbol).
    const kBuffer = Object.getOwnPropertySymbols(r.relaySocket).find((s) => s.description === 'kBuffer');
    expect(kBuffer, 'net.Socket keeps its onread buffer under Symbol(kBuffer)').toBeDefined();
    const next = (r.relaySocket as unknown as Record<symbol, Buffer>)[kBuffer!];
    expect(next.length).toBeLessThanOrEqual(PROBE);
    expect(next.buffer.byteLength).toBe(PROBE);
    // And the session still works.
    write(100_000);
    await waitFor(() => got.length === sent);
    expect(got.firstBadByte).toBe(-1);
  });
});
