// The TCP relay behind /ws/relay: only links and users may open it, only to their resource's allowed
// ports, and deleting the link, the resource or the feature ends live sessions.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE, type AuditEntry } from '../../src/shared/api.ts';
import { apiClient, signIn, startProxy, type ProxyProcess } from '../support/proxy.ts';
import { echoServerForFile, openRelay } from '../support/relay-client.ts';

let proxy: ProxyProcess;
let owner: Awaited<ReturnType<typeof signIn>>;
const echo = echoServerForFile();
let closedPort: number;

beforeAll(async () => {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));

  proxy = await startProxy();
  owner = await signIn(proxy.url, proxy.ownerSigninUrl);
  await owner.call('PUT', '/api/settings', { shareableLinks: true });
});
afterAll(async () => {
  await proxy?.stop();
});

async function resourceWithLink(name: string, ports = [echo.port, closedPort]) {
  const res = (await owner.call('POST', '/api/resources', { name, address: '127.0.0.1', ports: { ssh: ports } })).body;
  const link = (await owner.call('POST', '/api/links', { resourceIds: [res.id] })).body[0];
  return { res, link };
}

function open(query: string, protocols: string[], headers: Record<string, string> = {}) {
  return openRelay(proxy.url, query, protocols, headers);
}

async function until(pred: () => boolean) {
  while (!pred()) await new Promise((r) => setTimeout(r, 10));
}

