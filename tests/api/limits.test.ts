// Abuse limits on a real proxy: per-address attempt buckets on link look-ups, sign-ins and tunnels
// (429 with Retry-After and a sentence), refusals aggregated in the audit trail, the client address
// taken from a trusted reverse proxy's header only, and a cap on RDP sockets that have not yet said
// who they are. The bucket arithmetic itself is tested on an injected clock in tests/unit/proxy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AuditEntry } from '../../src/shared/api.ts';
import { apiClient, signIn, startProxy, type ProxyProcess } from '../support/proxy.ts';
import { rawRequest, upgradeRequest } from '../support/raw-ws.ts';

let proxy: ProxyProcess;
let owner: Awaited<ReturnType<typeof signIn>>;
const BURST = 5;

beforeAll(async () => {
  proxy = await startProxy({
    env: { POSTERN_ATTEMPT_BURST: String(BURST), POSTERN_ATTEMPTS_PER_MINUTE: '1', POSTERN_MAX_PENDING_RDP: '2' },
    args: ['--client-address-header', 'X-Forwarded-For', '--trusted-proxies', '127.0.0.1'],
  });
  owner = await signIn(proxy.url, proxy.ownerSigninUrl); // one attempt of 127.0.0.1's bucket
  await owner.call('PUT', '/api/settings', { shareableLinks: true });
});
afterAll(() => proxy?.stop());

const from = (address: string) => ({ 'X-Forwarded-For': address });

/** The audit groups refusals by clock minute: a burst that straddles a minute's end makes two rows. */
async function clearOfMinuteEnd(marginMs = 10_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < marginMs) await new Promise((r) => setTimeout(r, left + 50));
}

describe('attempt limits', () => {
  it('answers guesses past the burst with 429, Retry-After and a sentence, and audits them as one row', async () => {
    const call = apiClient(proxy.url);
    await clearOfMinuteEnd();
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < BURST + 20; i++) {
      last = await call('POST', '/api/link-info', { token: 'A'.repeat(43) }, from('198.51.100.10'));
      statuses.push(last.status);
    }
    expect(statuses.slice(0, BURST)).toEqual(Array(BURST).fill(404));
    expect(statuses.slice(BURST)).toEqual(Array(20).fill(429));
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(last!.body.error.message).toMatch(/Too many attempts from your address\. Try again in \d+ seconds?\./);

    const rows = (await owner.call('GET', '/api/audit')).body.filter((e: AuditEntry) => e.clientAddress === '198.51.100.10');
    // 5 wrong guesses and 20 refusals by the limit: one row each per minute (their counts are written as the minute ends).
    expect(rows.map((r: AuditEntry) => [r.action, r.outcome]).sort()).toEqual([['api', 'rate-limited'], ['link.lookup', 'not-found']]);
  });

  it('keeps addresses apart, and shares one bucket between look-ups, sign-ins and tunnels', async () => {
    const call = apiClient(proxy.url);
    expect((await call('POST', '/api/link-info', { token: 'A'.repeat(43) }, from('198.51.100.11'))).status).toBe(404);
    for (let i = 0; i < BURST - 2; i++) await call('POST', '/api/session', { signinToken: 'B'.repeat(43) }, from('198.51.100.11'));
    // One attempt left for .11: a tunnel takes it, the next is refused before any WebSocket.
    const tunnel = (h: Record<string, string>) => rawRequest(Number(new URL(proxy.url).port),
      upgradeRequest('/ws/relay?protocol=ssh&port=22', { 'Sec-WebSocket-Protocol': `binary, postern.link.${'C'.repeat(43)}`, ...h }));
    expect((await tunnel(from('198.51.100.11'))).status).toBe(404);
    const limited = await tunnel(from('198.51.100.11'));
    expect(limited.status).toBe(429);
    expect(limited.answer).toMatch(/Retry-After: \d+/i);
    expect(limited.answer).toMatch(/Too many attempts/);
    // Another address is untouched.
    expect((await call('POST', '/api/link-info', { token: 'A'.repeat(43) }, from('198.51.100.12'))).status).toBe(404);
  });

  it('believes the header only from a trusted proxy address', async () => {
    // The test talks to the proxy from 127.0.0.1, which is trusted: the last hop in the header counts,
    // never what a client wrote before it.
    const call = apiClient(proxy.url);
    for (let i = 0; i < BURST; i++) await call('POST', '/api/link-info', { token: 'A'.repeat(43) }, from('198.51.100.13'));
    const spoofed = await call('POST', '/api/link-info', { token: 'A'.repeat(43) }, from('203.0.113.99, 198.51.100.13'));
    expect(spoofed.status).toBe(429);
  });
});

describe('RDP sockets before their request', () => {
  it('holds at most the configured number, and answers more with 503', async () => {
    const port = Number(new URL(proxy.url).port);
    const open = (address: string) => rawRequest(port, upgradeRequest('/ws/rdp', { 'Sec-WebSocket-Protocol': 'binary', ...from(address) }));
    const first = await open('198.51.100.20');
    const second = await open('198.51.100.21');
    expect([first.status, second.status]).toEqual([101, 101]);
    const third = await open('198.51.100.22');
    expect(third.status).toBe(503);
    expect(third.answer).toMatch(/Too many RDP connections are starting at once/);
    // A slot is free again once a waiting socket goes away.
    first.socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const fourth = await open('198.51.100.23');
    expect(fourth.status).toBe(101);
    second.socket.destroy();
    fourth.socket.destroy();
  });

  it('lets a real WebSocket client read a refusal', async () => {
    const ws = new WebSocket(`${proxy.url.replace('http', 'ws')}/ws/relay?protocol=ssh&port=22`, ['binary'], { headers: from('198.51.100.30') });
    ws.on('error', () => {});
    const status = await new Promise<number>((ok) => ws.once('unexpected-response', (_q, r) => ok(r.statusCode ?? 0)));
    expect(status).toBe(401);
  });
});
