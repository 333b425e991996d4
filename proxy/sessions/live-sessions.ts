// Every open tunnel registers here, so that deleting a link or its resource, or switching shareable
// links off, ends the sessions that depended on it at once; and a console tunnel, which rests on a
// user's session token, ends when that user is deleted, loses an action, or signs that token out.
// The API routes end this proxy's sessions directly; followStoreChanges does the same for changes
// made through other proxies sharing the store.
import { CLOSE, DISCONNECTED_BY_ADMIN, losesActions, type LinkPolicy, type LiveSessionInfo, type Role } from '../../src/shared/api.ts';
import { newId } from '../store/tokens.ts';
import type { Store, StoreChange } from '../store/store.ts';

/** Said to a session whose link was deleted. */
export const LINK_DELETED = 'This link was deleted, so the session was ended.';

/** What the live-sessions list shows of a session, fixed when it opens. */
export type LiveFacts = Omit<LiveSessionInfo, 'id' | 'bytesUp' | 'bytesDown' | 'proxyId' | 'linkLabel'>;

export interface LiveSession {
  linkId?: string;
  resourceId: string;
  /** Console sessions: whose authority the tunnel rests on (see Grant). */
  userId?: string;
  sessionHash?: string;
  /** Ends the tunnel; the page shows `reason`. */
  end(code: number, reason: string): void;
  /** Listed in the console's live sessions (GET /api/sessions) when given. */
  facts?: LiveFacts;
  /** Bytes relayed so far. */
  bytes?(): { bytesUp: number; bytesDown: number };
  /**
   * The link's policy for this session: as it opened, then as edited (link-policy.ts keeps it current),
   * for its session limits (session-limits.ts).
   */
  limits?: LinkPolicy;
}

export const ENDED = {
  userDeleted: 'Your user was removed from Postern, so the session was ended.',
  signedOut: 'You signed out of Postern, so the session was ended.',
  roleLowered: (role: Role) => `Your role was changed to ${role}, which may do less, so the session was ended.`,
} as const;

export class LiveSessions {
  private sessions = new Set<LiveSession>();
  /** Each session's non-secret id, given as it registers. */
  private ids = new Map<LiveSession, string>();
  /** Console sessions: the role their user had, as last seen (see followStoreChanges). */
  private roles = new WeakMap<LiveSession, Role>();
  private watchers = new Set<(s: LiveSession) => void>();
  private removeWatchers = new Set<(s: LiveSession) => void>();

  add(s: LiveSession): () => void {
    this.sessions.add(s);
    this.ids.set(s, newId());
    for (const w of [...this.watchers]) w(s);
    return () => {
      const had = this.sessions.delete(s);
      this.ids.delete(s);
      if (had) for (const w of [...this.removeWatchers]) w(s);
    };
  }

  /** Calls `fn` for every session that goes from now on (closed or ended); returns the unsubscribe function. */
  onRemove(fn: (s: LiveSession) => void): () => void {
    this.removeWatchers.add(fn);
    return () => void this.removeWatchers.delete(fn);
  }

  /** The listable sessions of this proxy, with their bytes so far. */
  list(proxyId: string): LiveSessionInfo[] {
    const out: LiveSessionInfo[] = [];
    for (const s of this.sessions) {
      const id = this.ids.get(s);
      if (!s.facts || id === undefined) continue;
      out.push({ id, ...s.facts, ...(s.bytes?.() ?? { bytesUp: 0, bytesDown: 0 }), proxyId });
    }
    return out;
  }

  /** An owner or contributor disconnected these sessions (by id); those on this proxy end. */
  endIds(ids: Iterable<string>): number {
    const wanted = new Set(ids);
    return this.endWhere((s) => wanted.has(this.ids.get(s) ?? ''), CLOSE.endedByAdmin, DISCONNECTED_BY_ADMIN);
  }

