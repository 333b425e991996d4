// The SPA's one IndexedDB module: its schema, its versioned upgrade, and the few reads and writes the UI needs.
// The console shows these records at once and then replaces them with what the proxy says (local first).
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Me } from '../shared/api';
import { createRecordStores, type RecordStores } from './records';

export const DB_NAME = 'postern';
export const DB_VERSION = 5;

/** A signed-in user's bearer token and who it belongs to, kept so the console opens without a round trip. */
export interface StoredSession {
  token: string;
  me: Me;
  /** When the records below were last replaced from the proxy (ISO time), shown in the offline banner. */
  syncedAt?: string;
}

/**
 * An SSH host key this browser trusted for a resource (trust on first use). `resourceKey` says which
 * resource and port it belongs to without holding a secret: see src/ssh/browser/known-hosts.ts.
 */
export interface KnownHost {
  resourceKey: string;
  /** The key type as known_hosts writes it: "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa", … */
  keyType: string;
  /** "SHA256:…" as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  /** When it was first trusted (ISO time). */
  firstSeen: string;
  /** For people reading the list later: the resource's name and port when the key was trusted. */
  resourceName: string;
  port: number;
}

/** A key vault as stored: labels in the clear, and the sealed header (layout in src/vault/format.ts). */
export interface StoredVault {
  /** The header's vault id in hex. */
  id: string;
  name: string;
  createdAt: string;
  autoLockMinutes: number;
  header: Uint8Array;
}

/** One sealed secret of a vault; its name is bound into the seal, so the name here cannot be swapped. */
export interface StoredSecret {
  vaultId: string;
  name: string;
  createdAt: string;
  sealed: Uint8Array;
}

export interface PosternDB extends DBSchema, RecordStores {
  /** Single values by name: 'session'. */
  meta: { key: 'session'; value: StoredSession };
  /** One record per resource and key type. */
  knownHosts: { key: [string, string]; value: KnownHost; indexes: { byResource: string } };
  /** Encrypted key vaults (src/vault): one record per vault, one per sealed secret. */
  vaults: { key: string; value: StoredVault };
  vaultSecrets: { key: [string, string]; value: StoredSecret; indexes: { byVault: string } };
}

/** Version 4 kept the offline demo's records here; they live in the demo's own database now (src/demo/storage.ts). */
const RETIRED_DEMO_STORES = ['demoResources', 'demoLinks', 'demoUsers', 'demoAudit', 'demoMeta'];

export type RecordStore = 'resources' | 'links' | 'users' | 'audit';

/**
 * The console's memory between visits (the app's services hand it to the console: this one with a
 * proxy, the demo's own without). `loadSession` resolves undefined when nobody is signed in here, and
 * rejects with a sentence when the console cannot start at all.
 */
export interface ConsoleCache {
  loadSession(): Promise<StoredSession | undefined>;
  saveSession(session: StoredSession): Promise<void>;
  readAll<S extends RecordStore>(store: S): Promise<PosternDB[S]['value'][]>;
  replaceAll<S extends RecordStore>(store: S, values: PosternDB[S]['value'][]): Promise<void>;
  /** Forgets the session and every cached record, so the next person at this browser sees nothing of ours. */
  clearAll(): Promise<void>;
}

let dbPromise: Promise<IDBPDatabase<PosternDB>> | undefined;

