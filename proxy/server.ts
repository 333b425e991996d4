// The HTTP(S) server: security headers on everything, /api to the JSON API, /ws/* to the tunnels,
// everything else to the built SPA.
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Services } from './api/context.ts';
import { createApi } from './api/router.ts';
import type { Config } from './config.ts';
import { originAllowed, setCors, setSecurityHeaders } from './http/headers.ts';
import { ApiError, sendError } from './http/json.ts';
import { serveStatic } from './http/static.ts';
import { LiveSessions } from './relay/live-sessions.ts';
import { handleRelay } from './relay/tcp-relay.ts';
import { handleRdpGateway } from './rdp/gateway.ts';
import type { Store } from './store/store.ts';

/** Extra WebSocket endpoints (the RDP gateway registers /ws/rdp here). */
export type WsHandler = (ws: import('ws').WebSocket, req: IncomingMessage, url: URL, s: Services) => Promise<void>;

export interface Running {
  url: string;
  services: Services;
  close(): Promise<void>;
}

export async function startServer(config: Config, store: Store, wsHandlers: Record<string, WsHandler> = {}): Promise<Running> {
  const tls = Boolean(config.tlsCert && config.tlsKey);
  const live = new LiveSessions();
  let origin = '';
  const services: Services = {
    store,
    config,
    live,
    signinUrl: (token) => `${config.publicUrl?.replace(/\/?$/, '/') ?? origin + '/'}#/signin/${token}`,
  };
  const api = createApi(services);
  const endpoints: Record<string, WsHandler> = { '/ws/relay': handleRelay, '/ws/rdp': handleRdpGateway, ...wsHandlers };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    setSecurityHeaders(res, tls);
    const url = new URL(req.url ?? '/', 'http://proxy');
    if (url.pathname.startsWith('/api/')) {
      setCors(req, res, config.allowedOrigins);
      if (!originAllowed(req, config.allowedOrigins)) {
        return sendError(res, new ApiError('forbidden', 'Requests from this web origin are not allowed.'));
      }
      if (req.method === 'OPTIONS') return void res.writeHead(204).end();
      void api(req, res, url);
      return;
    }
    if (!config.staticDir) return void res.writeHead(404).end();
    serveStatic(config.staticDir, req, res, url.pathname);
  };

  const server = tls
    ? https.createServer({ cert: readFileSync(config.tlsCert!), key: readFileSync(config.tlsKey!) }, onRequest)
    : http.createServer(onRequest);
  // The secret is offered as a second subprotocol; the server always answers with plain 'binary'.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 1 << 20,
    handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : false),
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const handler = endpoints[url.pathname];
    if (!handler || !originAllowed(req, config.allowedOrigins)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      handler(ws, req, url, services).catch((e) => {
        console.error(`WebSocket ${url.pathname} failed:`, (e as Error)?.message ?? e);
        ws.close(1011, 'The proxy hit an internal error.');
      });
    });
  });

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
      for (const ws of wss.clients) ws.terminate();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections would otherwise go on serving requests until they idle out.
      server.closeAllConnections();
      await closed;
    },
  };
}
