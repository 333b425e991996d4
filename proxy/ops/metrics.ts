// Prometheus metrics: live sessions, bytes relayed, sessions opened and closed, refusals, API latency.
// Each Metrics has its own registry (never prom-client's global one), so tests can make several.
// Counting is always on and cheap; the numbers are served only by startMetricsServer, on its own
// listen address, so the public port never exposes them.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Protocol } from '../../src/shared/api.ts';
import type { ConnectionClosed, ConnectionOpened, ConnectionRefused } from './log.ts';

const PROTOCOLS: Protocol[] = ['ssh', 'rdp'];
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export interface MetricsOptions {
  /** Also export the process's own figures (CPU, memory, event loop, GC) as process_* and nodejs_*. */
  processMetrics?: boolean;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly live: Gauge<'protocol'>;
  private readonly opened: Counter<'protocol'>;
  private readonly closed: Counter<'protocol' | 'outcome'>;
  private readonly bytes: Counter<'protocol' | 'direction'>;
  private readonly refusals: Counter<'endpoint' | 'reason'>;
  private readonly api: Histogram<'method' | 'route' | 'status'>;

  constructor(opts: MetricsOptions = {}) {
    const registers = [this.registry];
    this.live = new Gauge({
      name: 'postern_live_sessions', help: 'Relayed sessions open right now.', labelNames: ['protocol'], registers,
    });
    this.opened = new Counter({
      name: 'postern_sessions_opened_total', help: 'Relayed sessions opened.', labelNames: ['protocol'], registers,
    });
    this.closed = new Counter({
      name: 'postern_sessions_closed_total', help: 'Relayed sessions closed, by outcome (ok, ended-by-admin, econnrefused, …).',
      labelNames: ['protocol', 'outcome'], registers,
    });
    this.bytes = new Counter({
      name: 'postern_relayed_bytes_total',
      help: 'Bytes relayed, counted when a session closes; direction up is browser to machine, down is machine to browser.',
      labelNames: ['protocol', 'direction'], registers,
    });
    this.refusals = new Counter({
      name: 'postern_connection_refusals_total', help: 'Connection attempts refused, by endpoint and reason.',
      labelNames: ['endpoint', 'reason'], registers,
    });
    this.api = new Histogram({
      name: 'postern_api_request_duration_seconds', help: 'API request latency, by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'], registers,
    });
    // Series that exist from the start read as zero rather than as missing.
    for (const protocol of PROTOCOLS) {
      this.live.set({ protocol }, 0);
      this.opened.inc({ protocol }, 0);
      this.bytes.inc({ protocol, direction: 'up' }, 0);
      this.bytes.inc({ protocol, direction: 'down' }, 0);
    }
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  connectionOpened(e: Pick<ConnectionOpened, 'protocol'>): void {
    this.opened.inc({ protocol: e.protocol });
    this.live.inc({ protocol: e.protocol });
  }

  connectionClosed(e: Pick<ConnectionClosed, 'protocol' | 'outcome' | 'bytesUp' | 'bytesDown'>): void {
    this.closed.inc({ protocol: e.protocol, outcome: e.outcome });
    this.live.dec({ protocol: e.protocol });
    if (e.bytesUp > 0) this.bytes.inc({ protocol: e.protocol, direction: 'up' }, e.bytesUp);
    if (e.bytesDown > 0) this.bytes.inc({ protocol: e.protocol, direction: 'down' }, e.bytesDown);
  }

  connectionRefused(e: Pick<ConnectionRefused, 'endpoint' | 'reason'>): void {
    this.refusals.inc({ endpoint: e.endpoint, reason: e.reason });
  }

  /** `route` is the matched pattern (/api/resources/:id) or 'unmatched', never the raw path. */
  apiRequest(method: string, route: string, status: number, seconds: number): void {
    this.api.observe({ method: METHODS.has(method) ? method : 'other', route, status: String(status) }, seconds);
  }

  /** The text exposition format, as served on /metrics. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** "host:port" or "[v6]:port" → its parts; the host is required, so the listener is never bound to every interface by accident. */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(listen.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new Error(`The metrics address must be host:port (e.g. 127.0.0.1:9464 or [::1]:9464); got "${listen}".`);
  }
  return { host: m[1] ?? m[2], port };
}

export interface MetricsServer {
  /** Where the metrics are, e.g. http://127.0.0.1:9464/metrics */
  url: string;
  close(): Promise<void>;
}

/** Serves GET /metrics on `listen` only; every other path is 404. */
export async function startMetricsServer(listen: string, metrics: Metrics): Promise<MetricsServer> {
  const { host, port } = parseListen(listen);
  const server = http.createServer((req, res) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const path = new URL(req.url ?? '/', 'http://metrics').pathname;
    if (path !== '/metrics') return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found: metrics are at /metrics.\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return void res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('Use GET.\n');
    }
    metrics.text().then(
      (text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
      () => res.writeHead(500, { 'Content-Type': 'text/plain' }).end('The metrics could not be collected.\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shown}:${addr.port}/metrics`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
