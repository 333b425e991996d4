// The SPA's one IndexedDB module: its schema, its versioned upgrade, and the few reads and writes the UI needs.
// The console shows these records at once and then replaces them with what the proxy says (local first).
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { AuditEntry, Link, Me, Resource, User } from '../shared/api';

export const DB_NAME = 'postern';
export const DB_VERSION = 1;

/** A signed-in user's bearer token and who it belongs to, kept so the console opens without a round trip. */
export interface StoredSession {
  token: string;
  me: Me;
  /** When the records below were last replaced from the proxy (ISO time), shown in the offline banner. */
  syncedAt?: string;
}

export interface PosternDB extends DBSchema {
  resources: { key: string; value: Resource };
  links: { key: string; value: Link };
  users: { key: string; value: User };
  audit: { key: number; value: AuditEntry };
  /** Single values by name: 'session'. */
  meta: { key: 'session'; value: StoredSession };
}

export type RecordStore = 'resources' | 'links' | 'users' | 'audit';

let dbPromise: Promise<IDBPDatabase<PosternDB>> | undefined;

export function db(): Promise<IDBPDatabase<PosternDB>> {
  dbPromise ??= openDB<PosternDB>(DB_NAME, DB_VERSION, {
    upgrade(database, oldVersion) {
      // Each step moves one version forward, so a browser several versions behind replays them in order.
      if (oldVersion < 1) {
        database.createObjectStore('resources', { keyPath: 'id' });
        database.createObjectStore('links', { keyPath: 'id' });
        database.createObjectStore('users', { keyPath: 'id' });
        database.createObjectStore('audit', { keyPath: 'id' });
        database.createObjectStore('meta');
      }
    },
    blocking() {
      // A newer tab wants to upgrade: step aside rather than block it.
      void dbPromise?.then((d) => d.close());
      dbPromise = undefined;
    },
  });
  return dbPromise;
}

export async function loadSession(): Promise<StoredSession | undefined> {
  return (await db()).get('meta', 'session');
}

export async function saveSession(session: StoredSession): Promise<void> {
  await (await db()).put('meta', session, 'session');
}

/** Forgets the session and every cached record, so the next person at this browser sees nothing of ours. */
export async function clearAll(): Promise<void> {
  const d = await db();
  const tx = d.transaction(['resources', 'links', 'users', 'audit', 'meta'], 'readwrite');
  await Promise.all([
    tx.objectStore('resources').clear(),
    tx.objectStore('links').clear(),
    tx.objectStore('users').clear(),
    tx.objectStore('audit').clear(),
    tx.objectStore('meta').clear(),
    tx.done,
  ]);
}

export async function readAll<S extends RecordStore>(store: S): Promise<PosternDB[S]['value'][]> {
  return (await db()).getAll(store);
}

/** Replaces a whole store with the proxy's answer in one transaction: never half old, half new. */
export async function replaceAll<S extends RecordStore>(store: S, values: PosternDB[S]['value'][]): Promise<void> {
  const d = await db();
  const tx = d.transaction(store, 'readwrite');
  const os = tx.objectStore(store);
  await os.clear();
  for (const v of values) await os.put(v);
  await tx.done;
}
