// Who may do what: bearer sessions for users, link tokens for visitors, and the one function that
// turns either into a connection target. The proxy dials only what this returns.
import type { IncomingMessage } from 'node:http';
import { ROLE_ACTIONS, type Action, type Protocol, type Resource, type User } from '../../src/shared/api.ts';
import { ApiError } from '../http/json.ts';
import type { LinkRecord, Store } from '../store/store.ts';
import { hashToken, looksLikeToken, sameSecret } from './tokens.ts';

export function actionsOf(user: User): Action[] {
  return [...ROLE_ACTIONS[user.role]];
}

const ACTION_NAMES: Record<Action, string> = {
  'links.create': 'create links',
  'links.deleteByResource': 'delete links by resource',
  'links.deleteByToken': 'delete links by token',
  'links.get': 'view links',
  admin: 'manage resources, users and settings',
};

export function requireAction(user: User, action: Action): void {
  if (!ROLE_ACTIONS[user.role].includes(action)) {
    throw new ApiError('forbidden', `Your role (${user.role}) cannot ${ACTION_NAMES[action]}.`);
  }
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
  if (!user) throw new ApiError('unauthenticated', 'Please sign in again: your session has ended or is not valid.');
  return user;
}

/** Finds a link by its token, comparing the stored secret in constant time. */
export async function findLink(store: Store, token: string): Promise<LinkRecord | undefined> {
  if (!looksLikeToken(token)) return undefined;
  const link = await store.findLinkByTokenHash(hashToken(token));
  return link && sameSecret(link.token, token) ? link : undefined;
}

/** Why a connection was refused; `code` goes in the audit trail and the WebSocket close. */
export type Refusal = { code: 'not-found' | 'feature-disabled' | 'resource-deleted' | 'forbidden' | 'unauthenticated'; message: string };

/** Resolves a link's resource for a visitor, or says plainly why the link cannot be used. */
export async function linkTarget(store: Store, token: string): Promise<{ link: LinkRecord; resource: Resource } | Refusal> {
  const link = await findLink(store, token);
  if (!link) return { code: 'not-found', message: 'This link does not exist. It may have been deleted, or mistyped.' };
  if (!(await store.getShareableLinks())) {
    return { code: 'feature-disabled', message: 'Shareable links are turned off on this Postern, so this link cannot be used now.' };
  }
  if (!link.resource) {
    return {
      code: 'resource-deleted',
      message: `The machine this link was for ("${link.resourceName}") has been deleted, so the link no longer connects.`,
    };
  }
  return { link, resource: link.resource };
}

export function checkPort(resource: Resource, protocol: Protocol, port: number): Refusal | undefined {
  const allowed = resource.ports[protocol];
  if (!allowed) {
    return { code: 'forbidden', message: `"${resource.name}" does not allow ${protocol.toUpperCase()} connections.` };
  }
  if (!allowed.includes(port)) {
    return { code: 'forbidden', message: `"${resource.name}" allows ${protocol.toUpperCase()} only on port ${allowed.join(', ')}.` };
  }
  return undefined;
}

export type Credential = { kind: 'link'; token: string } | { kind: 'user'; token: string; resourceId: string };

export interface Grant {
  resource: Resource;
  linkId?: string;
  actor: string;
  /** For a console session: the signed-in user and the hash of their session token. */
  userId?: string;
  sessionHash?: string;
}

/** The single gate for every tunnel: a valid credential, a live resource, an allowed protocol and port. */
export async function authorizeConnection(
  store: Store,
  cred: Credential,
  protocol: Protocol,
  port: number,
): Promise<Grant | Refusal> {
  let grant: Grant;
  if (cred.kind === 'link') {
    const t = await linkTarget(store, cred.token);
    if ('code' in t) return t;
    grant = { resource: t.resource, linkId: t.link.id, actor: 'link visitor' };
  } else {
    const user = await userFromToken(store, cred.token);
    if (!user) return { code: 'unauthenticated', message: 'Please sign in again: your session has ended.' };
    const resource = await store.getResource(cred.resourceId);
    if (!resource) return { code: 'resource-deleted', message: 'This machine has been deleted.' };
    grant = { resource, actor: user.name, userId: user.id, sessionHash: hashToken(cred.token) };
  }
  return checkPort(grant.resource, protocol, port) ?? grant;
}
