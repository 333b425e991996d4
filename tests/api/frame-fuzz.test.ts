// Malformed bytes at the WebSocket layer, sent by raw TCP clients to every WebSocket endpoint, with
// and without a valid token, while a real relayed session is open: the proxy must stay up, each bad
// connection must end alone, and the open session must keep every byte (checked by a checksum).
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signIn, startProxy, type ProxyProcess } from '../support/proxy.ts';
import { closePayload, frame, rawRequest, upgradeRequest } from '../support/raw-ws.ts';

let proxy: ProxyProcess;
let port: number;
let echo: net.Server;
let echoPort: number;
let token: string;
let session: { ws: WebSocket; sent: ReturnType<typeof createHash>; received: ReturnType<typeof createHash>; sentBytes: number; receivedBytes: number };

beforeAll(async () => {
  echo = net.createServer((s) => s.on('error', () => {}).pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as net.AddressInfo).port;
  proxy = await startProxy({ env: { POSTERN_RDP_REQUEST_TIMEOUT_MS: '1000' } });
  port = Number(new URL(proxy.url).port);
  const owner = await signIn(proxy.url, proxy.ownerSigninUrl);
  await owner.call('PUT', '/api/settings', { shareableLinks: true });
  const res = (await owner.call('POST', '/api/resources', { name: 'echo', address: '127.0.0.1', ports: { ssh: [echoPort], rdp: [echoPort] } })).body;
  token = (await owner.call('POST', '/api/links', { resourceIds: [res.id] })).body[0].token;

  // The session that must survive everything below.
  const ws = new WebSocket(`${proxy.url.replace('http', 'ws')}/ws/relay?protocol=ssh&port=${echoPort}`, ['binary', `postern.link.${token}`]);
  session = { ws, sent: createHash('sha256'), received: createHash('sha256'), sentBytes: 0, receivedBytes: 0 };
  ws.on('message', (d: Buffer) => {
    session.received.update(d);
    session.receivedBytes += d.length;
  });
  await new Promise((ok, fail) => { ws.once('open', ok); ws.once('error', fail); });
});

afterAll(async () => {
  session?.ws.close();
  await proxy?.stop();
  echo?.close();
});

/** Sends a burst through the live session; everything sent so far must come back. */
async function sessionStillRelays(): Promise<void> {
  const chunk = randomBytes(64 * 1024);
  session.sent.update(chunk);
  session.sentBytes += chunk.length;
  session.ws.send(chunk);
  for (let i = 0; i < 500 && session.receivedBytes < session.sentBytes; i++) await new Promise((r) => setTimeout(r, 10));
  expect(session.receivedBytes).toBe(session.sentBytes);
  expect(session.received.copy().digest('hex')).toBe(session.sent.copy().digest('hex'));
}

async function proxyAlive(): Promise<void> {
  const r = await fetch(`${proxy.url}/api/health`);
  expect(r.status).toBe(200);
}

const relayPath = () => `/ws/relay?protocol=ssh&port=${echoPort}`;
const withToken = () => ({ 'Sec-WebSocket-Protocol': `binary, postern.link.${token}` });
const text = (s: string) => Buffer.from(s, 'utf8');

/** Every kind of frame RFC 6455 says a server must refuse, plus oversize and half-sent ones. */
const BAD_FRAMES: [string, () => Buffer][] = [
  ['unmasked frame', () => frame({ opcode: 2, payload: text('x'), mask: false })],
  ['RSV1 without an extension', () => frame({ opcode: 2, rsv: 4, payload: text('x') })],
  ['RSV2', () => frame({ opcode: 2, rsv: 2, payload: text('x') })],
  ['RSV3', () => frame({ opcode: 2, rsv: 1, payload: text('x') })],
  ...[3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf].map((op): [string, () => Buffer] => [`reserved opcode ${op}`, () => frame({ opcode: op, payload: text('x') })]),
  ...[0, 999, 1004, 1005, 1006, 1015, 2999, 5000, 65535].map((code): [string, () => Buffer] => [`close code ${code}`, () => frame({ opcode: 8, payload: closePayload(code) })]),
  ['close with a 1-byte payload', () => frame({ opcode: 8, payload: Buffer.from([3]) })],
  ['close reason not UTF-8', () => frame({ opcode: 8, payload: Buffer.concat([closePayload(1000), Buffer.from([0xc3, 0x28])]) })],
  ['text frame not UTF-8', () => frame({ opcode: 1, payload: Buffer.from([0xff, 0xfe, 0xfd]) })],
  ['text frame with a lone surrogate', () => frame({ opcode: 1, payload: Buffer.from([0xed, 0xa0, 0x80]) })],
  ['fragmented ping', () => frame({ opcode: 9, fin: false, payload: text('p') })],
  ['fragmented close', () => frame({ opcode: 8, fin: false, payload: closePayload(1000) })],
  ['ping over 125 bytes', () => frame({ opcode: 9, payload: Buffer.alloc(126) })],
  ['continuation with nothing to continue', () => frame({ opcode: 0, payload: text('x') })],
  ['new message inside a fragmented one', () => Buffer.concat([frame({ opcode: 2, fin: false, payload: text('a') }), frame({ opcode: 2, payload: text('b') })])],
  ['one message over 1 MiB', () => frame({ opcode: 2, payload: Buffer.alloc((1 << 20) + 1) })],
  ['declared 2 GiB', () => frame({ opcode: 2, declaredLength: 2n ** 31n, payload: Buffer.alloc(16) })],
  ['64-bit length with the top bit set', () => frame({ opcode: 2, declaredLength: 2n ** 63n, payload: Buffer.alloc(16) })],
  ['fragments adding up to over 1 MiB', () => Buffer.concat([
    frame({ opcode: 2, fin: false, payload: Buffer.alloc(700_000) }), frame({ opcode: 0, payload: Buffer.alloc(700_000) }),
  ])],
  ['random bytes', () => randomBytes(4096)],
];

