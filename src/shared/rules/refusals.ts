// Why a link or a tunnel is refused, as one table: each reason has one API code, one HTTP status for a
// refused WebSocket upgrade, one close code for a session ended for it, one RDCleanPath status, and
// its sentences live beside it. The proxy's relay, its RDP gateway, its API and the demo's in-page
// API all refuse through here.
import { CLOSE, RDP_STATUS, type ApiErrorCode, type Link, type LinkInfo, type LinkStatus, type Protocol, type Resource } from '../api.ts';
import { ApiError } from './errors.ts';
import { policyState } from './policy.ts';

export type RefusalCode =
  | 'not-found' | 'feature-disabled' | 'resource-deleted' | 'forbidden' | 'unauthenticated' | 'expired' | 'used-up' | 'outside-hours'
  | 'locked' | 'code-required' | 'wrong-code' | 'busy' | 'passkey-required';

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
  locked: { api: 'link-locked', upgrade: 423, close: CLOSE.linkLocked, rdp: RDP_STATUS.linkLocked },
  'code-required': { api: 'access-code-required', upgrade: 403, close: CLOSE.accessCodeRequired, rdp: RDP_STATUS.accessCodeRequired },
  'wrong-code': { api: 'wrong-access-code', upgrade: 403, close: CLOSE.wrongAccessCode, rdp: RDP_STATUS.wrongAccessCode },
  'passkey-required': { api: 'passkey-required', upgrade: 403, close: CLOSE.passkeyRequired, rdp: RDP_STATUS.passkeyRequired },
  busy: { api: 'too-many-requests', upgrade: 503, close: CLOSE.tooManyRequests, rdp: RDP_STATUS.busy },
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
  codeRequired: (): Refusal => ({
    code: 'code-required',
    message: 'This link asks for an access code. The person who shared the link has it: they give it separately.',
  }),
  passkeyToBind: (): Refusal => ({
    code: 'passkey-required',
    message: 'This link binds itself to the passkey of the first person who opens it. Register a passkey in this browser to continue.',
  }),
  passkeyToProve: (): Refusal => ({
    code: 'passkey-required',
    message: 'This link opens only in the browser that holds its passkey. Confirm with that passkey to continue.',
  }),
  busy: (): Refusal => ({ code: 'busy', message: 'The proxy is busy right now. Try again in a moment.' }),
  wrongCode: (triesLeft: number): Refusal => ({
    code: 'wrong-code',
    message: `That access code is not right. ${triesLeft === 1 ? 'One more try' : `${triesLeft} more tries`} before the link locks for a while.`,
  }),
};

/**
 * Whether a link's policy lets it be used at `now` (expiry, use limit, weekly hours). `live`: for a
 * session already open, whose use was counted when it started, so only expiry and hours end it.
 */
export function policyRefusal(link: Link, now: Date, opts: { live?: boolean } = {}): Refusal | undefined {
  // A session already open was let in: a lock (of wrong codes tried since) does not end it.
  const usage = opts.live ? { uses: 0 } : { uses: link.uses ?? 0, wrongCodes: link.wrongCodes };
  const state = policyState(link.policy ?? {}, usage, now);
  return state.ok ? undefined : { code: state.code, message: state.message };
}

/** Whether a link can be used now: it exists, links are on, its machine is still there, and its policy allows it. */
export function linkRefusal(
  link: Link | undefined, shareableLinks: boolean, resource: Resource | undefined, now: Date, opts: { live?: boolean } = {},
): Refusal | undefined {
  if (!link) return refusals.linkNotFound();
  if (!shareableLinks) return refusals.linksOff();
  if (!resource) return refusals.linkResourceDeleted(link.resourceName);
  return policyRefusal(link, now, opts);
}

/** A link's status as the console lists it, judged at `now`. */
export function linkStatus(link: Link, now: Date): LinkStatus {
  if (link.status === 'resource-deleted') return link.status;
  return (policyRefusal(link, now)?.code as LinkStatus | undefined) ?? 'active';
}

/**
 * What a link page may know about its machine: its name, ports and pinned host key, never its
 * address; and, given the link, when it closes by itself and how many uses it has left.
 */
export function linkInfoOf(resource: Resource, link?: Link, now?: Date): LinkInfo {
  const info: LinkInfo = { resourceName: resource.name, ports: resource.ports };
  if (resource.sshHostKeyFingerprint) info.sshHostKeyFingerprint = resource.sshHostKeyFingerprint;
  if (link && now) {
    const state = policyState(link.policy ?? {}, { uses: link.uses ?? 0 }, now);
    if (state.ok && state.closesAt) info.closesAt = state.closesAt.toISOString();
    if (state.ok && state.usesLeft !== undefined) info.usesLeft = state.usesLeft;
    if (link.policy?.maxSessionMinutes) info.maxSessionMinutes = link.policy.maxSessionMinutes;
    if (link.policy?.idleMinutes) info.idleMinutes = link.policy.idleMinutes;
    if (link.policy?.clipboard && link.policy.clipboard !== 'both') info.clipboard = link.policy.clipboard;
    if (link.policy?.fileTransfer && link.policy.fileTransfer !== 'both') info.fileTransfer = link.policy.fileTransfer;
  }
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

/** A session that reached its machine just as another visitor took the link's last use. */
export const USED_UP_MEANWHILE = 'Someone else used this link meanwhile, and it has no uses left. Ask the person who shared it to renew it.';

export const LINKS_OFF_FOR_CREATE = 'Shareable links are turned off. An owner can turn them on in Settings.';
