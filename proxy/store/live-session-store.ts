// Every proxy's live sessions, so that the console can list them and disconnect any of them from
// whichever proxy it asks. Each proxy reports all of its sessions at once (on open, on close, and as
// a heartbeat every HEARTBEAT_MS); rows whose heartbeat is older than STALE_MS belong to a proxy
// that stopped, and are ignored and removed. SQLite serves one proxy, so its store keeps them in
// memory (MemoryLiveSessionStore, below); PostgreSQL keeps them in a table (postgres-live.ts).
import type { LiveSessionInfo } from '../../src/shared/api.ts';
import type { NewAudit } from './store.ts';

export const HEARTBEAT_MS = 5_000;
export const STALE_MS = 30_000;

export interface LiveSessionStore {
  /** This proxy's sessions become exactly `sessions`, stamped now; stale rows of any proxy go. */
  report(proxyId: string, sessions: LiveSessionInfo[], staleMs?: number): Promise<void>;
  /** Every proxy's sessions whose heartbeat is at most `staleMs` old, oldest first. */
  list(staleMs?: number): Promise<LiveSessionInfo[]>;
  /**
   * Audits session.disconnect (by `actor`) for each live session named, forgets them and tells
   * every proxy to end them, all in one transaction; returns the sessions found, in the order asked.
   */
  disconnect(ids: string[], actor: string, staleMs?: number): Promise<LiveSessionInfo[]>;
}

/** The audit row of one disconnect: who did it (actor), and whose session it was (detail). */
export function disconnectAudit(actor: string, s: LiveSessionInfo): NewAudit {
  return {
    action: 'session.disconnect', actor, linkId: s.linkId, resourceId: s.resourceId, resourceName: s.resourceName,
    protocol: s.protocol, port: s.port, clientAddress: s.clientAddress, outcome: 'ok', detail: `session of ${s.actor}`,
  };
}

/** Oldest first; ties by id, so the order is stable between refreshes. */
export function byStart(a: LiveSessionInfo, b: LiveSessionInfo): number {
  return a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** For the SQLite store: `audit` writes the rows in one transaction of the store. */
export class MemoryLiveSessionStore implements LiveSessionStore {
  private proxies = new Map<string, { at: number; sessions: LiveSessionInfo[] }>();

  constructor(
    private readonly audit: (entries: NewAudit[]) => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {}

  private fresh(staleMs: number): LiveSessionInfo[] {
    const since = this.now() - staleMs;
    return [...this.proxies.values()].filter((p) => p.at >= since).flatMap((p) => p.sessions);
  }

  async report(proxyId: string, sessions: LiveSessionInfo[], staleMs = STALE_MS): Promise<void> {
    const at = this.now();
    for (const [id, p] of this.proxies) if (p.at < at - staleMs) this.proxies.delete(id);
    this.proxies.set(proxyId, { at, sessions: sessions.map((s) => ({ ...s, proxyId })) });
  }

  async list(staleMs = STALE_MS): Promise<LiveSessionInfo[]> {
    return this.fresh(staleMs).sort(byStart);
  }

  async disconnect(ids: string[], actor: string, staleMs = STALE_MS): Promise<LiveSessionInfo[]> {
    const byId = new Map(this.fresh(staleMs).map((s) => [s.id, s]));
    const found = ids.flatMap((id) => byId.get(id) ?? []);
    await this.audit(found.map((s) => disconnectAudit(actor, s)));
    const gone = new Set(found.map((s) => s.id));
    for (const p of this.proxies.values()) p.sessions = p.sessions.filter((s) => !gone.has(s.id));
    return found;
  }
}
