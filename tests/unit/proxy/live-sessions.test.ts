// Console sessions follow the authority they were opened with: their user, that user's role, and the
// session token. Here against a real (in-memory) SQLite store; the PostgreSQL notices that carry the
// same changes between proxies are in postgres-store.test.ts and tests/api/postgres.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLOSE } from '../../../src/shared/api.ts';
import { ENDED, followStoreChanges, LiveSessions, resync } from '../../../proxy/sessions/live-sessions.ts';
import { SharedStore } from './shared-store.ts';
import { res } from './store-contract.ts';

type Ended = { code: number; reason: string };

let store: SharedStore;
let live: LiveSessions;
let resourceId: string;

beforeEach(async () => {
  store = new SharedStore(':memory:');
  live = new LiveSessions();
  await store.createUser('root', 'owner', 'postern');
  resourceId = (await store.createResource(res('box'), 'root')).id;
});
afterEach(async () => {
  await store.close();
});

let tokens = 0;
/** A user signed in once; each call to open() is a console session with that token. */
async function user(name: string, role: 'owner' | 'contributor' | 'reader') {
  const u = await store.createUser(name, role, 'root');
  return signInAgain(u.id, name);
}

async function signInAgain(userId: string, name: string) {
  const signin = `signin-${++tokens}`;
  const sessionHash = `session-${tokens}`;
  await store.addSigninToken(userId, signin, new Date(Date.now() + 60_000));
  await store.signIn(signin, sessionHash, new Date());
  return { id: userId, name, sessionHash, open: () => open({ userId, sessionHash }) };
}

function open(who: { userId?: string; sessionHash?: string; linkId?: string }) {
  let state: Ended | undefined;
  let done!: (e: Ended) => void;
  const ended = new Promise<Ended>((r) => (done = r));
  live.add({ resourceId, ...who, end: (code, reason) => done((state = { code, reason })) });
  return { ended, state: () => state };
}

describe('ending console sessions', () => {
  it('ends only the sessions of the deleted user, the signed-out token, or the lowered role', async () => {
    const ann = await user('ann', 'owner');
    const annElsewhere = await signInAgain(ann.id, 'ann');
    const bob = await user('bob', 'contributor');
    const [a1, a2, b1, link] = [ann.open(), annElsewhere.open(), bob.open(), open({ linkId: 'L1' })];

    expect(live.endSignedOut(ann.sessionHash)).toBe(1);
    expect(await a1.ended).toEqual({ code: CLOSE.unauthenticated, reason: ENDED.signedOut });
    expect(a2.state()).toBeUndefined();

    expect(live.endRoleLowered(bob.id, 'reader')).toBe(1);
    expect(await b1.ended).toEqual({ code: CLOSE.forbidden, reason: 'Your role was changed to reader, which may do less, so the session was ended.' });

    expect(live.endUser(ann.id)).toBe(1);
    expect(await a2.ended).toEqual({ code: CLOSE.unauthenticated, reason: 'Your user was removed from Postern, so the session was ended.' });
    expect(link.state()).toBeUndefined();
    expect(live.size).toBe(1);
  });

  it('keeps a session opened under a role no richer than the one it is lowered to', async () => {
    const cid = await user('cid', 'reader');
    const asReader = cid.open();
    await resync(store, live); // notes the role each session was opened under
    await store.setUserRole(cid.id, 'owner', 'root');
    const asOwner = cid.open();
    await resync(store, live);
    expect(live.endRoleLowered(cid.id, 'contributor')).toBe(1);
    expect((await asOwner.ended).code).toBe(CLOSE.forbidden);
    expect(asReader.state()).toBeUndefined();
  });
});

