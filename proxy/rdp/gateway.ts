// Wires the RDCleanPath endpoint into the proxy: the same token and target rules as the TCP relay,
// trust on first use for the target's certificate, live-session ending and the audit trail.
// IronRDP sends its token inside the first message, not in the upgrade request, so an RDP WebSocket
// is made before the token is known: such sockets are capped in number (maxPendingRdp) and each
// must send its request within rdpRequestTimeoutMs, or it is closed.
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { RDP_STATUS } from '../../src/shared/api.ts';
import type { Services } from '../services/context.ts';
import { REFUSAL } from '../../src/shared/rules/refusals.ts';
import { spendLinkUse } from '../sessions/link-use.ts';
import { clipboardAllows, fileTransferAllows } from '../../src/shared/rules/policy.ts';
import { ClipboardFileCount } from './clipboard-files.ts';
import { authorizeConnection, linkCredential, type Credential } from '../auth/access.ts';
import type { Admission, WsEndpoint } from '../http/upgrade.ts';
import { handleRdCleanPath, type RdpGrant, type RdpRefusal } from './endpoint.ts';
import { parseDestination } from './rdcleanpath.ts';


/** 'link.<token>' or 'user.<session token>', with the resource id from the destination for users. */
function credentialOf(proxyAuth: string, destinationHost: string): Credential | undefined {
  if (proxyAuth.startsWith('link.')) return linkCredential(proxyAuth.slice(5));
  if (proxyAuth.startsWith('user.')) return { kind: 'user', token: proxyAuth.slice(5), resourceId: destinationHost };
  return undefined;
}

/**
 * POSTERN_RDP_TRACE=cliprdr prints one line per clipboard message of every RDP session (types,
 * format ids, sizes; never contents), to diagnose clipboard problems with a particular server.
 */
const ENDPOINT = '/ws/rdp';

const TRACE = (process.env.POSTERN_RDP_TRACE ?? '').split(',').includes('cliprdr');
let traceCount = 0;

export function rdpEndpoint(s: Services): WsEndpoint {
  let pending = 0;
  return {
    async admit(req): Promise<Admission> {
      if (pending >= s.config.maxPendingRdp) {
        s.gate.refused(ENDPOINT, 503, {
          action: 'connect', actor: 'unknown', protocol: 'rdp', clientAddress: s.gate.clientAddress(req), outcome: 'busy',
          detail: 'Too many RDP connections were waiting for their first message.',
        });
        return { ok: false, status: 503, message: 'Too many RDP connections are starting at once. Try again in a moment.', retryAfterSeconds: 5 };
      }
      pending++;
      let released = false;
      const release = () => {
        if (!released) pending--;
        released = true;
      };
      return { ok: true, cancel: release, open: (ws) => handleRdpGateway(ws, req, s, release).finally(release) };
    },
  };
}