export function db(): Promise<IDBPDatabase<PosternDB>> {
  dbPromise ??= openDB<PosternDB>(DB_NAME, DB_VERSION, {
    upgrade(database, oldVersion) {
      // Each step moves one version forward, so a browser several versions behind replays them in order.
      if (oldVersion < 1) createRecordStores(database);
      if (oldVersion < 2) {
        const hosts = database.createObjectStore('knownHosts', { keyPath: ['resourceKey', 'keyType'] });
        hosts.createIndex('byResource', 'resourceKey');
      }
      if (oldVersion < 3) {
        database.createObjectStore('vaults', { keyPath: 'id' });
        const secrets = database.createObjectStore('vaultSecrets', { keyPath: ['vaultId', 'name'] });
        secrets.createIndex('byVault', 'vaultId');
      }
      // Version 4 added the demo's stores and version 5 removes them: a browser at 3 or older skips both.
      if (oldVersion === 4) {
        const untyped = database as unknown as IDBPDatabase;
        for (const name of RETIRED_DEMO_STORES) if (untyped.objectStoreNames.contains(name)) untyped.deleteObjectStore(name);
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

/**
 * Forgets the session and every cached record, so the next person at this browser sees nothing of ours.
 * Known SSH hosts stay: they are this browser's trust memory, not the signed-in user's records.
 */
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

/** Host keys trusted for one resource (usually one; several if the server offered other types over time). */
export async function knownHostsFor(resourceKey: string): Promise<KnownHost[]> {
  return (await db()).getAllFromIndex('knownHosts', 'byResource', resourceKey);
}

/** Trusts a host key for a resource, replacing whatever was remembered for that resource. */
export async function rememberHost(host: KnownHost): Promise<void> {
  const d = await db();
  const tx = d.transaction('knownHosts', 'readwrite');
  const store = tx.objectStore('knownHosts');
  for (const old of await store.index('byResource').getAllKeys(host.resourceKey)) await store.delete(old);
  await store.put(host);
  await tx.done;
}

/** The console's cache in this browser: a session that cannot be read means nobody is signed in. */
export const consoleCache: ConsoleCache = {
  loadSession: () => loadSession().catch(() => undefined),
  saveSession,
  readAll,
  replaceAll,
  clearAll,
};

// ---- key vaults (src/vault): sealed bytes only; nothing here is ever plaintext ----

export async function listVaults(): Promise<StoredVault[]> {
  return (await db()).getAll('vaults');
}

export async function getVault(id: string): Promise<StoredVault | undefined> {
  return (await db()).get('vaults', id);
}

export async function listVaultSecrets(vaultId: string): Promise<StoredSecret[]> {
  return (await db()).getAllFromIndex('vaultSecrets', 'byVault', vaultId);
}

/** Adds a vault with its secrets in one transaction; false if a vault with this id is already here. */
export async function addVault(vault: StoredVault, secrets: StoredSecret[]): Promise<boolean> {
  const tx = (await db()).transaction(['vaults', 'vaultSecrets'], 'readwrite');
  if (await tx.objectStore('vaults').get(vault.id)) {
    tx.abort();
    await tx.done.catch(() => undefined);
    return false;
  }
  await tx.objectStore('vaults').put(vault);
  for (const s of secrets) await tx.objectStore('vaultSecrets').put(s);
  await tx.done;
  return true;
}

/** Changes a vault's labels (name, auto-lock); the header is never rewritten here. */
export async function updateVaultLabels(id: string, labels: Pick<StoredVault, 'name' | 'autoLockMinutes'>): Promise<boolean> {
  const tx = (await db()).transaction('vaults', 'readwrite');
  const v = await tx.store.get(id);
  if (v) await tx.store.put({ ...v, ...labels });
  await tx.done;
  return !!v;
}

export async function deleteVault(id: string): Promise<void> {
  const tx = (await db()).transaction(['vaults', 'vaultSecrets'], 'readwrite');
  const secrets = tx.objectStore('vaultSecrets');
  for (const key of await secrets.index('byVault').getAllKeys(id)) await secrets.delete(key);
  await tx.objectStore('vaults').delete(id);
  await tx.done;
}

/**
 * Stores a sealed secret, replacing `previousName` (a rename) in the same transaction. Refuses, changing
 * nothing, when the vault is gone or another secret already has the name.
 */
export async function saveVaultSecret(secret: StoredSecret, previousName?: string): Promise<'ok' | 'taken' | 'no-vault'> {
  const tx = (await db()).transaction(['vaults', 'vaultSecrets'], 'readwrite');
  const secrets = tx.objectStore('vaultSecrets');
  let outcome: 'ok' | 'taken' | 'no-vault' = 'ok';
  if (!(await tx.objectStore('vaults').get(secret.vaultId))) outcome = 'no-vault';
  else if (secret.name !== previousName && (await secrets.get([secret.vaultId, secret.name]))) outcome = 'taken';
  if (outcome !== 'ok') {
    tx.abort();
    await tx.done.catch(() => undefined);
    return outcome;
  }
  if (previousName !== undefined && previousName !== secret.name) await secrets.delete([secret.vaultId, previousName]);
  await secrets.put(secret);
  await tx.done;
  return 'ok';
}

export async function deleteVaultSecret(vaultId: string, name: string): Promise<void> {
  await (await db()).delete('vaultSecrets', [vaultId, name]);
}

// ---- known hosts, for the known-hosts page ----

export async function allKnownHosts(): Promise<KnownHost[]> {
  return (await db()).getAll('knownHosts');
}

/** Forgets one trusted host key: the next connection to that resource asks again. */
export async function forgetHost(resourceKey: string, keyType: string): Promise<void> {
  await (await db()).delete('knownHosts', [resourceKey, keyType]);
}
