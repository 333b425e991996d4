// Who may do what: bearer sessions for users, link tokens for visitors, and the one function that
// turns either into a connection target. The proxy dials only what this returns.
import type { IncomingMessage } from 'node:http';
import { ROLE_ACTIONS, type Action, type LinkPolicy, type Protocol, type Resource, type User } from '../../src/shared/api.ts';
import { ApiError } from '../../src/shared/rules/errors.ts';
import { SIGN_IN_AGAIN } from '../../src/shared/rules/permissions.ts';
import { linkRefusal, portRefusal, refusals, type Refusal } from '../../src/shared/rules/refusals.ts';
import { looksLikeToken } from '../../src/shared/rules/validate.ts';
import type { LinkRecord, Store } from '../store/store.ts';
import { hashToken, sameSecret } from '../store/tokens.ts';
import type { AccessCodes } from './access-code.ts';

export function actionsOf(user: User): Action[] {
  return [...ROLE_ACTIONS[user.role]];
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h || !h.startsWith('Bearer ')) return undefined;
  return h.slice(7).trim();
}

export async function userFromToken(store: Store, token: string | undefined): Promise<User | undefined> {
  if (!token || !looksLikeToken(token)) return undefined;
  return store.getSessionUser(hashToken(token));
}

export async function requireUser(store: Store, req: IncomingMessage): Promise<User> {
  const user = await userFromToken(store, bearerToken(req));
  if (!user) throw new ApiError('unauthenticated', SIGN_IN_AGAIN);
  return user;
}

/** Finds a link by its token, comparing the stored secret in constant time. */
export async function findLink(store: Store, token: string): Promise<LinkRecord | undefined> {
  if (!looksLikeToken(token)) return undefined;
  const link = await store.findLinkByTokenHash(hashToken(token));
  return link && sameSecret(link.token, token) ? link : undefined;
}

/**
 * How a link is judged: at which instant, and whether for a session already open (see policyRefusal:
 * its access code was checked when it opened). A new use also brings the visitor's access code, if
 * any, their address, and the access-code checker.
 */
export interface Judging {
  now: Date;
  live?: boolean;
  accessCode?: string;
  address?: string;
  codes?: AccessCodes;
}

/** Resolves a link's resource for a visitor, or says plainly why the link cannot be used at `at.now`. */
export async function linkTarget(store: Store, token: string, at: Judging): Promise<{ link: LinkRecord; resource: Resource } | Refusal> {
  const link = await findLink(store, token);
  const refused = linkRefusal(link, link ? await store.getShareableLinks() : true, link?.resource, at.now, at);
  if (refused) return refused;
  if (!at.live && (link!.accessCodeHash || link!.policy?.passkey)) {
    // Without a checker nothing can vouch for the code: refuse rather than let it through.
    const wrong = at.codes ? await at.codes.check(link!, at.accessCode, at.address ?? 'unknown', at.now) : refusals.codeRequired();
    if (wrong) return wrong;
  }
  return { link: link!, resource: link!.resource! };
}

export type Credential = { kind: 'link'; token: string; accessCode?: string } | { kind: 'user'; token: string; resourceId: string };

/** A link credential as the page sends it: '<token>' or '<token>.<access code>'. */
export function linkCredential(secret: string): Credential {
  const dot = secret.indexOf('.');
  return dot < 0 ? { kind: 'link', token: secret } : { kind: 'link', token: secret.slice(0, dot), accessCode: secret.slice(dot + 1) };
}

export interface Grant {
  resource: Resource;
  linkId?: string;
  /** The link's policy as it was granted (its session limits apply to the session). */
  policy?: LinkPolicy;
  actor: string;
  /** For a console session: the signed-in user and the hash of their session token. */
  userId?: string;
  sessionHash?: string;
}

/**
 * The single gate for every tunnel: a valid credential, a live resource, a link whose policy allows
 * it at `at.now` (the proxy's clock), an allowed protocol and port.
 */
export async function authorizeConnection(
  store: Store,
  cred: Credential,
  protocol: Protocol,
  port: number,
  at: Judging,
): Promise<Grant | Refusal> {
  let grant: Grant;
  if (cred.kind === 'link') {
    const t = await linkTarget(store, cred.token, { ...at, accessCode: cred.accessCode });
    if ('code' in t) return t;
    grant = { resource: t.resource, linkId: t.link.id, policy: t.link.policy, actor: 'link visitor' };
  } else {
    const user = await userFromToken(store, cred.token);
    if (!user) return refusals.sessionEnded();
    const resource = await store.getResource(cred.resourceId);
    if (!resource) return refusals.machineDeleted();
    grant = { resource, actor: user.name, userId: user.id, sessionHash: hashToken(cred.token) };
  }
  return portRefusal(grant.resource, protocol, port) ?? grant;
}
