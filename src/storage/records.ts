// The record stores the console's cache (db.ts) and the demo's own database (src/demo/storage.ts) both
// hold: the proxy's four kinds of record, keyed by id, and 'meta', single values by name.
import type { AuditEntry, Link, Resource, User } from '../shared/api';

export interface RecordStores {
  resources: { key: string; value: Resource };
  links: { key: string; value: Link };
  users: { key: string; value: User };
  audit: { key: number; value: AuditEntry };
}

/** What an upgrade is handed, as far as createRecordStores needs it. */
interface Upgrading {
  createObjectStore(name: keyof RecordStores | 'meta', options?: IDBObjectStoreParameters): unknown;
}

/** Version 1 of either database: the record stores and 'meta' (whose keys each database names). */
export function createRecordStores(database: Upgrading): void {
  for (const name of ['resources', 'links', 'users', 'audit'] as const) database.createObjectStore(name, { keyPath: 'id' });
  database.createObjectStore('meta');
}