describe('re-checking console sessions after changes may have been missed', () => {
  it('ends those whose token is signed out, whose user is gone, or whose role lost an action; keeps the rest', async () => {
    const out = await user('out', 'reader');
    const gone = await user('gone', 'reader');
    const lowered = await user('lowered', 'owner');
    const raised = await user('raised', 'reader');
    const same = await user('same', 'contributor');
    const s = { out: out.open(), gone: gone.open(), lowered: lowered.open(), raised: raised.open(), same: same.open() };
    await resync(store, live);
    expect(live.size).toBe(5);

    // Changes made by another proxy while this one heard nothing.
    await store.deleteSession(out.sessionHash);
    await store.deleteUser(gone.id, 'root');
    await store.setUserRole(lowered.id, 'contributor', 'root');
    await store.setUserRole(raised.id, 'owner', 'root');
    await store.setUserRole(same.id, 'contributor', 'root');
    await resync(store, live);

    expect(await s.out.ended).toEqual({ code: CLOSE.unauthenticated, reason: ENDED.signedOut });
    expect(await s.gone.ended).toEqual({ code: CLOSE.unauthenticated, reason: ENDED.userDeleted });
    expect(await s.lowered.ended).toEqual({ code: CLOSE.forbidden, reason: ENDED.roleLowered('contributor') });
    expect([s.raised.state(), s.same.state()]).toEqual([undefined, undefined]);
    expect(live.size).toBe(2);
  });
});

describe('following the store', () => {
  it('ends console sessions on the changes other proxies report', async () => {
    const unfollow = followStoreChanges(store, live);
    const ann = await user('ann', 'owner');
    const bob = await user('bob', 'owner');
    const cid = await user('cid', 'reader');
    const [a, b, c] = [ann.open(), bob.open(), cid.open()];
    store.emit({ kind: 'signed-out', sessionHash: ann.sessionHash });
    store.emit({ kind: 'user-role-lowered', userId: bob.id, role: 'reader' });
    store.emit({ kind: 'user-deleted', userId: cid.id });
    expect((await a.ended).reason).toBe(ENDED.signedOut);
    expect((await b.ended).reason).toBe(ENDED.roleLowered('reader'));
    expect((await c.ended).reason).toBe(ENDED.userDeleted);
    unfollow();
  });

  it('ends a console session that registers after its token was signed out', async () => {
    followStoreChanges(store, live);
    const ann = await user('ann', 'owner');
    await store.deleteSession(ann.sessionHash);
    // Authorised just before the sign-out, registered just after: the check on registering ends it.
    expect(await ann.open().ended).toEqual({ code: CLOSE.unauthenticated, reason: ENDED.signedOut });
  });
});

describe('the live-sessions list', () => {
  const facts = {
    actor: 'link visitor', linkId: 'l1', resourceId: 'r1', resourceName: 'box', protocol: 'ssh' as const, port: 22,
    clientAddress: '192.0.2.1', startedAt: '2026-01-01T00:00:00.000Z',
  };

  it('lists sessions that carry facts, with live byte counts, and ends them by id with the administrator sentence', () => {
    const ended: Ended[] = [];
    let up = 0;
    live.add({ resourceId: 'r1', end: () => {} }); // no facts: not listed
    const gone = live.add({ resourceId: 'r1', facts, bytes: () => ({ bytesUp: up, bytesDown: 7 }), end: (code, reason) => ended.push({ code, reason }) });
    up = 5;
    const [listed, ...rest] = live.list('p1');
    expect(rest).toEqual([]);
    expect(listed).toMatchObject({ ...facts, bytesUp: 5, bytesDown: 7, proxyId: 'p1' });
    expect(listed.id).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(live.endIds(['other'])).toBe(0);
    expect(live.endIds([listed.id])).toBe(1);
    expect(ended).toEqual([{ code: CLOSE.endedByAdmin, reason: 'An administrator ended this session.' }]);
    expect(live.list('p1')).toEqual([]);
    gone();
  });

  it('ends the sessions another proxy disconnected', () => {
    const ended: Ended[] = [];
    live.add({ resourceId: 'r1', facts, end: (code, reason) => ended.push({ code, reason }) });
    const stop = followStoreChanges(store, live);
    store.emit({ kind: 'sessions-disconnected', ids: [live.list('p')[0].id] });
    expect(ended.map((e) => e.code)).toEqual([CLOSE.endedByAdmin]);
    stop();
  });

  it('tells watchers when a session goes, closed or ended', () => {
    const removed: string[] = [];
    live.onRemove((s) => removed.push(s.resourceId));
    const close = live.add({ resourceId: 'a', end: () => {} });
    live.add({ resourceId: 'b', end: () => {} });
    close();
    close();
    live.endResource('b');
    expect(removed).toEqual(['a', 'b']);
  });
});
