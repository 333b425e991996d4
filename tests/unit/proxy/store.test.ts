// The SQLite store: migrations, atomic multi-row changes, and the guards that keep data whole.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../../proxy/store/sqlite.ts';
import { MIGRATIONS } from '../../../proxy/store/migrations.ts';
import { StoreConflict } from '../../../proxy/store/store.ts';

let dir: string;
let store: SqliteStore;
const res = (name: string) => ({ name, address: '10.0.0.1', ports: { ssh: [22] } });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'postern-store-'));
  store = new SqliteStore(join(dir, 'db', 'postern.db'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteStore', () => {
  it('migrates a new database to the latest version, in WAL mode, and reopens it', async () => {
    await store.createUser('ann', 'owner');
    await store.close();
    const raw = new Database(join(dir, 'db', 'postern.db'));
    expect(raw.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    store = new SqliteStore(join(dir, 'db', 'postern.db'));
    expect((await store.listUsers()).map((u) => u.name)).toEqual(['ann']);
  });

  it('creates all links of a batch or none', async () => {
    const a = await store.createResource(res('a'));
    await expect(store.createLinks([a.id, 'missing'], 'ann', 10)).rejects.toThrow(/does not exist; no links were created/);
    expect(await store.listLinks()).toEqual([]);
    await expect(store.createLinks([a.id, a.id, a.id], 'ann', 2)).rejects.toBeInstanceOf(StoreConflict);
    expect(await store.listLinks()).toEqual([]);
    expect(await store.createLinks([a.id], 'ann', 2)).toHaveLength(1);
  });

  it('keeps links of a deleted resource, marked, with the name they had', async () => {
    const a = await store.createResource(res('old-name'));
    await store.updateResource(a.id, res('new-name'));
    const [link] = await store.createLinks([a.id], 'ann', 10);
    await store.deleteResource(a.id);
    const [listed] = await store.listLinks();
    expect(listed).toMatchObject({ id: link.id, status: 'resource-deleted', resourceName: 'new-name' });
    const found = await store.findLinkByTokenHash((await import('../../../proxy/auth/tokens.ts')).hashToken(link.token));
    expect(found?.resource).toBeUndefined();
  });

  it('consumes a sign-in token once, and not after it expires', async () => {
    const u = await store.createUser('ann', 'owner');
    await store.addSigninToken(u.id, 'h1', new Date(Date.now() + 60_000));
    await store.addSigninToken(u.id, 'h2', new Date(Date.now() - 1));
    expect(await store.consumeSigninToken('h1', new Date())).toBe(u.id);
    expect(await store.consumeSigninToken('h1', new Date())).toBeUndefined();
    expect(await store.consumeSigninToken('h2', new Date())).toBeUndefined();
  });

  it('never removes the last owner', async () => {
    const ann = await store.createUser('ann', 'owner');
    await expect(store.setUserRole(ann.id, 'reader')).rejects.toThrow(/only owner/);
    await expect(store.deleteUser(ann.id)).rejects.toThrow(/only owner/);
    const bob = await store.createUser('bob', 'owner');
    await store.setUserRole(ann.id, 'reader');
    await expect(store.deleteUser(bob.id)).rejects.toThrow(/only owner/);
    await expect(store.createUser('bob', 'reader')).rejects.toThrow(/already exists/);
  });

  it('deletes a user\'s sessions with the user', async () => {
    const u = await store.createUser('tmp', 'reader');
    await store.createUser('ann', 'owner');
    await store.addSession(u.id, 'sess');
    expect((await store.getSessionUser('sess'))?.name).toBe('tmp');
    await store.deleteUser(u.id);
    expect(await store.getSessionUser('sess')).toBeUndefined();
  });

  it('pins an RDP certificate on first use only', async () => {
    const a = await store.createResource(res('rdp'));
    expect(await store.pinRdpCertificate(a.id, 'sha256:' + 'a'.repeat(64))).toBe('sha256:' + 'a'.repeat(64));
    expect(await store.pinRdpCertificate(a.id, 'sha256:' + 'b'.repeat(64))).toBe('sha256:' + 'a'.repeat(64));
    expect((await store.getResource(a.id))?.rdpCertFingerprint).toBe('sha256:' + 'a'.repeat(64));
  });

  it('records and completes audit entries', async () => {
    const id = await store.addAudit({ action: 'connect', actor: 'link visitor', outcome: 'open', protocol: 'ssh', port: 22 });
    await store.updateAudit(id, { outcome: 'ok', bytesUp: 10, bytesDown: 20, durationMs: 5 });
    const [e] = await store.listAudit(10);
    expect(e).toMatchObject({ id, outcome: 'ok', bytesUp: 10, bytesDown: 20, durationMs: 5, protocol: 'ssh', port: 22 });
  });
});
