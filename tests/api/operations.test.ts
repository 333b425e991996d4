// A real proxy's operations output: one JSON line per connection opened, closed and refused, metrics
// on their own address, and not one secret from the whole session in anything it printed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { newToken } from '../../proxy/store/tokens.ts';
import { apiClient, signIn, startProxy, type ProxyProcess } from '../support/proxy.ts';
import { echoServerForFile } from '../support/relay-client.ts';

let proxy: ProxyProcess;
const echo = echoServerForFile();

beforeAll(async () => {
  proxy = await startProxy({ args: ['--metrics-listen', '127.0.0.1:0', '--log-level', 'info'] });
});
afterAll(async () => {
  await proxy?.stop();
});

/** Opens /ws/relay; resolves with how it ended: the close code, or the HTTP status of a refused upgrade. */
function relay(query: string, protocols: string[], send?: string) {
  const ws = new WebSocket(`${proxy.url.replace('http', 'ws')}/ws/relay?${query}`, protocols);
  let received = '';
  ws.on('message', (d: Buffer) => {
    received += d.toString();
    if (send && received === send.toUpperCase()) ws.close();
  });
  ws.on('open', () => send && ws.send(Buffer.from(send)));
  ws.on('error', () => {});
  return new Promise<{ code?: number; status?: number; received: string }>((ok) => {
    ws.once('unexpected-response', (_req, res) => {
      ok({ status: res.statusCode, received });
      res.resume();
      ws.terminate();
    });
    ws.once('close', (code) => ok({ code, received }));
  });
}

/** The proxy's JSON lines so far. */
function jsonLines(): Record<string, unknown>[] {
  return proxy.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}

async function until<T>(find: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const got = find();
    if (got) return got;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never saw ${what} in:\n${proxy.output()}`);
}

describe('operations output of a real proxy', () => {
  it('logs each connection as JSON, counts it, and prints no secret anywhere', async () => {
    const metricsUrl = /Prometheus metrics at (http\S+)/.exec(proxy.output())?.[1];
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);

    const owner = await signIn(proxy.url, proxy.ownerSigninUrl);
    await owner.call('PUT', '/api/settings', { shareableLinks: true });
    const res = (await owner.call('POST', '/api/resources', { name: 'ops-box', address: '127.0.0.1', ports: { ssh: [echo.port] } })).body;
    const link = (await owner.call('POST', '/api/links', { resourceIds: [res.id] })).body[0];

    // A second user signs in with a one-time URL handed out through the API.
    const made = await owner.call('POST', '/api/users', { name: 'olga', role: 'reader' });
    const olgaSignin = made.body.signinUrl as string;
    const olga = await signIn(proxy.url, olgaSignin);
    expect(olga.me.user.name).toBe('olga');

    // The link page's look-up, then a relayed SSH-port session, then a wrong token.
    const info = await apiClient(proxy.url)('POST', '/api/link-info', { token: link.token });
    expect(info.body.resourceName).toBe('ops-box');
    const ok = await relay(`protocol=ssh&port=${echo.port}`, ['binary', `postern.link.${link.token}`], 'hello ops');
    expect(ok.received).toBe('HELLO OPS');
    const wrongToken = newToken();
    const refused = await relay(`protocol=ssh&port=${echo.port}`, ['binary', `postern.link.${wrongToken}`]);
    expect(refused.status ?? refused.code).toBeGreaterThanOrEqual(400);

    const opened = await until(() => jsonLines().find((l) => l.event === 'connection.opened'), 'connection.opened');
    expect(opened).toMatchObject({
      level: 'info', endpoint: '/ws/relay', protocol: 'ssh', port: echo.port, resourceId: res.id, linkId: link.id, actor: 'link visitor',
    });
    expect(opened.client).toMatch(/127\.0\.0\.1/);
    const closed = await until(() => jsonLines().find((l) => l.event === 'connection.closed'), 'connection.closed');
    expect(closed).toMatchObject({ endpoint: '/ws/relay', protocol: 'ssh', port: echo.port, linkId: link.id, bytesUp: 9, bytesDown: 9 });
    expect(closed.outcome).toEqual(expect.any(String));
    expect(closed.durationMs).toBeGreaterThanOrEqual(0);
    const refusal = await until(() => jsonLines().find((l) => l.event === 'connection.refused'), 'connection.refused');
    expect(refusal).toMatchObject({ endpoint: '/ws/relay', reason: expect.any(String) });
    expect(refusal.status).toBe(refused.status ?? refused.code);

    // The metrics saw the same, on their own address only.
    const text = await (await fetch(metricsUrl!)).text();
    expect(text).toMatch(/^postern_sessions_opened_total\{protocol="ssh"\} 1$/m);
    expect(text).toMatch(/^postern_live_sessions\{protocol="ssh"\} 0$/m);
    expect(text).toMatch(/^postern_relayed_bytes_total\{protocol="ssh",direction="up"\} 9$/m);
    expect(text).toMatch(/^postern_connection_refusals_total\{endpoint="\/ws\/relay",reason="[^"]+"\} 1$/m);
    expect(text).toMatch(/^postern_api_request_duration_seconds_count\{method="POST",route="\/api\/link-info",status="200"\} 1$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect((await fetch(`${proxy.url}/metrics`)).status).toBe(404);

    // Not one secret of the session in anything the proxy printed. The owner's first sign-in URL is
    // the one thing the proxy prints on purpose (its start-up line, for the operator); nothing else.
    const ownerSignin = proxy.ownerSigninUrl.slice(proxy.ownerSigninUrl.indexOf('#/signin/') + 9);
    const output = proxy.output();
    const withoutStartup = output.split('\n').filter((l) => !l.includes(`#/signin/${ownerSignin}`)).join('\n');
    expect(output.split(ownerSignin)).toHaveLength(2);
    const secrets = {
      linkToken: link.token, wrongToken, ownerSession: owner.token, ownerSignin,
      olgaSignin: olgaSignin.slice(olgaSignin.indexOf('#/signin/') + 9), olgaSession: olga.token,
    };
    for (const [name, secret] of Object.entries(secrets)) {
      expect(secret.length, name).toBe(43);
      expect(withoutStartup.includes(secret), `${name} printed`).toBe(false);
    }
    expect(withoutStartup).not.toMatch(/#\/l\//);
    expect(withoutStartup).not.toMatch(/postern\.(link|user)\.[A-Za-z0-9_-]/);
  });
});