async function handleRdpGateway(ws: WebSocket, req: IncomingMessage, s: Services, requestRead: () => void): Promise<void> {
  const client = s.gate.clientAddress(req);
  const started = Date.now();
  const session = ++traceCount;
  const trace = TRACE ? (line: string) => console.log(`[rdp ${session}] ${line}`) : undefined;

  const refuse = async (code: string, message: string, httpStatus: number, extra: { port?: number } = {}): Promise<RdpRefusal> => {
    s.gate.refused(ENDPOINT, httpStatus, { action: 'connect', actor: 'unknown', protocol: 'rdp', port: extra.port, clientAddress: client, outcome: code, detail: message });
    return { ok: false, httpStatus, code, message };
  };

  const authorize = async (proxyAuth: string, destination: string): Promise<RdpGrant | RdpRefusal> => {
    requestRead();
    const dest = parseDestination(destination);
    if (!dest) return refuse('bad-request', 'The RDP destination is not "<name>:<port>".', RDP_STATUS.badRequest);
    const cred = credentialOf(proxyAuth, dest.host);
    if (!cred) return refuse('bad-request', 'This connection carries no link or sign-in token.', RDP_STATUS.badRequest, dest);
    const grant = await authorizeConnection(s.store, cred, 'rdp', dest.port, { now: s.now(), address: client, codes: s.gate.codes });
    if ('code' in grant) return refuse(grant.code, grant.message, REFUSAL[grant.code].rdp, dest);

    const { resource } = grant;
    const who = {
      endpoint: ENDPOINT, protocol: 'rdp' as const, port: dest.port, resourceId: resource.id, linkId: grant.linkId,
      actor: grant.actor, client,
    };
    let relaying = false;
    /** Clipboard messages the link's rule held back, each way (counted, never their content). */
    const blocked = { to: 0, from: 0 };
    const blockedFiles = { to: 0, from: 0 };
    /** Files and their bytes that crossed the clipboard, each way (for the audit row). */
    const fileCount = new ClipboardFileCount();
    const auditId = await s.store.addAudit({
      action: 'connect', actor: grant.actor, linkId: grant.linkId, resourceId: resource.id, resourceName: resource.name,
      protocol: 'rdp', port: dest.port, clientAddress: client, outcome: 'open',
    });
    return {
      ok: true,
      host: resource.address,
      port: dest.port,
      autologon: true,
      label: `"${resource.name}" port ${dest.port}`,
      pinnedCertFingerprint: resource.rdpCertFingerprint,
      // Links only: a signed-in user's session has no link rule, and both ways stay open.
      clipboard: grant.policy?.clipboard ? clipboardAllows(grant.policy.clipboard) : undefined,
      files: grant.policy?.fileTransfer ? fileTransferAllows(grant.policy.fileTransfer) : undefined,
      fileCount,
      onClipboardBlocked: (way, _message, rule) => {
        if (rule === 'fileTransfer') {
          if (blockedFiles[way]++ === 0) {
            s.ops.log.pino.info({ event: 'rdp.files-blocked', linkId: grant.linkId, resourceId: resource.id, way, client },
              `the link's file-transfer rule held back files ${way === 'to' ? 'to' : 'from'} the machine`);
          }
          return;
        }
        if (blocked[way]++ === 0) {
          s.ops.log.pino.info({ event: 'rdp.clipboard-blocked', linkId: grant.linkId, resourceId: resource.id, way, client },
            `the link's clipboard rule held back clipboard content ${way === 'to' ? 'to' : 'from'} the machine`);
        }
      },
      rememberCertificate: async (fp) => {
        // The store audits rdp.certificate-pinned in the same transaction as the pin.
        if ((await s.store.pinRdpCertificate(resource.id, fp, grant.actor)) !== fp) {
          throw new Error('Another certificate was pinned for this machine meanwhile.');
        }
      },
      onOpen: (end, bytes) => {
        relaying = true;
        s.ops.log.connectionOpened(who);
        s.ops.metrics.connectionOpened(who);
        const unregister = s.live.add({
          linkId: grant.linkId, resourceId: resource.id, userId: grant.userId, sessionHash: grant.sessionHash,
          end: (_code, reason) => end(reason),
          facts: {
            actor: grant.actor, linkId: grant.linkId, resourceId: resource.id, resourceName: resource.name,
            protocol: 'rdp', port: dest.port, clientAddress: client, startedAt: new Date(started).toISOString(),
          },
          bytes,
          limits: grant.policy,
        });
        // A deletion between the check and the registration would have found nothing to end.
        // Live: only expiry and hours end it from now on; its use counts now that the relay runs.
        void authorizeConnection(s.store, cred, 'rdp', dest.port, { now: s.now(), live: true }).then((again) => {
          if ('code' in again) end(again.message);
          else if (grant.linkId !== undefined) s.policies.watch(grant.linkId);
        }, () => {});
        if (grant.linkId !== undefined) {
          spendLinkUse(s.store, grant.linkId).then((refused) => {
            if (refused) end(refused.reason);
          }, (e) => s.ops.log.internalError('link use count', e));
        }
        return unregister;
      },
      onClose: (summary) => {
        const closed = { ...who, outcome: summary.outcome, bytesUp: summary.bytesUp, bytesDown: summary.bytesDown, durationMs: Date.now() - started };
        if (relaying) s.ops.metrics.connectionClosed(closed);
        s.ops.log.connectionClosed(closed);
        const held = (['to', 'from'] as const).filter((w) => blocked[w] > 0)
          .map((w) => `${blocked[w]} clipboard message${blocked[w] === 1 ? '' : 's'} ${w} the machine`);
        const ruleNote = held.length ? `The link's clipboard rule held back ${held.join(' and ')}.` : undefined;
        const heldFiles = (['to', 'from'] as const).filter((w) => blockedFiles[w] > 0)
          .map((w) => `${blockedFiles[w]} file message${blockedFiles[w] === 1 ? '' : 's'} ${w} the machine`);
        const fileRuleNote = heldFiles.length ? `The link's file-transfer rule held back ${heldFiles.join(' and ')}.` : undefined;
        void s.store.updateAudit(auditId, {
          outcome: summary.outcome, detail: [summary.detail, ruleNote, fileRuleNote].filter(Boolean).join(' ') || undefined, bytesUp: summary.bytesUp, bytesDown: summary.bytesDown,
          durationMs: Date.now() - started,
          // Counted only while the relay ran: a session refused before it moved nothing.
          files: relaying ? fileCount.counts() : undefined,
        }).catch(() => {});
      },
    };
  };

  await handleRdCleanPath(ws, {
    authorize,
    requestTimeoutMs: s.config.rdpRequestTimeoutMs,
    connectTimeoutMs: s.config.connectTimeoutMs,
    trace,
    onRequestFailure: (f) => {
      requestRead();
      const status = f.code === 'too-large' ? 413 : f.code === 'request-timeout' ? 408 : 400;
      s.gate.refused(ENDPOINT, status, { action: 'connect', actor: 'unknown', protocol: 'rdp', clientAddress: client, outcome: f.code, detail: f.message });
    },
  });
}
