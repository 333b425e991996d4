// Every open tunnel registers here, so that deleting a link or its resource, or switching shareable
// links off, ends the sessions that depended on it at once. The API routes end this proxy's sessions
// directly; followStoreChanges does the same for changes made through other proxies sharing the store.
import { CLOSE } from '../../src/shared/api.ts';
import type { Store, StoreChange } from '../store/store.ts';

export interface LiveSession {
  linkId?: string;
  resourceId: string;
  /** Console sessions: whose authority the tunnel rests on (see Grant). */
  userId?: string;
  sessionHash?: string;
  /** Ends the tunnel; the page shows `reason`. */
  end(code: number, reason: string): void;
}

export class LiveSessions {
  private sessions = new Set<LiveSession>();

  add(s: LiveSession): () => void {
    this.sessions.add(s);
    return () => this.sessions.delete(s);
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
        s.end(code, reason);
        n++;
      }
    }
    return n;
  }

  endLinks(linkIds: Iterable<string>): number {
    const ids = new Set(linkIds);
    return this.endWhere((s) => s.linkId !== undefined && ids.has(s.linkId), CLOSE.linkDeleted,
      'This link was deleted, so the session was ended.');
  }

  endResource(resourceId: string): number {
    return this.endWhere((s) => s.resourceId === resourceId, CLOSE.resourceDeleted,
      'This machine was deleted from Postern, so the session was ended.');
  }

  endAllLinkSessions(): number {
    return this.endWhere((s) => s.linkId !== undefined, CLOSE.featureDisabled,
      'Shareable links were turned off, so the session was ended.');
  }
}

/** Checks every open session against the store, for when changes may have been missed. */
async function resync(store: Store, live: LiveSessions): Promise<void> {
  if (!(await store.getShareableLinks())) live.endAllLinkSessions();
  const resources = new Set((await store.listResources()).map((r) => r.id));
  const links = new Set((await store.listLinks()).map((l) => l.id));
  const open = live.dependencies();
  // Resources first, so a session whose machine was deleted is told that, not that its link went.
  for (const id of open.resourceIds) if (!resources.has(id)) live.endResource(id);
  live.endLinks([...open.linkIds].filter((id) => !links.has(id)));
}

/**
 * Ends this proxy's sessions when another proxy sharing the store deletes their link or resource or
 * switches links off. Our own changes come back too; ending an ended session is a no-op.
 * Returns the unsubscribe function (a no-op for stores only this process writes).
 */
export function followStoreChanges(store: Store, live: LiveSessions): () => void {
  if (!store.onChange) return () => {};
  return store.onChange((change: StoreChange) => {
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
      case 'resync':
        resync(store, live).catch((e) => console.error(`Could not re-check live sessions: ${(e as Error)?.message ?? e}`));
        break;
    }
  });
}
