// The HTTP(S) server: security headers on everything, /api to the JSON API, /ws/* to the tunnels,
// everything else to the built SPA.
import { SessionLimits } from './sessions/session-limits.ts';
import { AccessCodes } from './auth/access-code.ts';
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Services } from './services/context.ts';
import { createApi } from './api/router.ts';
import { RefusalAudit } from './audit/refusals.ts';
import { RateLimiter } from './auth/rate-limit.ts';
import type { Config } from './config/config.ts';
import { clientAddress } from './http/client-address.ts';
import { originAllowed, setCors, setSecurityHeaders } from './http/headers.ts';
import { ApiError } from '../src/shared/rules/errors.ts';
import { sendError } from './http/json.ts';
import { serveStatic } from './http/static.ts';
import { publicBase, signinUrlOf } from './http/public-url.ts';
import { createUpgradeHandler, type WsEndpoint } from './http/upgrade.ts';
import { LiveSessions } from './sessions/live-sessions.ts';
import { reportLiveSessions } from './sessions/live-report.ts';
import { LinkPolicyWatch } from './sessions/link-policy.ts';
import { clockFrom } from './clock.ts';
import { createOps } from './ops/ops.ts';
import { relayEndpoint } from './relay/tcp-relay.ts';
import { rdpEndpoint } from './rdp/gateway.ts';
import type { Store } from './store/store.ts';

/** API routes a stranger can call to test a guess (a link token, a sign-in token): rate limited. */
const GUESSABLE = new Set(['/api/link-info', '/api/session', '/api/tunnel-check', '/api/link-passkey/options', '/api/link-passkey/verify']);

export interface Running {
  url: string;
  services: Services;
  close(): Promise<void>;
}

export async function startServer(config: Config, store: Store): Promise<Running> {
  const tls = Boolean(config.tlsCert && config.tlsKey);
  const live = new LiveSessions();
  let origin = '';
  const addressRule = { header: config.clientAddressHeader, trustedProxies: config.trustedProxies };
  const ops = createOps(config);
  const now = clockFrom(process.env);
  const policies = new LinkPolicyWatch(store, live, now, (e) => ops.log.internalError('link policy', e));
  const sessionLimits = new SessionLimits(live, now);
  const refusals = new RefusalAudit(store, { onError: (e) => ops.log.internalError('refusal audit', e) });
  const liveReport = reportLiveSessions(store, live, (e) => ops.log.internalError('live sessions report', e));
  const services: Services = {
    store,
    config,
    live,
    liveReport,
    now,
    policies,
    ops,
    gate: {
      clientAddress: (req) => clientAddress(req, addressRule),
      attempts: new RateLimiter({ burst: config.attemptBurst, perMinute: config.attemptsPerMinute }),
      refusals,
      codes: new AccessCodes(store),
      refused: (endpoint, status, refusal) => {
        refusals.record(refusal);
        ops.log.connectionRefused({ endpoint, reason: refusal.outcome, status, client: refusal.clientAddress });
        ops.metrics.connectionRefused({ endpoint, reason: refusal.outcome });
      },
    },
    signinUrl: (token) => signinUrlOf(publicBase(config, origin)!, token),
  };
  const api = createApi(services);
  const { gate } = services;

  /** Over the per-address limit: the refusal, counted once a minute in the audit trail. */
  const overLimit = (req: IncomingMessage, where: string) => {
    const address = gate.clientAddress(req);
    const taken = gate.attempts.take(address);
    if (taken.ok) return undefined;
    gate.refused(where, 429, { action: GUESSABLE.has(where) ? 'api' : 'connect', actor: 'unknown', clientAddress: address, outcome: 'rate-limited' });
    return {
      retryAfterSeconds: taken.retryAfterSeconds,
      message: `Too many attempts from your address. Try again in ${taken.retryAfterSeconds} second${taken.retryAfterSeconds === 1 ? '' : 's'}.`,
    };
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    setSecurityHeaders(res, tls);
    const url = new URL(req.url ?? '/', 'http://proxy');
    if (url.pathname.startsWith('/api/')) {
      setCors(req, res, config.allowedOrigins);
      if (!originAllowed(req, config.allowedOrigins)) {
        return sendError(res, new ApiError('forbidden', 'Requests from this web origin are not allowed.'));
      }
      if (req.method === 'OPTIONS') return void res.writeHead(204).end();
      const limited = GUESSABLE.has(url.pathname) && req.method === 'POST' ? overLimit(req, url.pathname) : undefined;
      if (limited) {
        res.setHeader('Retry-After', String(limited.retryAfterSeconds));
        return sendError(res, new ApiError('too-many-requests', limited.message));
      }
      void api(req, res, url);
      return;
    }
    if (!config.staticDir) return void res.writeHead(404).end();
    serveStatic(config.staticDir, req, res, url.pathname);
  };

  const server = tls
    ? https.createServer({ cert: readFileSync(config.tlsCert!), key: readFileSync(config.tlsKey!) }, onRequest)
    : http.createServer(onRequest);
  // A request must arrive whole and soon: nobody holds a socket by sending headers a byte at a time.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    socket.destroy();
  });

  const endpoints: Record<string, WsEndpoint> = { '/ws/relay': relayEndpoint(services), '/ws/rdp': rdpEndpoint(services) };
  const upgrades = createUpgradeHandler(endpoints, {
    precheck: (req) => {
      if (!originAllowed(req, config.allowedOrigins)) {
        gate.refused('websocket', 403, { action: 'connect', actor: 'unknown', clientAddress: gate.clientAddress(req), outcome: 'foreign-origin' });
        return { ok: false, status: 403, message: 'Connections from this web origin are not allowed.' };
      }
      const limited = overLimit(req, new URL(req.url ?? '/', 'http://proxy').pathname);
      return limited && { ok: false, status: 429, ...limited };
    },
    onInternalError: (where, e) => ops.log.internalError(where, e),
  }, config.wsHeartbeatMs);
  server.on('upgrade', upgrades.onUpgrade);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  origin = `${tls ? 'https' : 'http'}://${host}:${addr.port}`;

  return {
    url: origin,
    services,
    close: async () => {
      upgrades.stop();
      for (const ws of upgrades.clients()) ws.terminate();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections would otherwise go on serving requests until they idle out.
      server.closeAllConnections();
      await closed;
      await liveReport.stop();
      policies.stop();
      sessionLimits.stop();
      await gate.refusals.close();
    },
  };
}