/** Upgrade requests that must be answered with an HTTP error, never a WebSocket. */
const BAD_HANDSHAKES: [string, () => string | Buffer, number[]][] = [
  ['no token', () => upgradeRequest(relayPath(), { 'Sec-WebSocket-Protocol': 'binary' }), [401]],
  ['a wrong token', () => upgradeRequest(relayPath(), { 'Sec-WebSocket-Protocol': `binary, postern.link.${'A'.repeat(43)}` }), [404]],
  ['a token of the wrong shape', () => upgradeRequest(relayPath(), { 'Sec-WebSocket-Protocol': 'binary, postern.link.%%%' }), [404]],
  ['a port the resource does not allow', () => upgradeRequest('/ws/relay?protocol=ssh&port=1', withToken()), [403]],
  ['no protocol', () => upgradeRequest('/ws/relay?port=22', withToken()), [400]],
  ['a foreign Origin', () => upgradeRequest(relayPath(), { ...withToken(), Origin: 'https://evil.example' }), [403]],
  ['an unknown endpoint', () => upgradeRequest('/ws/nothing', withToken()), [404]],
  ['no Sec-WebSocket-Key', () => upgradeRequest(relayPath(), { ...withToken(), 'Sec-WebSocket-Key': '' }), [400]],
  ['a key of the wrong size', () => upgradeRequest(relayPath(), { ...withToken(), 'Sec-WebSocket-Key': 'c2hvcnQ=' }), [400]],
  ['version 7', () => upgradeRequest(relayPath(), { ...withToken(), 'Sec-WebSocket-Version': '7' }), [400, 426]],
  ['POST instead of GET', () => upgradeRequest(relayPath(), withToken()).replace(/^GET/, 'POST'), [400, 405]],
  ['a 20 KB header', () => upgradeRequest(relayPath(), { ...withToken(), 'X-Pad': 'a'.repeat(20_000) }), [400, 431]],
  ['a broken request line', () => 'GET /ws/relay HTTP/9\r\nUpgrade: websocket\r\n\r\n', [400, 505]],
  ['binary garbage', () => randomBytes(2048), [400]],
  ['a header without a colon', () => `GET ${relayPath()} HTTP/1.1\r\nHost x\r\nUpgrade: websocket\r\n\r\n`, [400]],
];

describe('malformed WebSocket handshakes', () => {
  for (const [name, request, statuses] of BAD_HANDSHAKES) {
    it(`answers ${name} with HTTP ${statuses.join(' or ')} and no WebSocket`, async () => {
      const c = await rawRequest(port, request());
      expect(statuses).toContain(c.status);
      expect(c.answer).not.toContain('101 Switching');
      // Frames sent after a refusal reach nothing.
      c.socket.write(frame({ opcode: 2, payload: text('hello') }));
      expect(await c.closedWithin(3_000)).toBe(true);
      await proxyAlive();
    });
  }

  it('says why in a sentence, without echoing the token', async () => {
    const c = await rawRequest(port, upgradeRequest(relayPath(), { 'Sec-WebSocket-Protocol': `binary, postern.link.${'B'.repeat(43)}` }));
    expect(c.status).toBe(404);
    expect(c.answer).toMatch(/This link does not exist/);
    expect(c.answer).not.toContain('B'.repeat(43));
    c.socket.destroy();
  });

  it('keeps the open session whole through all of them', sessionStillRelays);
});

for (const endpoint of ['relay', 'rdp'] as const) {
  describe(`invalid frames on an admitted /ws/${endpoint} WebSocket`, () => {
    for (const [name, bytes] of BAD_FRAMES) {
      it(`ends only that connection for ${name}`, async () => {
        const path = endpoint === 'relay' ? relayPath() : '/ws/rdp';
        const c = await rawRequest(port, upgradeRequest(path, endpoint === 'relay' ? withToken() : { 'Sec-WebSocket-Protocol': 'binary' }));
        expect(c.status).toBe(101);
        c.socket.write(bytes());
        expect(await c.closedWithin(5_000)).toBe(true);
        await proxyAlive();
      });
    }

    it('survives a frame dripped a byte at a time, then abandoned', async () => {
      const path = endpoint === 'relay' ? relayPath() : '/ws/rdp';
      const c = await rawRequest(port, upgradeRequest(path, endpoint === 'relay' ? withToken() : { 'Sec-WebSocket-Protocol': 'binary' }));
      expect(c.status).toBe(101);
      const bytes = frame({ opcode: 2, payload: Buffer.alloc(300) });
      for (let i = 0; i < 20; i++) {
        c.socket.write(bytes.subarray(i, i + 1));
        await new Promise((r) => setTimeout(r, 5));
      }
      c.socket.destroy();
      await proxyAlive();
    });

    it('keeps the open session whole through all of them', sessionStillRelays);
  });
}

describe('unauthenticated RDP sockets', () => {
  it('closes one that sends no request before the deadline', async () => {
    const c = await rawRequest(port, upgradeRequest('/ws/rdp', { 'Sec-WebSocket-Protocol': 'binary' }));
    expect(c.status).toBe(101);
    expect(await c.closedWithin(4_000)).toBe(true);
  });
});
