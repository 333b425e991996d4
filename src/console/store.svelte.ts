// The console's records, local first: shown from the cache at once, then replaced by the API's answer.
// Every change goes to the API first; only what it accepted is kept. While the proxy is unreachable the
// console is read-only (offline = true) and retries in the background. The API and the cache are the
// app's services (src/app/services.ts): the proxy's and IndexedDB, or the offline demo's.
import { ApiError, OfflineError, type PosternApi } from '../api/client';
import type { AppServices } from '../app/services';
import type { AuditEntry, Link, Me, Resource, User } from '../shared/api';
import type { ConsoleCache, RecordStore, StoredSession } from '../storage/db';
import { denyReason, createLinksReason } from './permissions';
import type { Action } from '../shared/api';

const RETRY_MS = 10_000;

/** The time now, as the ISO string a session records. */
const nowIso = () => new Date().toISOString();

export class ConsoleStore {
  status = $state<'loading' | 'signed-out' | 'ready'>('loading');
  /** Why the user is signed out, when it was not their own choice (session expired, user deleted). */
  signedOutReason = $state('');
  /** Why the console could not start at all (the cache's sentence). */
  startError = $state('');
  session = $state<StoredSession | null>(null);
  offline = $state(false);
  /** A sync failure that is not "offline" (e.g. the proxy answered 500), shown in the banner. */
  syncError = $state('');
  resources = $state<Resource[]>([]);
  links = $state<Link[]>([]);
  users = $state<User[]>([]);
  audit = $state<AuditEntry[]>([]);

  readonly api: PosternApi;
  private readonly openCache: () => Promise<ConsoleCache>;
  /** Opened by start(): nothing is kept before that. */
  private cache: ConsoleCache | undefined;
  private retry: ReturnType<typeof setInterval> | undefined;

  constructor(services: Pick<AppServices, 'api' | 'openCache'>) {
    this.api = services.api(() => this.session?.token ?? null);
    this.openCache = services.openCache;
  }

  get me(): Me | null {
    return this.session?.me ?? null;
  }

  /** null when allowed, otherwise the sentence to show beside the disabled control. */
  reason(action: Action, what?: string): string | null {
    return denyReason({ me: this.me, offline: this.offline }, action, what);
  }

  get createLinksReason(): string | null {
    return createLinksReason({ me: this.me, offline: this.offline });
  }

  async start(): Promise<void> {
    let cache: ConsoleCache;
    let saved: StoredSession | undefined;
    try {
      cache = await this.openCache();
      saved = await cache.loadSession();
    } catch (e) {
      this.startError = e instanceof Error ? e.message : String(e);
      this.status = 'signed-out';
      return;
    }
    this.cache = cache;
    if (!saved) {
      this.status = 'signed-out';
      return;
    }
    this.session = saved;
    const [resources, links, users, audit] = await Promise.all([
      cache.readAll('resources'),
      cache.readAll('links'),
      cache.readAll('users'),
      cache.readAll('audit'),
    ]);
    this.resources = sortByName(resources);
    this.links = sortByCreated(links);
    this.users = sortByName(users);
    this.audit = audit.sort((a, b) => b.id - a.id);
    this.status = 'ready';
    await this.sync();
  }

  stop(): void {
    clearInterval(this.retry);
    this.retry = undefined;
  }

  /** Replaces every cached record with the proxy's. Never throws: failures show in the banner. */
  async sync(): Promise<void> {
    if (!this.session) return;
    try {
      const me = await this.api.me();
      await this.setMe(me);
      const admin = me.actions.includes('admin');
      const [resources, links, users, audit] = await Promise.all([
        me.actions.includes('links.get') ? this.api.resources() : Promise.resolve([]),
        me.actions.includes('links.get') ? this.api.links() : Promise.resolve([]),
        admin ? this.api.users() : Promise.resolve([]),
        admin ? this.api.audit() : Promise.resolve([]),
      ]);
      this.resources = sortByName(resources);
      this.links = sortByCreated(links);
      this.users = sortByName(users);
      this.audit = audit.sort((a, b) => b.id - a.id);
      await Promise.all([
        this.cache?.replaceAll('resources', $state.snapshot(this.resources)),
        this.cache?.replaceAll('links', $state.snapshot(this.links)),
        this.cache?.replaceAll('users', $state.snapshot(this.users)),
        this.cache?.replaceAll('audit', $state.snapshot(this.audit)),
      ]);
      this.setOffline(false);
      this.syncError = '';
    } catch (e) {
      this.failed(e);
      if (e instanceof ApiError && e.status !== 401) this.syncError = e.message;
    }
  }

  async refreshAudit(): Promise<void> {
    if (!this.me?.actions.includes('admin')) return;
    await this.call(async () => {
      this.audit = (await this.api.audit()).sort((a, b) => b.id - a.id);
      await this.cache?.replaceAll('audit', $state.snapshot(this.audit));
    }).catch(() => undefined);
  }

  /**
   * Runs one change against the proxy. An offline failure flips the console to read-only; a 401 signs out.
   * The error is rethrown so the control that caused it can show the sentence beside itself.
   */
  async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      const out = await fn();
      this.setOffline(false);
      return out;
    } catch (e) {
      this.failed(e);
      throw e;
    }
  }

  async setMe(me: Me): Promise<void> {
    if (!this.session) return;
    this.session = { ...this.session, me, syncedAt: nowIso() };
    await this.cache?.saveSession($state.snapshot(this.session));
  }

  /** Saves one store's current records, after a change the proxy accepted. */
  async persist(store: RecordStore): Promise<void> {
    const values = $state.snapshot(this[store]) as never[];
    await this.cache?.replaceAll(store, values).catch(() => undefined);
  }

  async signOut(): Promise<void> {
    // Best effort: the session is forgotten here even when the proxy cannot be told.
    await this.api.signOut().catch(() => undefined);
    await this.forget('');
  }

  private async forget(reason: string): Promise<void> {
    this.stop();
    await this.cache?.clearAll().catch(() => undefined);
    this.session = null;
    this.resources = [];
    this.links = [];
    this.users = [];
    this.audit = [];
    this.signedOutReason = reason;
    this.status = 'signed-out';
  }

  private failed(e: unknown): void {
    if (e instanceof OfflineError) {
      this.setOffline(true);
    } else if (e instanceof ApiError && e.status === 401) {
      void this.forget(e.message);
    } else if (!(e instanceof ApiError)) {
      this.syncError = e instanceof Error ? e.message : String(e);
    }
  }

  private setOffline(offline: boolean): void {
    this.offline = offline;
    if (offline && !this.retry) {
      this.retry = setInterval(() => void this.sync(), RETRY_MS);
    } else if (!offline && this.retry) {
      this.stop();
    }
  }
}

function sortByName<T extends { name: string }>(xs: T[]): T[] {
  return xs.sort((a, b) => a.name.localeCompare(b.name));
}

function sortByCreated<T extends { createdAt: string }>(xs: T[]): T[] {
  return xs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}
