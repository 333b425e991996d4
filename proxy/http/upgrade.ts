// The gate in front of every WebSocket endpoint. A WebSocket is made only for a visitor the endpoint
// has admitted: the Origin, the per-address attempt limit and the endpoint's own check (for the relay:
// the token and the requested protocol and port) are all decided on the plain HTTP upgrade request,
// and a refusal is a short HTTP answer on a socket that is then closed. Nobody who is refused ever
// reaches the WebSocket frame parser. Every socket gets an error path that ends that one connection.
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/** An endpoint's answer to an upgrade request. */
export type Admission =
  | {
      ok: true;
      /** Runs the connection; resolves when it is over. */
      open(ws: WebSocket): Promise<void>;
      /** Called instead of `open` when the visitor went away before the upgrade finished. */
      cancel?(): void;
    }
  | UpgradeRefusal;

export interface UpgradeRefusal {
  ok: false;
  /** HTTP status: 400, 401, 403, 404, 410, 423, 429, 503… */
  status: number;
  /** A sentence for a person; sent as the body (never contains a secret). */
  message: string;
  retryAfterSeconds?: number;
}

export interface WsEndpoint {
  admit(req: IncomingMessage, url: URL): Promise<Admission>;
}

export interface UpgradeGate {
  /** Before any endpoint work: Origin and the attempt limit. */
  precheck(req: IncomingMessage): UpgradeRefusal | undefined;
  /** A connection failed inside: a line for the operator, never a secret. */
  onInternalError(where: string, e: unknown): void;
}

/** Largest frame (and message) a visitor may send. */
export const MAX_MESSAGE_BYTES = 1 << 20;

export function createUpgradeHandler(endpoints: Record<string, WsEndpoint>, gate: UpgradeGate, heartbeatMs = 0) {
  // The secret is offered as a second subprotocol; the server always answers with plain 'binary'.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : false),
  });

  /** Sockets that answered the last heartbeat ping (or opened since). */
  const answered = new WeakSet<WebSocket>();

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://proxy');
    } catch {
      return refuse(socket, { ok: false, status: 400, message: 'The request URL cannot be read.' });
    }
    const endpoint = Object.hasOwn(endpoints, url.pathname) ? endpoints[url.pathname] : undefined;
    if (!endpoint) return refuse(socket, { ok: false, status: 404, message: `There is no WebSocket endpoint at ${url.pathname}.` });
    const early = gate.precheck(req);
    if (early) return refuse(socket, early);

    endpoint.admit(req, url).then((admission) => {
      if (!admission.ok) return refuse(socket, admission);
      if (socket.destroyed || !socket.writable) return admission.cancel?.();
      let upgraded = false;
      socket.once('close', () => {
        if (!upgraded) admission.cancel?.();
      });
      wss.handleUpgrade(req, socket, head, (ws) => {
        upgraded = true;
        answered.add(ws);
        ws.on('pong', () => answered.add(ws));
        // ws reports a malformed frame, an oversized message or a socket failure here, then closes:
        // that ends this one connection (the endpoint's 'close' handlers run) and nothing else.
        ws.on('error', () => ws.terminate());
        admission.open(ws).catch((e) => {
          gate.onInternalError(`WebSocket ${url.pathname}`, e);
          ws.close(1011, 'The proxy hit an internal error.');
        });
      });
    }).catch((e) => {
      gate.onInternalError(`WebSocket admission ${url.pathname}`, e);
      refuse(socket, { ok: false, status: 500, message: 'The proxy could not check this connection.' });
    });
  };

  // Browsers answer pings by themselves: a socket that missed one is gone (a closed laptop, a lost
  // network) and is ended, so its session and its place in the live list go too.
  const heartbeat = heartbeatMs > 0 ? setInterval(() => {
    for (const ws of wss.clients) {
      if (!answered.has(ws)) {
        ws.terminate();
        continue;
      }
      answered.delete(ws);
      ws.ping();
    }
  }, heartbeatMs).unref() : undefined;

  return { onUpgrade, clients: () => wss.clients, stop: () => clearInterval(heartbeat) };
}

/** Answers a refused upgrade with a plain HTTP response and closes the socket. */
export function refuse(socket: Duplex, r: UpgradeRefusal): void {
  if (socket.destroyed) return;
  const body = Buffer.from(r.message + '\n', 'utf8');
  const head = [
    `HTTP/1.1 ${r.status} ${STATUS_CODES[r.status] ?? 'Refused'}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${body.length}`,
    ...(r.retryAfterSeconds !== undefined ? [`Retry-After: ${r.retryAfterSeconds}`] : []),
  ];
  socket.end(Buffer.concat([Buffer.from(head.join('\r\n') + '\r\n\r\n', 'latin1'), body]));
  // A client that never reads its answer must not hold the socket open.
  setTimeout(() => socket.destroy(), 2_000).unref();
}
