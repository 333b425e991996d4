// Why a link or a tunnel is refused, as one table: each reason has one API code, one HTTP status for a
// refused WebSocket upgrade, one close code for a session ended for it, one RDCleanPath status, and
// its sentences live beside it. The proxy's relay, its RDP gateway, its API and the demo's in-page
// API all refuse through here.
import { CLOSE, RDP_STATUS, type ApiErrorCode, type Link, type LinkInfo, type Protocol, type Resource } from '../api.ts';
import { ApiError } from './errors.ts';

export type RefusalCode =
  | 'not-found' | 'feature-disabled' | 'resource-deleted' | 'forbidden' | 'unauthenticated' | 'expired' | 'used-up' | 'outside-hours';

export interface Refusal {
  code: RefusalCode;
  /** A sentence for a person. */
  message: string;
}

export const REFUSAL: Record<RefusalCode, { api: ApiErrorCode; upgrade: number; close: number; rdp: number }> = {
  'not-found': { api: 'not-found', upgrade: 404, close: CLOSE.notFound, rdp: RDP_STATUS.notFound },
  'feature-disabled': { api: 'feature-disabled', upgrade: 423, close: CLOSE.featureDisabled, rdp: RDP_STATUS.featureDisabled },
  'resource-deleted': { api: 'resource-deleted', upgrade: 410, close: CLOSE.resourceDeleted, rdp: RDP_STATUS.resourceDeleted },
  forbidden: { api: 'forbidden', upgrade: 403, close: CLOSE.forbidden, rdp: RDP_STATUS.forbidden },
  unauthenticated: { api: 'unauthenticated', upgrade: 401, close: CLOSE.unauthenticated, rdp: RDP_STATUS.unauthenticated },
  expired: { api: 'link-expired', upgrade: 410, close: CLOSE.linkExpired, rdp: RDP_STATUS.linkExpired },
  'used-up': { api: 'link-used-up', upgrade: 410, close: CLOSE.linkUsedUp, rdp: RDP_STATUS.linkUsedUp },
  'outside-hours': { api: 'outside-hours', upgrade: 403, close: CLOSE.outsideHours, rdp: RDP_STATUS.outsideHours },
};

export const refusals = {
  linkNotFound: (): Refusal => ({ code: 'not-found', message: 'This link does not exist. It may have been deleted, or mistyped.' }),
  linksOff: (): Refusal => ({ code: 'feature-disabled', message: 'Shareable links are turned off on this Postern, so this link cannot be used now.' }),
  linkResourceDeleted: (resourceName: string): Refusal => ({
    code: 'resource-deleted',
    message: `The machine this link was for ("${resourceName}") has been deleted, so the link no longer connects.`,
  }),
  machineDeleted: (): Refusal => ({ code: 'resource-deleted', message: 'This machine has been deleted.' }),
  sessionEnded: (): Refusal => ({ code: 'unauthenticated', message: 'Please sign in again: your session has ended.' }),
};

/** Whether a link can be used now: it exists, links are on, and its machine is still there. */
export function linkRefusal(link: Link | undefined, shareableLinks: boolean, resource: Resource | undefined): Refusal | undefined {
  if (!link) return refusals.linkNotFound();
  if (!shareableLinks) return refusals.linksOff();
  if (!resource) return refusals.linkResourceDeleted(link.resourceName);
  return undefined;
}

/** What a link page may know about its machine: its name, ports and pinned host key; never its address. */
export function linkInfoOf(resource: Resource): LinkInfo {
  const info: LinkInfo = { resourceName: resource.name, ports: resource.ports };
  if (resource.sshHostKeyFingerprint) info.sshHostKeyFingerprint = resource.sshHostKeyFingerprint;
  return info;
}

/** Whether a machine allows this protocol on this port. */
export function portRefusal(resource: Resource, protocol: Protocol, port: number): Refusal | undefined {
  const allowed = resource.ports[protocol];
  if (!allowed) return { code: 'forbidden', message: `"${resource.name}" does not allow ${protocol.toUpperCase()} connections.` };
  if (!allowed.includes(port)) {
    return { code: 'forbidden', message: `"${resource.name}" allows ${protocol.toUpperCase()} only on port ${allowed.join(', ')}.` };
  }
  return undefined;
}

/** A refusal as an API error (the link page's look-up, the tunnel check). */
export function refusalError(r: Refusal): ApiError {
  return new ApiError(REFUSAL[r.code].api, r.message);
}

export const LINKS_OFF_FOR_CREATE = 'Shareable links are turned off. An owner can turn them on in Settings.';
