// The proxy pings every WebSocket; one that misses a ping (a browser that vanished without closing)
// is ended, and its session leaves the live list. A client that answers stays as long as it likes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Link } from '../../src/shared/api.ts';
import { signIn, startProxy, type ProxyProcess } from '../support/proxy.ts';
import { echoServerForFile, openRelay, within } from '../support/relay-client.ts';

let proxy: ProxyProcess;
let owner: Awaited<ReturnType<typeof signIn>>;
let link: Link;
const echo = echoServerForFile();
const HEARTBEAT_MS = 300;

beforeAll(async () => {
  proxy = await startProxy({ env: { POSTERN_WS_HEARTBEAT_MS: String(HEARTBEAT_MS) } });
  owner = await signIn(proxy.url, proxy.ownerSigninUrl);
  await owner.call('PUT', '/api/settings', { shareableLinks: true });
  const r = (await owner.call('POST', '/api/resources', { name: 'echo-box', address: '127.0.0.1', ports: { ssh: [echo.port] } })).body;
  link = (await owner.call('POST', '/api/links', { resourceIds: [r.id] })).body[0];
});
afterAll(() => proxy?.stop());

describe('heartbeat', () => {
  it('ends a WebSocket that does not answer pings, and its live session with it', async () => {
    const silent = new WebSocket(`${proxy.url.replace('http', 'ws')}/ws/relay?protocol=ssh&port=${echo.port}`,
      ['binary', `postern.link.${link.token}`], { autoPong: false });
    silent.on('error', () => {});
    const closed = new Promise<number>((ok) => silent.on('close', (code) => ok(code)));
    await new Promise((ok) => silent.once('open', ok));
    await expect.poll(async () => (await owner.call('GET', '/api/sessions')).body.length).toBe(1);
    // Terminated, not closed: the peer is presumed gone, so no closing handshake is waited for.
    expect(await within(4 * HEARTBEAT_MS + 2_000, closed)).toBe(1006);
    await expect.poll(async () => (await owner.call('GET', '/api/sessions')).body.length).toBe(0);
  });

  it('keeps a WebSocket that answers, however many pings go by', async () => {
    const relay = openRelay(proxy.url, `protocol=ssh&port=${echo.port}`, ['binary', `postern.link.${link.token}`]);
    await within(5_000, relay.opened);
    let pings = 0;
    relay.ws.on('ping', () => pings++);
    await new Promise((r) => setTimeout(r, 6 * HEARTBEAT_MS));
    expect(pings).toBeGreaterThanOrEqual(3);
    await within(5_000, relay.echoes('still here'));
    relay.ws.close();
  });
});
