// Wires the RDCleanPath endpoint into the proxy: the same token and target rules as the TCP relay,
// trust on first use for the target's certificate, live-session ending and the audit trail.
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { RDP_STATUS } from '../../src/shared/api.ts';
import type { Services } from '../api/context.ts';
import { authorizeConnection, type Credential, type Refusal } from '../auth/access.ts';
import { clientAddress } from '../relay/tcp-relay.ts';
import { handleRdCleanPath, type RdpGrant, type RdpRefusal } from './endpoint.ts';
import { parseDestination } from './rdcleanpath.ts';

const REFUSAL_STATUS: Record<Refusal['code'], number> = {
  'not-found': RDP_STATUS.notFound,
  'feature-disabled': RDP_STATUS.featureDisabled,
  'resource-deleted': RDP_STATUS.resourceDeleted,
  forbidden: RDP_STATUS.forbidden,
  unauthenticated: RDP_STATUS.unauthenticated,
};

/** 'link.<token>' or 'user.<session token>', with the resource id from the destination for users. */
function credentialOf(proxyAuth: string, destinationHost: string): Credential | undefined {
  if (proxyAuth.startsWith('link.')) return { kind: 'link', token: proxyAuth.slice(5) };
  if (proxyAuth.startsWith('user.')) return { kind: 'user', token: proxyAuth.slice(5), resourceId: destinationHost };
  return undefined;
}

/**
 * POSTERN_RDP_TRACE=cliprdr prints one line per clipboard message of every RDP session (types,
 * format ids, sizes; never contents), to diagnose clipboard problems with a particular server.
 */
const TRACE = (process.env.POSTERN_RDP_TRACE ?? '').split(',').includes('cliprdr');
let traceCount = 0;

export async function handleRdpGateway(ws: WebSocket, req: IncomingMessage, _url: URL, s: Services): Promise<void> {
  const client = clientAddress(req);
  const started = Date.now();
  const session = ++traceCount;
  const trace = TRACE ? (line: string) => console.log(`[rdp ${session}] ${line}`) : undefined;

  const refuse = async (code: string, message: string, httpStatus: number, extra: { port?: number } = {}): Promise<RdpRefusal> => {
    await s.store.addAudit({ action: 'connect', actor: 'unknown', protocol: 'rdp', port: extra.port, clientAddress: client, outcome: code, detail: message });
    return { ok: false, httpStatus, code, message };
  };

  const authorize = async (proxyAuth: string, destination: string): Promise<RdpGrant | RdpRefusal> => {
    const dest = parseDestination(destination);
    if (!dest) return refuse('bad-request', 'The RDP destination is not "<name>:<port>".', RDP_STATUS.badRequest);
    const cred = credentialOf(proxyAuth, dest.host);
    if (!cred) return refuse('bad-request', 'This connection carries no link or sign-in token.', RDP_STATUS.badRequest, dest);
    const grant = await authorizeConnection(s.store, cred, 'rdp', dest.port);
    if ('code' in grant) return refuse(grant.code, grant.message, REFUSAL_STATUS[grant.code], dest);

    const { resource } = grant;
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
      rememberCertificate: async (fp) => {
        if ((await s.store.pinRdpCertificate(resource.id, fp)) !== fp) {
          throw new Error('Another certificate was pinned for this machine meanwhile.');
        }
        await s.store.addAudit({ action: 'rdp.certificate-pinned', actor: grant.actor, resourceId: resource.id, resourceName: resource.name, outcome: 'ok', detail: fp });
      },
      onOpen: (end) => s.live.add({
        linkId: grant.linkId, resourceId: resource.id, userId: grant.userId, sessionHash: grant.sessionHash,
        end: (_code, reason) => end(reason),
      }),
      onClose: (summary) => {
        void s.store.updateAudit(auditId, {
          outcome: summary.outcome, detail: summary.detail, bytesUp: summary.bytesUp, bytesDown: summary.bytesDown,
          durationMs: Date.now() - started,
        }).catch(() => {});
      },
    };
  };

  await handleRdCleanPath(ws, {
    authorize,
    connectTimeoutMs: s.config.connectTimeoutMs,
    trace,
    onRequestFailure: (f) => {
      void s.store.addAudit({ action: 'connect', actor: 'unknown', protocol: 'rdp', clientAddress: client, outcome: f.code, detail: f.message }).catch(() => {});
    },
  });
}
