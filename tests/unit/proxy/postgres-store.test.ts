// What PostgreSQL adds over SQLite: several proxies (here, several PostgresStore instances) share one
// database. Migrations run once however many start together, limits hold under concurrent writers,
// and a deletion through one proxy ends live sessions held by another (LISTEN/NOTIFY).
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { CLOSE } from '../../../src/shared/api.ts';
import { hashToken } from '../../../proxy/store/tokens.ts';
import { followStoreChanges, LiveSessions, resync } from '../../../proxy/sessions/live-sessions.ts';
import { PG_MIGRATIONS } from '../../../proxy/store/migrations.ts';
import { PostgresStore } from '../../../proxy/store/postgres.ts';
import { StoreConflict, type StoreChange } from '../../../proxy/store/store.ts';
import { startPostgres, type PostgresCluster } from '../../support/postgres.ts';
import { expectSchema5RowKept, res, SCHEMA5_AUDIT_ROW } from './store-contract.ts';

let cluster: PostgresCluster;
let url: string;
const open: PostgresStore[] = [];
const logs: string[] = [];

async function proxyStore(): Promise<PostgresStore> {
  const s = await PostgresStore.open(url, { log: (m) => logs.push(m) });
  open.push(s);
  return s;
}

const dbName = () => new URL(url).pathname.slice(1);

beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => {
  await cluster?.stop();
});
beforeEach(async () => {
  url = await cluster.createDatabase();
  logs.length = 0;
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe('PostgreSQL migrations', () => {
  it('migrates once when several proxies start at the same moment, and again finds nothing to do', async () => {
    const stores = await Promise.all(Array.from({ length: 6 }, () => proxyStore()));
    await stores[0].createUser('ann', 'owner', 'root');
    const version = await cluster.query('SELECT version FROM postern_schema', [], dbName());
    expect(version.rows).toEqual([{ version: PG_MIGRATIONS.length }]);
    const again = await proxyStore();
    expect((await again.listUsers()).map((u) => u.name)).toEqual(['ann']);
    expect((await cluster.query('SELECT count(*)::int AS n FROM postern_schema', [], dbName())).rows[0].n).toBe(1);
  });

  it('refuses a database set up by a newer Postern, and leaves it alone', async () => {
    await (await proxyStore()).close();
    open.length = 0;
    await cluster.query('UPDATE postern_schema SET version = 99', [], dbName());
    await expect(PostgresStore.open(url)).rejects.toThrow(`newer Postern (schema 99, this one knows ${PG_MIGRATIONS.length})`);
    expect((await cluster.query('SELECT version FROM postern_schema', [], dbName())).rows[0].version).toBe(99);
  });

  it('gives audit entries made before the count column existed a count of 1', async () => {
    await cluster.query(`CREATE TABLE postern_schema (version integer NOT NULL); INSERT INTO postern_schema VALUES (1); ${PG_MIGRATIONS[0]}`, [], dbName());
    await cluster.query(`INSERT INTO audit (at, action, actor, outcome) VALUES (now(), 'link.create', 'ann', 'ok')`, [], dbName());
    const s = await proxyStore();
    expect(await s.listAudit(10)).toEqual([expect.objectContaining({ action: 'link.create', count: 1 })]);
    expect((await cluster.query('SELECT version FROM postern_schema', [], dbName())).rows[0].version).toBe(PG_MIGRATIONS.length);
  });

  it('keeps the audit rows of a database from before the file columns, whole and without files', async () => {
    await cluster.query(`CREATE TABLE postern_schema (version integer NOT NULL); INSERT INTO postern_schema VALUES (5); ${PG_MIGRATIONS.slice(0, 5).join('\n')}`, [], dbName());
    await cluster.query(`INSERT INTO audit ${SCHEMA5_AUDIT_ROW.columns} VALUES ${SCHEMA5_AUDIT_ROW.values}`, [], dbName());
    await expectSchema5RowKept(await proxyStore());
    expect((await cluster.query('SELECT version FROM postern_schema', [], dbName())).rows[0].version).toBe(PG_MIGRATIONS.length);
  });
});

describe('limits under concurrent proxies', () => {
  it('never exceeds the link limit, however the creates interleave', async () => {
    const [a, b] = [await proxyStore(), await proxyStore()];
    const r = await a.createResource(res('box'), 'ann');
    // 24 batches of 3 from two proxies against a limit of 20: at most 6 batches fit, all or none each.
    const attempts = Array.from({ length: 24 }, (_, i) => (i % 2 ? a : b).createLinks([r.id, r.id, r.id], 'ann', 20));
    const results = await Promise.allSettled(attempts);
    const ok = results.filter((x) => x.status === 'fulfilled');
    const refused = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
    expect(ok).toHaveLength(6);
    expect(refused.every((x) => x.reason instanceof StoreConflict && x.reason.code === 'link-limit')).toBe(true);
    expect(await a.listLinks()).toHaveLength(18);
  });

  it('keeps one owner when two proxies demote the two owners at once', async () => {
    const [a, b] = [await proxyStore(), await proxyStore()];
    const ann = await a.createUser('ann', 'owner', 'root');
    const bob = await a.createUser('bob', 'owner', 'root');
    const results = await Promise.allSettled([a.setUserRole(ann.id, 'reader', 'root'), b.deleteUser(bob.id, 'root')]);
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((x) => x.status === 'rejected') as PromiseRejectedResult).reason.code).toBe('last-owner');
    expect((await b.listUsers()).filter((u) => u.role === 'owner')).toHaveLength(1);
  });

  it('gives one of two proxies creating the same user name a clear duplicate error', async () => {
    const [a, b] = [await proxyStore(), await proxyStore()];
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).createUser('sam', 'reader', 'root')));
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    for (const x of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
      expect(x.reason).toMatchObject({ code: 'duplicate', message: 'A user named "sam" already exists.' });
    }
  });

  it('pins one RDP certificate when two proxies pin different ones at once', async () => {
    const [a, b] = [await proxyStore(), await proxyStore()];
    const r = await a.createResource(res('rdp'), 'ann');
    const pins = await Promise.all([a.pinRdpCertificate(r.id, 'sha256:' + 'a'.repeat(64), 'ann'), b.pinRdpCertificate(r.id, 'sha256:' + 'b'.repeat(64), 'ann')]);
    expect(pins[0]).toBe(pins[1]);
    expect((await a.getResource(r.id))?.rdpCertFingerprint).toBe(pins[0]);
  });
});

