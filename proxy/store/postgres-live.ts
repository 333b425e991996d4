// Live sessions in PostgreSQL, so that every proxy sharing the database lists every proxy's (see
// live-session-store.ts). The table holds only what is running now, so it is UNLOGGED (not
// crash-safe, cheap to write every few seconds) and created on first use rather than by a versioned
// migration: a proxy that finds it missing or emptied loses nothing a heartbeat does not restore.
// Heartbeats are stamped with the database's clock, so proxies with skewed clocks agree on staleness.
import type pg from 'pg';
import type { LiveSessionInfo } from '../../src/shared/api.ts';
import { byStart, disconnectAudit, STALE_MS, type LiveSessionStore } from './live-session-store.ts';
import { notifyChange } from './postgres-changes.ts';
import { LOCK_NAMESPACE } from './postgres-schema.ts';
import type { NewAudit } from './store.ts';

/** Its own advisory lock key (postgres-schema.ts LOCKS uses 1–3), so two proxies create the table once. */
const TABLE_LOCK = 10;
/** Ids per NOTIFY: the payload must stay under 8000 bytes; session ids are 12 characters. */
const IDS_PER_NOTIFY = 200;

type Tx = <T>(fn: (c: pg.ClientBase) => Promise<T>) => Promise<T>;

const stale = (param: string) => `heartbeat_at < now() - make_interval(secs => ${param}::double precision / 1000)`;

export class PostgresLiveSessionStore implements LiveSessionStore {
  private ready?: Promise<void>;

  constructor(
    private readonly tx: Tx,
    private readonly insertAudit: (c: pg.ClientBase, entries: NewAudit[]) => Promise<unknown>,
  ) {}

  private async table(): Promise<void> {
    this.ready ??= this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, TABLE_LOCK]);
      await c.query(`CREATE UNLOGGED TABLE IF NOT EXISTS live_sessions (
        id text PRIMARY KEY,
        proxy_id text NOT NULL,
        started_at timestamptz NOT NULL,
        heartbeat_at timestamptz NOT NULL,
        info jsonb NOT NULL
      )`);
    }).catch((e) => {
      this.ready = undefined;
      throw e;
    });
    await this.ready;
  }

  async report(proxyId: string, sessions: LiveSessionInfo[], staleMs = STALE_MS): Promise<void> {
    await this.table();
    await this.tx(async (c) => {
      await c.query(`DELETE FROM live_sessions WHERE (proxy_id = $1 AND NOT (id = ANY($2))) OR ${stale('$3')}`,
        [proxyId, sessions.map((s) => s.id), staleMs]);
      if (!sessions.length) return;
      await c.query(`INSERT INTO live_sessions (id, proxy_id, started_at, heartbeat_at, info)
        SELECT e->>'id', $1, (e->>'startedAt')::timestamptz, now(), e FROM jsonb_array_elements($2::jsonb) AS t(e)
        ON CONFLICT (id) DO UPDATE SET info = excluded.info, heartbeat_at = excluded.heartbeat_at, proxy_id = excluded.proxy_id`,
      [proxyId, JSON.stringify(sessions.map((s) => ({ ...s, proxyId })))]);
    });
  }

  async list(staleMs = STALE_MS): Promise<LiveSessionInfo[]> {
    await this.table();
    const { rows } = await this.tx((c) => c.query(`SELECT info FROM live_sessions WHERE NOT (${stale('$1')})`, [staleMs]));
    return rows.map((r) => r.info as LiveSessionInfo).sort(byStart);
  }

  async disconnect(ids: string[], actor: string, staleMs = STALE_MS): Promise<LiveSessionInfo[]> {
    await this.table();
    return this.tx(async (c) => {
      const { rows } = await c.query(`DELETE FROM live_sessions WHERE id = ANY($1) AND NOT (${stale('$2')})
        RETURNING info`, [ids, staleMs]);
      const byId = new Map(rows.map((r) => [r.info.id as string, r.info as LiveSessionInfo]));
      const found = ids.flatMap((id) => byId.get(id) ?? []);
      await this.insertAudit(c, found.map((s) => disconnectAudit(actor, s)));
      for (let i = 0; i < found.length; i += IDS_PER_NOTIFY) {
        await notifyChange(c, { kind: 'sessions-disconnected', ids: found.slice(i, i + IDS_PER_NOTIFY).map((s) => s.id) });
      }
      return found;
    });
  }
}