describe('relay', () => {
  it('relays bytes both ways for a valid link, and audits the session', async () => {
    const { link } = await resourceWithLink('echo-box');
    const c = open(`protocol=ssh&port=${echo.port}`, ['binary', `postern.link.${link.token}`]);
    await c.opened;
    expect(c.ws.protocol).toBe('binary');
    c.ws.send(Buffer.from('hello '));
    c.ws.send(Buffer.from('world'));
    await until(() => c.text() === 'HELLO WORLD');
    c.ws.close();
    await c.closed;
    let entry: AuditEntry | undefined;
    for (let i = 0; i < 50 && !(entry?.outcome === 'ok'); i++) {
      await new Promise((r) => setTimeout(r, 20));
      entry = (await owner.call('GET', '/api/audit')).body.find((e: AuditEntry) => e.action === 'connect' && e.linkId === link.id);
    }
    expect(entry).toMatchObject({ outcome: 'ok', resourceName: 'echo-box', protocol: 'ssh', port: echo.port, bytesUp: 11, bytesDown: 11, actor: 'link visitor' });
    expect(entry!.clientAddress).toMatch(/127\.0\.0\.1/);
    expect(entry!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('lets a signed-in user connect to a resource from the console', async () => {
    const { res } = await resourceWithLink('console-box');
    const c = open(`resource=${res.id}&protocol=ssh&port=${echo.port}`, ['binary', `postern.user.${owner.token}`]);
    await c.opened;
    c.ws.send(Buffer.from('abc'));
    await until(() => c.text() === 'ABC');
    c.ws.close();
  });

  it('refuses every attempt without a valid grant before any WebSocket exists, with a reason the page can fetch', async () => {
    const { res, link } = await resourceWithLink('guarded');
    const cases: [string, string[], number, RegExp][] = [
      [`protocol=ssh&port=${echo.port}`, ['binary'], 401, /no link or sign-in token/],
      [`protocol=ssh&port=${echo.port}`, ['binary', `postern.link.${'x'.repeat(43)}`], 404, /does not exist/],
      [`protocol=ssh&port=22`, ['binary', `postern.link.${link.token}`], 403, /only on port/],
      [`protocol=rdp&port=3389`, ['binary', `postern.link.${link.token}`], 403, /does not allow RDP/],
      [`protocol=telnet&port=23`, ['binary', `postern.link.${link.token}`], 400, /ssh or rdp/],
      [`resource=${res.id}&protocol=ssh&port=${echo.port}`, ['binary', `postern.user.${'y'.repeat(43)}`], 401, /sign in again/],
    ];
    const anonymous = apiClient(proxy.url);
    for (const [query, protocols, status, reason] of cases) {
      const c = open(query, protocols);
      const refused = await c.refused;
      expect(refused.status, query).toBe(status);
      expect(refused.body, query).toMatch(reason);
      // The page cannot read a refused upgrade's answer, so it asks this instead: the same sentence.
      const q = new URLSearchParams(query);
      const why = await anonymous('POST', '/api/tunnel-check', {
        credential: protocols[1], protocol: q.get('protocol'), port: Number(q.get('port')), resource: q.get('resource') ?? undefined,
      });
      expect(why.body.error.message, query).toMatch(reason);
    }
    const ok = await anonymous('POST', '/api/tunnel-check', { credential: `postern.link.${link.token}`, protocol: 'ssh', port: echo.port });
    expect(ok.status).toBe(204);
    const refused = (await owner.call('GET', '/api/audit')).body.filter((e: AuditEntry) => e.action === 'connect' && e.outcome !== 'ok' && e.outcome !== 'open');
    expect(refused.length).toBeGreaterThanOrEqual(cases.length - 1);
  });

  it('refuses a WebSocket from a foreign web origin', async () => {
    const { link } = await resourceWithLink('cross-site');
    const c = open(`protocol=ssh&port=${echo.port}`, ['binary', `postern.link.${link.token}`], { origin: 'https://evil.example' });
    await expect(c.opened).rejects.toThrow(/403/);
  });

  it('says plainly when nothing listens on the target port', async () => {
    const { link } = await resourceWithLink('sleepy');
    const c = open(`protocol=ssh&port=${closedPort}`, ['binary', `postern.link.${link.token}`]);
    const closed = await c.closed;
    expect(closed.code).toBe(CLOSE.targetUnreachable);
    expect(closed.reason).toMatch(/refused by "sleepy" port \d+/);
  });

  it('ends a live session when its link is deleted', async () => {
    const { link } = await resourceWithLink('cut-by-token');
    const c = open(`protocol=ssh&port=${echo.port}`, ['binary', `postern.link.${link.token}`]);
    await c.opened;
    c.ws.send(Buffer.from('x'));
    await until(() => c.text() === 'X');
    await owner.call('POST', '/api/links/delete-by-token', { tokens: [link.token] });
    const closed = await c.closed;
    expect(closed.code).toBe(CLOSE.linkDeleted);
    expect(closed.reason).toMatch(/link was deleted/);
  });

  it('ends a live session when its resource is deleted', async () => {
    const { res, link } = await resourceWithLink('cut-by-resource');
    const c = open(`protocol=ssh&port=${echo.port}`, ['binary', `postern.link.${link.token}`]);
    await c.opened;
    await owner.call('DELETE', `/api/resources/${res.id}`);
    expect((await c.closed).code).toBe(CLOSE.resourceDeleted);
    const again = open(`protocol=ssh&port=${echo.port}`, ['binary', `postern.link.${link.token}`]);
    const refused = await again.refused;
    expect(refused.status).toBe(410);
    expect(refused.body).toMatch(/"cut-by-resource".*deleted/);
  });

  it('ends link sessions when shareable links are switched off, and refuses new ones', async () => {
    const { link } = await resourceWithLink('cut-by-switch');
    const c = open(`protocol=ssh&port=${echo.port}`, ['binary', `postern.link.${link.token}`]);
    await c.opened;
    await owner.call('PUT', '/api/settings', { shareableLinks: false });
    expect((await c.closed).code).toBe(CLOSE.featureDisabled);
    const again = open(`protocol=ssh&port=${echo.port}`, ['binary', `postern.link.${link.token}`]);
    expect(await again.refused).toMatchObject({ status: 423, body: expect.stringMatching(/turned off/) });
    await owner.call('PUT', '/api/settings', { shareableLinks: true });
  });

  it('never writes a token to its output', () => {
    expect(proxy.output()).not.toContain(owner.token);
  });
});