/** A live session registered on one proxy; `ended` resolves with the close code it was ended with. */
function session(live: LiveSessions, linkId: string | undefined, resourceId: string) {
  let end!: (v: { code: number; reason: string }) => void;
  const ended = new Promise<{ code: number; reason: string }>((r) => (end = r));
  live.add({ linkId, resourceId, end: (code, reason) => end({ code, reason }) });
  return ended;
}

/** A console session on one proxy, opened with a user's session token (stored as `sessionHash`). */
function consoleSession(live: LiveSessions, userId: string, sessionHash: string, resourceId = 'r') {
  let end!: (v: { code: number; reason: string }) => void;
  const ended = new Promise<{ code: number; reason: string }>((r) => (end = r));
  live.add({ resourceId, userId, sessionHash, end: (code, reason) => end({ code, reason }) });
  return ended;
}

async function signedIn(store: PostgresStore, name: string, role: 'owner' | 'contributor' | 'reader') {
  const u = await store.createUser(name, role, 'root');
  const signin = hashToken(`signin-${name}`);
  await store.addSigninToken(u.id, signin, new Date(Date.now() + 60_000));
  await store.signIn(signin, hashToken(`session-${name}`), new Date());
  return { ...u, sessionHash: hashToken(`session-${name}`) };
}

