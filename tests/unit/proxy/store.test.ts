// The store contract (store-contract.ts) on both backends, plus what only SQLite has: its file,
// WAL mode and user_version migrations. PostgreSQL's own behaviour is in postgres-store.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../proxy/store/migrations.ts';
import { PostgresStore } from '../../../proxy/store/postgres.ts';
import { SqliteStore } from '../../../proxy/store/sqlite.ts';
import type { Store } from '../../../proxy/store/store.ts';
import { startPostgres, type PostgresCluster } from '../../support/postgres.ts';
import { expectSchema5RowKept, SCHEMA5_AUDIT_ROW, storeContract } from './store-contract.ts';

describe('SqliteStore', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'postern-store-'));
    store = new SqliteStore(join(dir, 'db', 'postern.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  storeContract(() => store);

  it('migrates a new database to the latest version, in WAL mode, and reopens it', async () => {
    await store.createUser('ann', 'owner', 'root');
    await store.close();
    const raw = new Database(join(dir, 'db', 'postern.db'));
    expect(raw.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    store = new SqliteStore(join(dir, 'db', 'postern.db'));
    expect((await store.listUsers()).map((u) => u.name)).toEqual(['ann']);
  });

  it('gives audit entries made before the count column existed a count of 1', async () => {
    await store.close();
    const file = join(dir, 'v1.db');
    const raw = new Database(file);
    raw.exec(MIGRATIONS[0]);
    raw.pragma('user_version = 1');
    raw.prepare(`INSERT INTO audit (at, action, actor, outcome) VALUES (?, 'link.create', 'ann', 'ok')`).run(new Date().toISOString());
    raw.close();
    store = new SqliteStore(file);
    expect(await store.listAudit(10)).toEqual([expect.objectContaining({ action: 'link.create', count: 1 })]);
    await store.addAudit({ action: 'connect', actor: 'unknown', outcome: 'not-found', count: 9 });
    expect((await store.listAudit(10)).map((e) => e.count)).toEqual([9, 1]);
  });

  it('keeps the audit rows of a database from before the file columns, whole and without files', async () => {
    await store.close();
    const file = join(dir, 'v5.db');
    const raw = new Database(file);
    for (const m of MIGRATIONS.slice(0, 5)) raw.exec(m);
    raw.pragma('user_version = 5');
    raw.prepare(`INSERT INTO audit ${SCHEMA5_AUDIT_ROW.columns} VALUES ${SCHEMA5_AUDIT_ROW.values}`).run();
    raw.close();
    store = new SqliteStore(file);
    await expectSchema5RowKept(store);
  });
});

describe('PostgresStore', () => {
  let cluster: PostgresCluster;
  let store: Store;
  beforeAll(async () => {
    cluster = await startPostgres();
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  // A fresh database per test, so each one also runs the migrations from nothing.
  beforeEach(async () => {
    store = await PostgresStore.open(await cluster.createDatabase());
  });
  afterEach(async () => {
    await store.close();
  });

  storeContract(() => store);
});
