// The raw TCP relay behind /ws/relay, used by SSH. Binary WebSocket messages carry TCP bytes one to
// one (the websockify convention), so the in-browser SSH client works through a stock websockify too.
// The target always comes from the proxy's own record of the resource: the browser never names a host.
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { WebSocket } from 'ws';
import { CLOSE, WS_PROTOCOL_PREFIX, type Protocol } from '../../src/shared/api.ts';
import { authorizeConnection, type Credential, type Grant, type Refusal } from '../auth/access.ts';
import type { Services } from '../api/context.ts';
import { socketToWebSocket, webSocketToSocket } from './pipe.ts';

const REFUSAL_CLOSE: Record<Refusal['code'], number> = {
  'not-found': CLOSE.notFound,
  'feature-disabled': CLOSE.featureDisabled,
  'resource-deleted': CLOSE.resourceDeleted,
  forbidden: CLOSE.forbidden,
  unauthenticated: CLOSE.unauthenticated,
};

/** The secret rides in Sec-WebSocket-Protocol so it never appears in a URL or an access log. */
export function credentialFrom(req: IncomingMessage, resourceId: string | null): Credential | undefined {
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
  for (const p of offered) {
    if (p.startsWith(WS_PROTOCOL_PREFIX.link)) return { kind: 'link', token: p.slice(WS_PROTOCOL_PREFIX.link.length) };
    if (p.startsWith(WS_PROTOCOL_PREFIX.user) && resourceId) {
      return { kind: 'user', token: p.slice(WS_PROTOCOL_PREFIX.user.length), resourceId };
    }
  }
  return undefined;
}

/** WebSocket close reasons are limited to 123 bytes. */
export function closeReason(text: string): string {
  const buf = Buffer.from(text, 'utf8');
  return buf.length <= 123 ? text : buf.subarray(0, 120).toString('utf8').replace(/\uFFFD$/, '') + '…';
}

export function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

export function parseTarget(url: URL): { protocol: Protocol; port: number } | string {
  const protocol = url.searchParams.get('protocol');
  if (protocol !== 'ssh' && protocol !== 'rdp') return 'Say which protocol to use: ssh or rdp.';
  const port = Number(url.searchParams.get('port'));
  if (!Number.isInteger(port) || port < 1 || port > 65535) return 'Say which port to use (1–65535).';
  return { protocol, port };
}

export async function handleRelay(ws: WebSocket, req: IncomingMessage, url: URL, s: Services): Promise<void> {
  const started = Date.now();
  const client = clientAddress(req);
  // Bytes that arrive while we authorise and dial are held (bounded), then sent in order.
  const early: Buffer[] = [];
  let earlyBytes = 0;
  let onMessage = (data: Buffer) => {
    earlyBytes += data.length;
    if (earlyBytes > 1 << 20) ws.close(CLOSE.badRequest, 'Too much data before the connection was open.');
    else early.push(data);
  };
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary) return ws.close(1003, 'Only binary messages are relayed.');
    onMessage(data);
  });

  const target = parseTarget(url);
  const cred = credentialFrom(req, url.searchParams.get('resource'));
  if (typeof target === 'string' || !cred) {
    const message = typeof target === 'string' ? target : 'This connection carries no link or sign-in token.';
    await s.store.addAudit({ action: 'connect', actor: 'unknown', clientAddress: client, outcome: 'bad-request', detail: message });
    return ws.close(CLOSE.badRequest, closeReason(message));
  }
  const grant = await authorizeConnection(s.store, cred, target.protocol, target.port);
  if ('code' in grant) {
    await s.store.addAudit({
      action: 'connect', actor: cred.kind === 'link' ? 'link visitor' : 'user', protocol: target.protocol, port: target.port,
      clientAddress: client, outcome: grant.code, detail: grant.message,
    });
    return ws.close(REFUSAL_CLOSE[grant.code], closeReason(grant.message));
  }
  if (ws.readyState !== ws.OPEN) return;
  await relayTo(ws, grant, target, client, started, s, early, (fn) => (onMessage = fn));
}

async function relayTo(
  ws: WebSocket, grant: Grant, target: { protocol: Protocol; port: number }, client: string, started: number,
  s: Services, early: Buffer[], setOnMessage: (fn: (d: Buffer) => void) => void,
): Promise<void> {
  const { resource } = grant;
  const auditId = await s.store.addAudit({
    action: 'connect', actor: grant.actor, linkId: grant.linkId, resourceId: resource.id, resourceName: resource.name,
    protocol: target.protocol, port: target.port, clientAddress: client, outcome: 'open',
  });
  const down = socketToWebSocket(ws);
  const tcp = net.connect({ host: resource.address, port: target.port, onread: down.onread });
  down.attach(tcp);
  // Interactive protocols: Nagle plus the peer's delayed ACK would stall small packets (~40 ms each).
  tcp.setNoDelay(true);
  let outcome = 'ok';
  let detail: string | undefined;
  let bytesUp = 0;
  const unregister = s.live.add({
    linkId: grant.linkId,
    resourceId: resource.id,
    userId: grant.userId,
    sessionHash: grant.sessionHash,
    end: (code, reason) => {
      outcome = 'ended-by-admin';
      detail = reason;
      ws.close(code, closeReason(reason));
      tcp.destroy();
    },
  });
  const timer = setTimeout(() => tcp.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })), s.config.connectTimeoutMs);

  tcp.once('connect', () => {
    clearTimeout(timer);
    for (const b of early) {
      bytesUp += b.length;
      tcp.write(b);
    }
    early.length = 0;
    const up = webSocketToSocket(ws, tcp);
    setOnMessage((data) => {
      bytesUp += data.length;
      up(data);
    });
  });

  tcp.on('error', (err: NodeJS.ErrnoException) => {
    clearTimeout(timer);
    if (outcome !== 'ok') return;
    const where = `"${resource.name}" port ${target.port}`;
    const reasons: Record<string, [string, number]> = {
      ECONNREFUSED: [`The connection was refused by ${where}: nothing is listening there.`, CLOSE.targetUnreachable],
      ETIMEDOUT: [`${where} did not answer in time.`, CLOSE.targetTimeout],
      EHOSTUNREACH: [`${where} cannot be reached from the proxy.`, CLOSE.targetUnreachable],
      ENETUNREACH: [`${where} cannot be reached from the proxy.`, CLOSE.targetUnreachable],
      ENOTFOUND: [`The address of "${resource.name}" could not be resolved by the proxy.`, CLOSE.targetUnreachable],
    };
    const [message, code] = reasons[err.code ?? ''] ?? [`The connection to ${where} failed (${err.code ?? err.message}).`, CLOSE.targetUnreachable];
    outcome = (err.code ?? 'error').toLowerCase();
    detail = message;
    ws.close(code, closeReason(message));
  });
  tcp.on('close', () => {
    clearTimeout(timer);
    if (ws.readyState === ws.OPEN) ws.close(1000, 'The machine closed the connection.');
  });
  ws.on('close', () => {
    tcp.destroy();
    unregister();
    void s.store.updateAudit(auditId, {
      outcome, detail, bytesUp, bytesDown: down.bytes(), durationMs: Date.now() - started,
    }).catch(() => {});
  });
}