describe('live sessions across proxies', () => {
  it('ends sessions on proxy B when proxy A deletes their link, their resource, or switches links off', async () => {
    const [a, b] = [await proxyStore(), await proxyStore()];
    const liveB = new LiveSessions();
    const unfollow = followStoreChanges(b, liveB);
    const r1 = await a.createResource(res('one'), 'ann');
    const r2 = await a.createResource(res('two'), 'ann');
    const [l1, l2, l3] = await a.createLinks([r1.id, r2.id, r2.id], 'ann', 10);

    const byToken = session(liveB, l1.id, r1.id);
    const console = session(liveB, undefined, r1.id);
    await a.deleteLinksByTokenHash([hashToken(l1.token)], 'ann');
    expect(await byToken).toMatchObject({ code: CLOSE.linkDeleted });

    await a.deleteResource(r1.id, 'ann');
    expect(await console).toMatchObject({ code: CLOSE.resourceDeleted });

    const byLink = session(liveB, l2.id, r2.id);
    await a.setShareableLinks(true, 'ann');
    await a.setShareableLinks(false, 'ann');
    expect(await byLink).toMatchObject({ code: CLOSE.featureDisabled, reason: expect.stringMatching(/turned off/) });
    expect(liveB.size).toBe(0);

    unfollow();
    expect(l3.resourceId).toBe(r2.id);
  });

  it('ends console sessions on proxy B when proxy A deletes their user, lowers their role, or they sign out', async () => {
    const [a, b] = [await proxyStore(), await proxyStore()];
    const liveB = new LiveSessions();
    followStoreChanges(b, liveB);
    await a.createUser('root', 'owner', 'postern');
    const gone = await signedIn(a, 'gone', 'reader');
    const demoted = await signedIn(a, 'demoted', 'owner');
    const out = await signedIn(a, 'out', 'contributor');
    const ends = [consoleSession(liveB, gone.id, gone.sessionHash), consoleSession(liveB, demoted.id, demoted.sessionHash),
      consoleSession(liveB, out.id, out.sessionHash)];
    await a.deleteUser(gone.id, 'root');
    await a.setUserRole(demoted.id, 'contributor', 'root');
    await a.deleteSession(out.sessionHash);
    expect(await Promise.all(ends)).toEqual([
      { code: CLOSE.unauthenticated, reason: 'Your user was removed from Postern, so the session was ended.' },
      { code: CLOSE.forbidden, reason: 'Your role was changed to contributor, which may do less, so the session was ended.' },
      { code: CLOSE.unauthenticated, reason: 'You signed out of Postern, so the session was ended.' },
    ]);
    expect(liveB.size).toBe(0);
  });

  it('sends a role notice only when the new role lacks an action of the old one', async () => {
    const [a, b] = [await proxyStore(), await proxyStore()];
    const heard: StoreChange[] = [];
    b.onChange((c) => heard.push(c));
    await a.createUser('root', 'owner', 'postern');
    const cid = await a.createUser('cid', 'reader', 'root');
    await a.setUserRole(cid.id, 'contributor', 'root');
    await a.setUserRole(cid.id, 'owner', 'root');
    await a.setUserRole(cid.id, 'reader', 'root');
    while (!heard.length) await new Promise((ok) => setTimeout(ok, 10));
    expect(heard).toEqual([{ kind: 'user-role-lowered', userId: cid.id, role: 'reader' }]);
  });

  it('tells proxy B nothing about a change that rolled back', async () => {
    const [a, b] = [await proxyStore(), await proxyStore()];
    const heard: string[] = [];
    b.onChange((c) => heard.push(c.kind));
    await expect(a.deleteResource('no-such-resource', 'ann')).rejects.toThrow(/no longer exists/);
    // A committed change sent after the failed one arrives; the failed one never does.
    const r = await a.createResource(res('x'), 'ann');
    await a.deleteResource(r.id, 'ann');
    while (!heard.length) await new Promise((ok) => setTimeout(ok, 10));
    expect(heard).toEqual(['resource-deleted']);
  });

  it('splits a large deletion into several notices, all of which arrive', async () => {
    const [a, b] = [await proxyStore(), await proxyStore()];
    const r = await a.createResource(res('many'), 'ann');
    const links = await a.createLinks(Array(500).fill(r.id), 'ann', 500);
    const liveB = new LiveSessions();
    followStoreChanges(b, liveB);
    const ends = links.map((l) => session(liveB, l.id, 'other-resource'));
    expect((await a.deleteLinksByResource([r.id], 'ann')).length).toBe(500);
    const closed = await Promise.all(ends);
    expect(closed.every((c) => c.code === CLOSE.linkDeleted)).toBe(true);
  });

  it('re-checks live sessions after the listening connection drops, so nothing deleted meanwhile survives', async () => {
    const [a, b] = [await proxyStore(), await proxyStore()];
    await a.setShareableLinks(true, 'ann');
    const r = await a.createResource(res('box'), 'ann');
    const [link] = await a.createLinks([r.id], 'ann', 10);
    const liveB = new LiveSessions();
    followStoreChanges(b, liveB);
    const ended = session(liveB, link.id, r.id);
    // Cut every proxy's listening connection, then delete while they reconnect.
    await cluster.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'postern-listen' AND datname = $1`, [dbName()]);
    await a.deleteLinksByResource([r.id], 'ann');
    expect(await ended).toMatchObject({ code: CLOSE.linkDeleted });
    expect(logs.some((m) => /hears other proxies' changes was lost/.test(m))).toBe(true);
    // Listening again: a later deletion arrives as a notice.
    const [again] = await a.createLinks([r.id], 'ann', 10);
    const endedAgain = session(liveB, again.id, r.id);
    await a.deleteLinksByTokenHash([hashToken(again.token)], 'ann');
    expect(await endedAgain).toMatchObject({ code: CLOSE.linkDeleted });
  });

  it('re-checks console sessions after the listening connection drops', async () => {
    const [a, b] = [await proxyStore(), await proxyStore()];
    await a.createUser('root', 'owner', 'postern');
    const gone = await signedIn(a, 'gone', 'reader');
    const demoted = await signedIn(a, 'demoted', 'owner');
    const out = await signedIn(a, 'out', 'reader');
    const r = await a.createResource(res('box'), 'root');
    const liveB = new LiveSessions();
    followStoreChanges(b, liveB);
    const ends = [consoleSession(liveB, gone.id, gone.sessionHash, r.id), consoleSession(liveB, demoted.id, demoted.sessionHash, r.id),
      consoleSession(liveB, out.id, out.sessionHash, r.id)];
    // Each new session's user is looked up as it registers; wait for that here (it is what notes
    // the role a session was opened under) before cutting the connection.
    await resync(b, liveB);
    await cluster.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'postern-listen' AND datname = $1`, [dbName()]);
    await a.deleteUser(gone.id, 'root');
    await a.setUserRole(demoted.id, 'reader', 'root');
    await a.deleteSession(out.sessionHash);
    expect((await Promise.all(ends)).map((e) => e.code)).toEqual([CLOSE.unauthenticated, CLOSE.forbidden, CLOSE.unauthenticated]);
  });
});

describe('secrets', () => {
  it('never shows a wrong password in the error, and keeps session tokens as the hashes it is given', async () => {
    const withPassword = await cluster.createDatabase({ password: 'Sup3r-Secret!pw' });
    const wrong = withPassword.replace(encodeURIComponent('Sup3r-Secret!pw'), 'Wr0ng-Secret');
    const e = await PostgresStore.open(wrong).then(() => undefined, (x: Error) => x);
    expect(e?.message).toMatch(/Could not open the PostgreSQL database postgres:\/\/postern_t\d+_\d+:\*\*\*@127\.0\.0\.1:\d+\/postern_t\d+_\d+: password authentication failed/);
    expect(e?.message).not.toContain('Wr0ng');
    url = withPassword;
    const s = await proxyStore();
    const u = await s.createUser('ann', 'owner', 'root');
    await s.addSigninToken(u.id, hashToken('raw-signin-token'), new Date(Date.now() + 60_000));
    await s.signIn(hashToken('raw-signin-token'), hashToken('raw-session-token'), new Date());
    const stored = await cluster.query('SELECT token_hash FROM sessions', [], dbName());
    expect(stored.rows).toEqual([{ token_hash: hashToken('raw-session-token') }]);
  });
});
