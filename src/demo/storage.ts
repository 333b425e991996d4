// The offline demo's records in IndexedDB: a database of its own ("postern-demo"), apart from the
// console's cache of a real proxy's records (src/storage/db.ts), so neither ever overwrites the other
// and a real user's page never carries the demo's schema. The demo machine keeps its host key in a
// third one (host-key-store.ts). Links hold their tokens in the clear here: it is a demo.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { createRecordStores, type RecordStores } from '../storage/records';

export const DEMO_DB_NAME = 'postern-demo';
const DEMO_DB_VERSION = 1;

export interface DemoDB extends DBSchema, RecordStores {
  /**
   * Single values by name: 'seeded' (true), 'shareableLinks' (boolean), 'actingAs' (a demo user's id),
   * and 'signin:<SHA-256 of a one-time sign-in token>' (the user's id).
   */
  meta: { key: string; value: unknown };
}

let dbPromise: Promise<IDBPDatabase<DemoDB>> | undefined;

export function demoDb(): Promise<IDBPDatabase<DemoDB>> {
  dbPromise ??= openDB<DemoDB>(DEMO_DB_NAME, DEMO_DB_VERSION, {
    upgrade(database, oldVersion) {
      if (oldVersion < 1) createRecordStores(database);
    },
    blocking() {
      // A newer tab wants to upgrade: step aside rather than block it.
      void dbPromise?.then((d) => d.close());
      dbPromise = undefined;
    },
  });
  return dbPromise;
}