  /** Calls `fn` for every session registered from now on; returns the unsubscribe function. */
  onAdd(fn: (s: LiveSession) => void): () => void {
    this.watchers.add(fn);
    return () => void this.watchers.delete(fn);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** The links and resources that open sessions depend on right now. */
  dependencies(): { linkIds: Set<string>; resourceIds: Set<string> } {
    const linkIds = new Set<string>();
    const resourceIds = new Set<string>();
    for (const s of this.sessions) {
      if (s.linkId !== undefined) linkIds.add(s.linkId);
      resourceIds.add(s.resourceId);
    }
    return { linkIds, resourceIds };
  }

  private endWhere(pred: (s: LiveSession) => boolean, code: number, reason: string): number {
    let n = 0;
    for (const s of [...this.sessions]) {
      if (pred(s)) {
        this.sessions.delete(s);
        this.ids.delete(s);
        for (const w of [...this.removeWatchers]) w(s);
        s.end(code, reason);
        n++;
      }
    }
    return n;
  }

  endLinks(linkIds: Iterable<string>): number {
    const ids = new Set(linkIds);
    return this.endWhere((s) => s.linkId !== undefined && ids.has(s.linkId), CLOSE.linkDeleted, LINK_DELETED);
  }

  /** Ends the sessions through these links, with the code and sentence the caller gives (a policy's refusal). */
  /** This proxy's live sessions through one link. */
  ofLink(linkId: string): LiveSession[] {
    return [...this.sessions].filter((s) => s.linkId === linkId);
  }

  endLinksFor(linkIds: Iterable<string>, code: number, reason: string): number {
    const ids = new Set(linkIds);
    return this.endWhere((s) => s.linkId !== undefined && ids.has(s.linkId), code, reason);
  }

  endResource(resourceId: string): number {
    return this.endWhere((s) => s.resourceId === resourceId, CLOSE.resourceDeleted,
      'This machine was deleted from Postern, so the session was ended.');
  }

  endAllLinkSessions(): number {
    return this.endWhere((s) => s.linkId !== undefined, CLOSE.featureDisabled,
      'Shareable links were turned off, so the session was ended.');
  }

  /** The user was deleted: every console session they opened ends. */
  endUser(userId: string): number {
    return this.endWhere((s) => s.userId === userId, CLOSE.unauthenticated, ENDED.userDeleted);
  }

  /** One session token was signed out: the console sessions opened with it end. */
  endSignedOut(sessionHash: string): number {
    return this.endWhere((s) => s.sessionHash === sessionHash, CLOSE.unauthenticated, ENDED.signedOut);
  }

  /**
   * The user's role changed to `role`, which lacks an action of the one before: their console
   * sessions end, except those known to have been opened under a role no richer than the new one.
   */
  endRoleLowered(userId: string, role: Role): number {
    return this.endWhere((s) => {
      if (s.userId !== userId) return false;
      const had = this.roles.get(s);
      return had === undefined || losesActions(had, role);
    }, CLOSE.forbidden, ENDED.roleLowered(role));
  }

  /**
   * Console sessions checked against their user's role now: the first check notes it as the role the
   * session was opened under; a later one ends the session if that role has since lost an action.
   */
  checkRole(sessions: Iterable<LiveSession>, role: Role): number {
    const lowered = new Set<LiveSession>();
    for (const s of sessions) {
      if (!this.sessions.has(s)) continue;
      const had = this.roles.get(s);
      if (had === undefined) this.roles.set(s, role);
      else if (losesActions(had, role)) lowered.add(s);
    }
    return this.endWhere((s) => lowered.has(s), CLOSE.forbidden, ENDED.roleLowered(role));
  }

  /** Open console sessions by session token: the user each token stood for, and its sessions. */
  consoleSessions(): Map<string, { userId: string; sessions: LiveSession[] }> {
    const out = new Map<string, { userId: string; sessions: LiveSession[] }>();
    for (const s of this.sessions) {
      if (s.sessionHash === undefined || s.userId === undefined) continue;
      const entry = out.get(s.sessionHash) ?? { userId: s.userId, sessions: [] };
      entry.sessions.push(s);
      out.set(s.sessionHash, entry);
    }
    return out;
  }
}

/**
 * Checks console sessions opened with one session token against the store: the token must still
 * resolve to the same user, whose role has lost no action since the sessions were first checked.
 */
async function checkAuthority(store: Store, live: LiveSessions, sessionHash: string, userId: string, sessions: LiveSession[]) {
  const user = await store.getSessionUser(sessionHash);
  if (user && user.id === userId) {
    live.checkRole(sessions, user.role);
    return;
  }
  // The token no longer resolves: signed out, unless the user is gone altogether.
  if (await store.getUser(userId)) live.endSignedOut(sessionHash);
  else live.endUser(userId);
}

/** Checks every open session against the store, for when changes may have been missed. */
export async function resync(store: Store, live: LiveSessions): Promise<void> {
  if (!(await store.getShareableLinks())) live.endAllLinkSessions();
  const resources = new Set((await store.listResources()).map((r) => r.id));
  const links = new Set((await store.listLinks()).map((l) => l.id));
  const open = live.dependencies();
  // Resources first, so a session whose machine was deleted is told that, not that its link went.
  for (const id of open.resourceIds) if (!resources.has(id)) live.endResource(id);
  live.endLinks([...open.linkIds].filter((id) => !links.has(id)));
  for (const [hash, { userId, sessions }] of live.consoleSessions()) {
    await checkAuthority(store, live, hash, userId, sessions);
  }
}

/**
 * Ends this proxy's sessions when another proxy sharing the store deletes their link, resource or
 * user, lowers that user's role, signs their token out, or switches links off. Our own changes come
 * back too; ending an ended session is a no-op. With any store, each new console session's user is
 * looked up once as it registers: that notes the role it was opened under (so lowering a role ends
 * only sessions opened with more), and ends it if its token stopped resolving meanwhile.
 * Returns the unsubscribe function.
 */
export function followStoreChanges(store: Store, live: LiveSessions): () => void {
  const failed = (what: string) => (e: unknown) => console.error(`Could not ${what}: ${(e as Error)?.message ?? e}`);
  const unwatch = live.onAdd((s) => {
    if (s.sessionHash === undefined || s.userId === undefined) return;
    checkAuthority(store, live, s.sessionHash, s.userId, [s]).catch(failed('check a new console session'));
  });
  if (!store.onChange) return unwatch;
  const unlisten = store.onChange((change: StoreChange) => {
    switch (change.kind) {
      case 'links-deleted':
        live.endLinks(change.linkIds);
        break;
      case 'resource-deleted':
        live.endResource(change.resourceId);
        break;
      case 'links-disabled':
        live.endAllLinkSessions();
        break;
      case 'user-deleted':
        live.endUser(change.userId);
        break;
      case 'user-role-lowered':
        live.endRoleLowered(change.userId, change.role);
        break;
      case 'signed-out':
        live.endSignedOut(change.sessionHash);
        break;
      case 'sessions-disconnected':
        live.endIds(change.ids);
        break;
      case 'resync':
        resync(store, live).catch(failed('re-check live sessions'));
        break;
    }
  });
  return () => {
    unwatch();
    unlisten();
  };
}
