// The raw TCP relay behind /ws/relay, used by SSH. Binary WebSocket messages carry TCP bytes one to
// one (the websockify convention), so the in-browser SSH client works through a stock websockify too.
// The target always comes from the proxy's own record of the resource: the browser never names a host.
// Everything is decided on the upgrade request (token, protocol, port); a refused visitor never gets
// a WebSocket (see http/upgrade.ts).
// One kind of text message is taken, on SSH sessions only: the page's file report (its totals of
// files moved over SFTP, which the relay cannot see; file-report.ts), kept for the audit row. Any other
// text message ends that connection.
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { WebSocket } from 'ws';
import { CLOSE, WS_PROTOCOL_PREFIX, type Protocol } from '../../src/shared/api.ts';
import { REFUSAL } from '../../src/shared/rules/refusals.ts';
import { authorizeConnection, linkCredential, type Credential, type Grant } from '../auth/access.ts';
import type { Services } from '../services/context.ts';
import type { Admission, WsEndpoint } from '../http/upgrade.ts';
import { socketToWebSocket, webSocketToSocket } from './pipe.ts';
import { FileReports } from './file-report.ts';
import { spendLinkUse } from '../sessions/link-use.ts';

const ENDPOINT = '/ws/relay';

/** Bytes the browser may send before the machine has answered the dial. */
const MAX_EARLY_BYTES = 1 << 20;

/** The secret rides in Sec-WebSocket-Protocol so it never appears in a URL or an access log. */
export function credentialFrom(req: IncomingMessage, resourceId: string | null): Credential | undefined {
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
  for (const p of offered) {
    const cred = credentialOf(p, resourceId);
    if (cred) return cred;
  }
  return undefined;
}

/** 'postern.link.<token>' or 'postern.user.<session token>' (with the resource a user asks for). */
export function credentialOf(secret: string, resourceId: string | null): Credential | undefined {
  if (secret.startsWith(WS_PROTOCOL_PREFIX.link)) return linkCredential(secret.slice(WS_PROTOCOL_PREFIX.link.length));
  if (secret.startsWith(WS_PROTOCOL_PREFIX.user) && resourceId) {
    return { kind: 'user', token: secret.slice(WS_PROTOCOL_PREFIX.user.length), resourceId };
  }
  return undefined;
}

/** WebSocket close reasons are limited to 123 bytes. */
export function closeReason(text: string): string {
  const buf = Buffer.from(text, 'utf8');
  return buf.length <= 123 ? text : buf.subarray(0, 120).toString('utf8').replace(/\uFFFD$/, '') + '…';
}

export function parseTarget(url: URL): { protocol: Protocol; port: number } | string {
  const protocol = url.searchParams.get('protocol');
  if (protocol !== 'ssh' && protocol !== 'rdp') return 'Say which protocol to use: ssh or rdp.';
  const port = Number(url.searchParams.get('port'));
  if (!Number.isInteger(port) || port < 1 || port > 65535) return 'Say which port to use (1–65535).';
  return { protocol, port };
}

export function relayEndpoint(s: Services): WsEndpoint {
  return {
    async admit(req, url): Promise<Admission> {
      const client = s.gate.clientAddress(req);
      const target = parseTarget(url);
      const cred = credentialFrom(req, url.searchParams.get('resource'));
      if (typeof target === 'string' || !cred) {
        const message = typeof target === 'string' ? target : 'This connection carries no link or sign-in token.';
        const status = typeof target === 'string' ? 400 : 401;
        s.gate.refused(ENDPOINT, status, { action: 'connect', actor: 'unknown', clientAddress: client, outcome: 'bad-request', detail: message });
        return { ok: false, status, message };
      }
      const grant = await authorizeConnection(s.store, cred, target.protocol, target.port, { now: s.now(), address: client, codes: s.gate.codes });
      if ('code' in grant) {
        s.gate.refused(ENDPOINT, REFUSAL[grant.code].upgrade, {
          action: 'connect', actor: cred.kind === 'link' ? 'link visitor' : 'user', protocol: target.protocol, port: target.port,
          clientAddress: client, outcome: grant.code, detail: grant.message,
        });
        return { ok: false, status: REFUSAL[grant.code].upgrade, message: grant.message };
      }
      return { ok: true, open: (ws) => relayTo(ws, cred, grant, target, client, s) };
    },
  };
}

