// The console's records, local first: shown from IndexedDB at once, then replaced by the proxy's answer.
// Every change goes to the proxy first; only what it accepted is kept. While the proxy is unreachable the
// console is read-only (offline = true) and retries in the background.
import { ApiClient, ApiError, OfflineError, type PosternApi } from '../api/client';
import type { AuditEntry, Link, Me, Resource, User } from '../shared/api';
import * as storage from '../storage/db';
import { denyReason, createLinksReason } from './permissions';
import type { Action } from '../shared/api';

const RETRY_MS = 10_000;

export class ConsoleStore {
  status = $state<'loading' | 'signed-out' | 'ready'>('loading');
  /** Why the user is signed out, when it was not their own choice (session expired, user deleted). */
  signedOutReason = $state('');
  session = $state<storage.StoredSession | null>(null);
  offline = $state(false);
  /** A sync failure that is not "offline" (e.g. the proxy answered 500), shown in the banner. */
  syncError = $state('');
  resources = $state<Resource[]>([]);
  links = $state<Link[]>([]);
  users = $state<User[]>([]);
  audit = $state<AuditEntry[]>([]);

  readonly api: PosternApi;
  private retry: ReturnType<typeof setInterval> | undefined;

  /**
   * `demo`: the api is the offline demo's (src/demo/local-api.ts), which keeps its own records, so
   * nothing is cached in the proxy's stores and there is no saved session: the demo user is "signed in".
   */
  constructor(api?: PosternApi, readonly demo = false) {
    this.api = api ?? new ApiClient({ getToken: () => this.session?.token ?? null });
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
    if (this.demo) {
      try {
        this.session = { token: 'demo', me: await this.api.me() };
        this.status = 'ready';
      } catch (e) {
        this.syncError = e instanceof Error ? e.message : String(e);
        this.status = 'signed-out';
        return;
      }
      return this.sync();
    }
    const saved = await storage.loadSession().catch(() => undefined);
    if (!saved) {
      this.status = 'signed-out';
      return;
    }
    this.session = saved;
    const [resources, links, users, audit] = await Promise.all([
      storage.readAll('resources'),
      storage.readAll('links'),
      storage.readAll('users'),
      storage.readAll('audit'),
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
      if (!this.demo) await Promise.all([
        storage.replaceAll('resources', $state.snapshot(this.resources)),
        storage.replaceAll('links', $state.snapshot(this.links)),
        storage.replaceAll('users', $state.snapshot(this.users)),
        storage.replaceAll('audit', $state.snapshot(this.audit)),
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
      if (!this.demo) await storage.replaceAll('audit', $state.snapshot(this.audit));
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
    this.session = { ...this.session, me, syncedAt: new Date().toISOString() };
    if (!this.demo) await storage.saveSession($state.snapshot(this.session));
  }

  /** Saves one store's current records, after a change the proxy accepted. */
  async persist(store: storage.RecordStore): Promise<void> {
    if (this.demo) return; // the demo's api keeps its records itself
    const values = $state.snapshot(this[store]) as never[];
    await storage.replaceAll(store, values).catch(() => undefined);
  }

  async signOut(): Promise<void> {
    // Best effort: the session is forgotten here even when the proxy cannot be told.
    await this.api.signOut().catch(() => undefined);
    await this.forget('');
  }

  private async forget(reason: string): Promise<void> {
    this.stop();
    if (!this.demo) await storage.clearAll().catch(() => undefined);
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
