// The metrics listener: /metrics only, on its own address only.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics, startMetricsServer, type MetricsServer } from '../../proxy/ops/metrics.ts';

let metrics: Metrics;
let server: MetricsServer;

beforeAll(async () => {
  metrics = new Metrics();
  server = await startMetricsServer('127.0.0.1:0', metrics);
});
afterAll(() => server?.close());

describe('metrics server', () => {
  it('serves the registry on /metrics in the Prometheus text format', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    metrics.connectionOpened({ protocol: 'rdp' });
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toContain('postern_live_sessions{protocol="rdp"} 1');
    const head = await fetch(server.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('answers 404 on every other path and 405 to other methods', async () => {
    const base = server.url.replace(/\/metrics$/, '');
    for (const path of ['/', '/metrics/', '/api/links', '/metricsx', '/favicon.ico']) {
      const res = await fetch(base + path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain('postern_');
    }
    const post = await fetch(server.url, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('listens on its address only', async () => {
    const port = Number(new URL(server.url).port);
    // The whole of 127/8 is loopback on Linux: a listener bound to 127.0.0.1 alone refuses 127.0.0.2.
    const error = await new Promise<string>((resolve) => {
      const s = net.connect({ host: '127.0.0.2', port });
      s.once('connect', () => { s.destroy(); resolve('connected'); });
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    expect(error).toBe('ECONNREFUSED');
  });

  it('says clearly when the address is wrong or taken', async () => {
    await expect(startMetricsServer('9464', metrics)).rejects.toThrow(/must be host:port/);
    const taken = new URL(server.url);
    await expect(startMetricsServer(`${taken.hostname}:${taken.port}`, metrics)).rejects.toThrow(/EADDRINUSE/);
  });

  it('stops listening when closed', async () => {
    const other = await startMetricsServer('127.0.0.1:0', new Metrics());
    await fetch(other.url);
    await other.close();
    await expect(fetch(other.url)).rejects.toThrow();
  });
});