async function relayTo(
  ws: WebSocket, cred: Credential, grant: Grant, target: { protocol: Protocol; port: number }, client: string, s: Services,
): Promise<void> {
  const started = Date.now();
  const { resource } = grant;
  let outcome = 'ok';
  let detail: string | undefined;
  let bytesUp = 0;

  // Bytes that arrive while we dial are held (bounded), then sent in order.
  const early: Buffer[] = [];
  let earlyBytes = 0;
  let onMessage = (data: Buffer) => {
    earlyBytes += data.length;
    if (earlyBytes > MAX_EARLY_BYTES) ws.close(CLOSE.badRequest, 'Too much data before the connection was open.');
    else early.push(data);
  };
  // The page's file reports: on SSH sessions (a link's or a console user's), where the worker sends them.
  // Text takes its own path: a binary message costs the one isBinary test it always did.
  const reports = target.protocol === 'ssh' ? new FileReports() : undefined;
  const onText = (data: Buffer) => {
    if (!reports) return ws.close(1003, 'Only binary messages are relayed.');
    const refused = reports.take(data);
    if (refused) end(1003, refused, 'bad-report');
  };
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary) return onText(data);
    onMessage(data);
  });

  // A link's use counts once the machine has answered; if the last use went to someone else
  // meanwhile, or the link is gone, this session ends and says which.
  const down = socketToWebSocket(ws, grant.linkId === undefined ? undefined : () => {
    spendLinkUse(s.store, grant.linkId!).then((refused) => {
      if (refused) end(refused.close, refused.reason, refused.outcome);
    }, (e) => s.ops.log.internalError('link use count', e));
  });
  const tcp = net.connect({ host: resource.address, port: target.port, onread: down.onread });
  down.attach(tcp);
  // Interactive protocols: Nagle plus the peer's delayed ACK would stall small packets (~40 ms each).
  tcp.setNoDelay(true);
  const end = (code: number, reason: string, why: string) => {
    if (outcome === 'ok') {
      outcome = why;
      detail = reason;
    }
    ws.close(code, closeReason(reason));
    tcp.destroy();
  };
  const unregister = s.live.add({
    linkId: grant.linkId,
    resourceId: resource.id,
    userId: grant.userId,
    sessionHash: grant.sessionHash,
    end: (code, reason) => end(code, reason, code === CLOSE.sessionIdle ? 'idle' : code === CLOSE.sessionTooLong ? 'too-long' : 'ended-by-admin'),
    facts: {
      actor: grant.actor, linkId: grant.linkId, resourceId: resource.id, resourceName: resource.name,
      protocol: target.protocol, port: target.port, clientAddress: client, startedAt: new Date(started).toISOString(),
    },
    bytes: () => ({ bytesUp, bytesDown: down.bytes() }),
    limits: grant.policy,
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
    onMessage = (data) => {
      bytesUp += data.length;
      up(data);
    };
  });

  tcp.on('error', (err: NodeJS.ErrnoException) => {
    clearTimeout(timer);
    if (outcome !== 'ok') return;
    const [message, code] = dialFailure(err, `"${resource.name}" port ${target.port}`, resource.name);
    outcome = (err.code ?? 'error').toLowerCase();
    detail = message;
    ws.close(code, closeReason(message));
  });
  tcp.on('close', () => {
    clearTimeout(timer);
    if (ws.readyState === ws.OPEN) ws.close(1000, 'The machine closed the connection.');
  });

  const auditId = s.store.addAudit({
    action: 'connect', actor: grant.actor, linkId: grant.linkId, resourceId: resource.id, resourceName: resource.name,
    protocol: target.protocol, port: target.port, clientAddress: client, outcome: 'open',
  }).catch(() => undefined);
  const who = {
    endpoint: ENDPOINT, protocol: target.protocol, port: target.port, resourceId: resource.id, linkId: grant.linkId,
    actor: grant.actor, client,
  };
  s.ops.log.connectionOpened(who);
  s.ops.metrics.connectionOpened(who);
  ws.on('close', () => {
    clearTimeout(timer);
    tcp.destroy();
    unregister();
    const closed = { ...who, outcome, bytesUp, bytesDown: down.bytes(), durationMs: Date.now() - started };
    s.ops.log.connectionClosed(closed);
    s.ops.metrics.connectionClosed(closed);
    void auditId.then(async (id) => {
      if (id !== undefined) {
        const r = reports?.last;
        const files = r && { up: r.filesUp, down: r.filesDown, bytesUp: r.bytesUp, bytesDown: r.bytesDown, countedBy: 'client' as const };
        await s.store.updateAudit(id, { outcome, detail, bytesUp, bytesDown: down.bytes(), durationMs: Date.now() - started, files });
      }
    }).catch(() => {});
  });

  // A deletion that landed between the check and the registration above would have found nothing to
  // end: look once more now that this session can be found.
  // Live: its use is counted as it starts, so only expiry and hours end it from now on.
  const again = await authorizeConnection(s.store, cred, target.protocol, target.port, { now: s.now(), live: true });
  if ('code' in again) end(REFUSAL[again.code].close, again.message, again.code);
  else if (grant.linkId !== undefined) s.policies.watch(grant.linkId);
}

function dialFailure(err: NodeJS.ErrnoException, where: string, name: string): [string, number] {
  switch (err.code) {
    case 'ECONNREFUSED': return [`The connection was refused by ${where}: nothing is listening there.`, CLOSE.targetUnreachable];
    case 'ETIMEDOUT': return [`${where} did not answer in time.`, CLOSE.targetTimeout];
    case 'EHOSTUNREACH':
    case 'ENETUNREACH': return [`${where} cannot be reached from the proxy.`, CLOSE.targetUnreachable];
    case 'ENOTFOUND': return [`The address of "${name}" could not be resolved by the proxy.`, CLOSE.targetUnreachable];
    default: return [`The connection to ${where} failed (${err.code ?? err.message}).`, CLOSE.targetUnreachable];
  }
}
