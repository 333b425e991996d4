// Keeps the demo machine's host key seed and the visitor's authorized keys in IndexedDB (a small
// database of its own), so the demo machine keeps its identity across visits: a known-hosts check
// sees the same key, not a "changed" one. Runs in the demo worker.

import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

interface DemoDB extends DBSchema {
  machine: { key: string; value: Uint8Array | string[] };
}

const DB_NAME = 'postern-demo-machine';

export interface DemoMachineState {
  hostKeySeed: Uint8Array;
  authorizedKeys: string[];
  /** False when IndexedDB is unavailable (some private modes): the key lasts for this visit only. */
  persistent: boolean;
}

function open(): Promise<IDBPDatabase<DemoDB>> {
  return openDB<DemoDB>(DB_NAME, 1, {
    upgrade(db) {
      db.createObjectStore('machine');
    },
  });
}

export async function loadMachineState(newSeed: () => Uint8Array): Promise<DemoMachineState> {
  try {
    const db = await open();
    let seed = await db.get('machine', 'host-key-seed');
    if (!(seed instanceof Uint8Array) || seed.length !== 32) {
      seed = newSeed();
      await db.put('machine', seed, 'host-key-seed');
    }
    const keys = await db.get('machine', 'authorized-keys');
    db.close();
    return { hostKeySeed: seed, authorizedKeys: Array.isArray(keys) ? keys : [], persistent: true };
  } catch {
    return { hostKeySeed: newSeed(), authorizedKeys: [], persistent: false };
  }
}

export async function saveAuthorizedKeys(lines: string[]): Promise<void> {
  const db = await open();
  await db.put('machine', lines, 'authorized-keys');
  db.close();
}
