// Changes that end live sessions, shared between proxies with PostgreSQL's LISTEN/NOTIFY.
// The writer queues a NOTIFY inside its own transaction, so it is delivered only if the change
// commits, and to every listening proxy, the writer included. One dedicated connection listens;
// if it drops, changes made meanwhile are lost, so after reconnecting it reports 'resync'.
import pg from 'pg';
import { ROLE_ACTIONS, type Role } from '../../src/shared/api.ts';
import type { StoreChange } from './store.ts';

const ROLES = Object.keys(ROLE_ACTIONS) as Role[];

export const CHANNEL = 'postern_changes';

// A NOTIFY payload must stay under 8000 bytes; link ids are 12 characters.
const IDS_PER_NOTIFY = 200;

/** Queues the change on the caller's transaction (pg_notify takes the payload as a parameter). */
export async function notifyChange(client: pg.ClientBase, change: StoreChange): Promise<void> {
  if (change.kind === 'links-deleted') {
    for (let i = 0; i < change.linkIds.length; i += IDS_PER_NOTIFY) {
      const part: StoreChange = { kind: 'links-deleted', linkIds: change.linkIds.slice(i, i + IDS_PER_NOTIFY) };
      await client.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(part)]);
    }
    return;
  }
  await client.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(change)]);
}

function parse(payload: string | undefined): StoreChange | undefined {
  try {
    const c = JSON.parse(payload ?? '');
    if (c?.kind === 'links-deleted' && Array.isArray(c.linkIds) && c.linkIds.every((x: unknown) => typeof x === 'string')) {
      return { kind: 'links-deleted', linkIds: c.linkIds };
    }
    if (c?.kind === 'resource-deleted' && typeof c.resourceId === 'string') return { kind: 'resource-deleted', resourceId: c.resourceId };
    if (c?.kind === 'links-disabled') return { kind: 'links-disabled' };
    if (c?.kind === 'link-updated' && typeof c.linkId === 'string') return { kind: 'link-updated', linkId: c.linkId };
    if (c?.kind === 'user-deleted' && typeof c.userId === 'string') return { kind: 'user-deleted', userId: c.userId };
    if (c?.kind === 'user-role-lowered' && typeof c.userId === 'string' && ROLES.includes(c.role)) {
      return { kind: 'user-role-lowered', userId: c.userId, role: c.role };
    }
    if (c?.kind === 'signed-out' && typeof c.sessionHash === 'string') return { kind: 'signed-out', sessionHash: c.sessionHash };
    if (c?.kind === 'sessions-disconnected' && Array.isArray(c.ids) && c.ids.every((x: unknown) => typeof x === 'string')) {
      return { kind: 'sessions-disconnected', ids: c.ids };
    }
  } catch {
    // Not ours, or from a newer proxy: nothing to act on.
  }
  return undefined;
}

export class ChangeListener {
  private client?: pg.Client;
  private listeners = new Set<(c: StoreChange) => void>();
  private closed = false;
  private retryMs = 250;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly log: (message: string) => void,
  ) {}

  /** Connects and listens; the first failure is the caller's to report. */
  async start(): Promise<void> {
    await this.connect();
  }

  subscribe(fn: (c: StoreChange) => void): () => void {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => {});
  }

  private emit(change: StoreChange): void {
    for (const fn of [...this.listeners]) {
      try {
        fn(change);
      } catch (e) {
        this.log(`A listener for database changes failed: ${(e as Error)?.message ?? e}`);
      }
    }
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.config);
    client.on('error', (e) => this.lost(client, e));
    client.on('end', () => this.lost(client));
    client.on('notification', (m) => {
      const change = m.channel === CHANNEL ? parse(m.payload) : undefined;
      if (change) this.emit(change);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (e) {
      await client.end().catch(() => {});
      throw e;
    }
    if (this.closed) return void (await client.end().catch(() => {}));
    this.client = client;
  }

  private lost(client: pg.Client, e?: Error): void {
    if (this.client !== client || this.closed) return;
    this.client = undefined;
    void client.end().catch(() => {});
    this.log(`The PostgreSQL connection that hears other proxies' changes was lost (${e?.message ?? 'closed'}); reconnecting.`);
    this.retry();
  }

  private retry(): void {
    this.timer = setTimeout(async () => {
      try {
        await this.connect();
        this.retryMs = 250;
        // Whatever was deleted while nobody listened is found by checking the live sessions afresh.
        if (!this.closed) this.emit({ kind: 'resync' });
      } catch {
        this.retryMs = Math.min(this.retryMs * 2, 30_000);
        if (!this.closed) this.retry();
      }
    }, this.retryMs);
  }
}
