// Metrics: names, labels and values after each call, each Metrics on its own registry.
import { describe, expect, it } from 'vitest';
import { Metrics, parseListen } from '../../../proxy/ops/metrics.ts';
import { createOps } from '../../../proxy/ops/ops.ts';

/** The value of one series in the text exposition, e.g. value(text, 'postern_live_sessions{protocol="ssh"}'). */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const ssh = { endpoint: '/ws/relay', protocol: 'ssh' as const, port: 22, resourceId: 'r1', actor: 'link visitor', client: '127.0.0.1' };
const rdp = { ...ssh, endpoint: '/ws/rdp', protocol: 'rdp' as const, port: 3389 };

describe('Metrics', () => {
  it('starts every protocol at zero', async () => {
    const text = await new Metrics().text();
    for (const p of ['ssh', 'rdp']) {
      expect(value(text, `postern_live_sessions{protocol="${p}"}`)).toBe(0);
      expect(value(text, `postern_sessions_opened_total{protocol="${p}"}`)).toBe(0);
      expect(value(text, `postern_relayed_bytes_total{protocol="${p}",direction="up"}`)).toBe(0);
      expect(value(text, `postern_relayed_bytes_total{protocol="${p}",direction="down"}`)).toBe(0);
    }
    expect(text).toContain('# TYPE postern_live_sessions gauge');
    expect(text).toContain('# TYPE postern_connection_refusals_total counter');
    expect(text).toContain('# TYPE postern_api_request_duration_seconds histogram');
    expect(text).not.toContain('process_cpu');
  });

  it('counts sessions opened, live and closed, and the bytes of closed ones', async () => {
    const m = new Metrics();
    m.connectionOpened(ssh);
    m.connectionOpened(ssh);
    m.connectionOpened(rdp);
    let text = await m.text();
    expect(value(text, 'postern_live_sessions{protocol="ssh"}')).toBe(2);
    expect(value(text, 'postern_live_sessions{protocol="rdp"}')).toBe(1);
    expect(value(text, 'postern_sessions_opened_total{protocol="ssh"}')).toBe(2);

    m.connectionClosed({ ...ssh, outcome: 'ok', bytesUp: 100, bytesDown: 5000 });
    m.connectionClosed({ ...ssh, outcome: 'econnrefused', bytesUp: 20, bytesDown: 0 });
    m.connectionClosed({ ...rdp, outcome: 'ok', bytesUp: 7, bytesDown: 9 });
    text = await m.text();
    expect(value(text, 'postern_live_sessions{protocol="ssh"}')).toBe(0);
    expect(value(text, 'postern_live_sessions{protocol="rdp"}')).toBe(0);
    expect(value(text, 'postern_sessions_closed_total{protocol="ssh",outcome="ok"}')).toBe(1);
    expect(value(text, 'postern_sessions_closed_total{protocol="ssh",outcome="econnrefused"}')).toBe(1);
    expect(value(text, 'postern_sessions_closed_total{protocol="rdp",outcome="ok"}')).toBe(1);
    expect(value(text, 'postern_relayed_bytes_total{protocol="ssh",direction="up"}')).toBe(120);
    expect(value(text, 'postern_relayed_bytes_total{protocol="ssh",direction="down"}')).toBe(5000);
    expect(value(text, 'postern_relayed_bytes_total{protocol="rdp",direction="down"}')).toBe(9);
  });

  it('counts refusals by endpoint and reason', async () => {
    const m = new Metrics();
    m.connectionRefused({ endpoint: '/ws/relay', reason: 'not-found' });
    m.connectionRefused({ endpoint: '/ws/relay', reason: 'not-found' });
    m.connectionRefused({ endpoint: '/api/link-info', reason: 'rate-limited' });
    const text = await m.text();
    expect(value(text, 'postern_connection_refusals_total{endpoint="/ws/relay",reason="not-found"}')).toBe(2);
    expect(value(text, 'postern_connection_refusals_total{endpoint="/api/link-info",reason="rate-limited"}')).toBe(1);
  });

  it('times API requests by method, route pattern and status', async () => {
    const m = new Metrics();
    m.apiRequest('GET', '/api/resources/:id', 200, 0.003);
    m.apiRequest('GET', '/api/resources/:id', 200, 0.2);
    m.apiRequest('BREW', 'unmatched', 404, 0.001);
    const text = await m.text();
    const s = 'method="GET",route="/api/resources/:id",status="200"';
    expect(value(text, `postern_api_request_duration_seconds_count{${s}}`)).toBe(2);
    expect(value(text, `postern_api_request_duration_seconds_sum{${s}}`)).toBeCloseTo(0.203);
    expect(value(text, `postern_api_request_duration_seconds_bucket{le="0.005",${s}}`)).toBe(1);
    expect(value(text, `postern_api_request_duration_seconds_bucket{le="+Inf",${s}}`)).toBe(2);
    expect(value(text, 'postern_api_request_duration_seconds_count{method="other",route="unmatched",status="404"}')).toBe(1);
  });

  it('keeps each instance apart', async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.connectionOpened(ssh);
    expect(value(await a.text(), 'postern_live_sessions{protocol="ssh"}')).toBe(1);
    expect(value(await b.text(), 'postern_live_sessions{protocol="ssh"}')).toBe(0);
  });

  it('adds the process figures when metrics are served', async () => {
    const ops = createOps({ logLevel: 'silent', metricsListen: '127.0.0.1:0' });
    expect(await ops.metrics.text()).toContain('process_resident_memory_bytes');
    expect(await createOps({ logLevel: 'silent' }).metrics.text()).not.toContain('process_resident_memory_bytes');
  });
});

describe('parseListen', () => {
  it('takes host:port and [v6]:port, and nothing else', () => {
    expect(parseListen('127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListen('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    expect(parseListen('localhost:0')).toEqual({ host: 'localhost', port: 0 });
    for (const bad of ['9464', ':9464', '::1:9464', 'host:99999', 'host:', 'http://host:1']) {
      expect(() => parseListen(bad)).toThrow(/must be host:port/);
    }
  });
});
