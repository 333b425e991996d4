// Two real proxies sharing one real PostgreSQL database: what one writes the other serves, a
// deletion through one ends sessions relayed by the other (link sessions, and console sessions when
// their user is deleted, loses an action or signs out), the link limit holds across both, and the
// database password never appears in anything either prints.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE, type Link, type Resource } from '../../src/shared/api.ts';
import { startPostgres, type PostgresCluster } from '../support/postgres.ts';
import { apiClient, signIn, startProxy, type ProxyProcess } from '../support/proxy.ts';
import { echoServerForFile, openRelay, within } from '../support/relay-client.ts';

const PASSWORD = 'Pg-pass-7f3a9c!';
let cluster: PostgresCluster;
let databaseUrl: string;
let a: ProxyProcess;
let b: ProxyProcess;
let ownerA: Awaited<ReturnType<typeof signIn>>;
let callB: Awaited<ReturnType<typeof signIn>>['call'];
const echo = echoServerForFile();

beforeAll(async () => {
  cluster = await startPostgres();
  databaseUrl = await cluster.createDatabase({ password: PASSWORD });
  // Two proxies started at the same moment on a new database: one migrates and creates the owner.
  const env = { POSTERN_MAX_LINKS: '20' };
  [a, b] = await Promise.all([
    startProxy({ databaseUrl, env, waitForSignin: false }),
    startProxy({ env: { ...env, POSTERN_DATABASE_URL: databaseUrl }, waitForSignin: false }),
  ]);
  let signin = '';
  for (let i = 0; i < 200 && !signin; i++) {
    signin = /(http\S+#\/signin\/\S+)/.exec(a.output() + b.output())?.[1] ?? '';
    if (!signin) await new Promise((r) => setTimeout(r, 25));
  }
  ownerA = await signIn(a.url, signin.replace(/^http:\/\/[^/#]+/, a.url));
  // A session made through proxy A is good on proxy B: sessions live in the shared database.
  callB = (await import('../support/proxy.ts')).apiClient(b.url, ownerA.token);
  await ownerA.call('PUT', '/api/settings', { shareableLinks: true });
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await cluster?.stop();
});

function relay(proxy: ProxyProcess, token: string) {
  return openRelay(proxy.url, `protocol=ssh&port=${echo.port}`, ['binary', `postern.link.${token}`]);
}

/** A console session relayed by `proxy` with a user's session token, checked to carry bytes. */
async function consoleRelay(proxy: ProxyProcess, resourceId: string, token: string) {
  const c = openRelay(proxy.url, `resource=${resourceId}&protocol=ssh&port=${echo.port}`, ['binary', `postern.user.${token}`]);
  await c.opened;
  await c.echoes('ping');
  return c;
}

async function resourceWithLink(name: string) {
  const r = (await ownerA.call('POST', '/api/resources', { name, address: '127.0.0.1', ports: { ssh: [echo.port] } })).body;
  const link = (await ownerA.call('POST', '/api/links', { resourceIds: [r.id] })).body[0];
  return { r, link };
}

async function relayedOnB(name: string) {
  const { r, link } = await resourceWithLink(name);
  const c = relay(b, link.token);
  await c.opened;
  await c.echoes('ping');
  return { r, link, c };
}

describe('two proxies, one PostgreSQL database', () => {
  it('both started; exactly one created the owner (the other may offer a fresh URL for the same owner)', async () => {
    const created = [a, b].filter((p) => /First start: open this one-time URL to sign in as the owner/.test(p.output()));
    expect(created).toHaveLength(1);
    // While nobody has signed in, a proxy that starts on the database offers another URL for that owner,
    // never a second owner.
    expect((await ownerA.call('GET', '/api/users')).body.map((u: { name: string }) => u.name)).toEqual(['owner']);
  });

  it('serves on proxy B what was written through proxy A', async () => {
    const { r, link } = await resourceWithLink('shared-box');
    expect((await callB('GET', '/api/resources')).body.map((x: Resource) => x.id)).toContain(r.id);
    expect((await callB('GET', '/api/links')).body.map((x: Link) => x.id)).toContain(link.id);
    expect((await callB('GET', '/api/me')).body.user.role).toBe('owner');
  });

  it('ends a session relayed by B when A deletes its link', async () => {
    const { link, c } = await relayedOnB('cut-by-token');
    await ownerA.call('POST', '/api/links/delete-by-token', { tokens: [link.token] });
    const closed = await c.closed;
    expect(closed.code).toBe(CLOSE.linkDeleted);
    expect(closed.reason).toMatch(/link was deleted/);
  });

  it('ends a session relayed by B when A edits its link to hours that exclude now, and counts its use once across both', async () => {
    const r = (await ownerA.call('POST', '/api/resources', { name: 'cut-by-edit', address: '127.0.0.1', ports: { ssh: [echo.port] } })).body;
    const link: Link = (await ownerA.call('POST', '/api/links', { resourceIds: [r.id], policy: { maxUses: 1 } })).body[0];
    const c = relay(b, link.token);
    await c.opened;
    await c.echoes('ping');
    // The use counted on B is seen by A: the link is used up for everyone. B writes the count just
    // after the machine's first bytes, so A may admit an attempt made in the same instant: try until
    // A refuses (an admitted attempt sends nothing, so the machine answers nothing and counts no use).
    await expect.poll(async () => {
      const attempt = relay(a, link.token);
      const status = await Promise.race([attempt.refused.then((r) => r.status), attempt.opened.then(() => 101, () => 0)]);
      attempt.ws.close();
      return status;
    }, { timeout: 5_000 }).toBe(410);
    const closedDays = [(new Date().getUTCDay() + 3) % 7];
    const edit = await ownerA.call('PUT', `/api/links/${link.id}`, {
      policy: { maxUses: 1, hours: { timeZone: 'UTC', windows: [{ days: closedDays, from: '09:00', to: '10:00' }] } },
    });
    expect(edit.status).toBe(200);
    const closed = await within(3000, c.closed);
    expect(closed.code).toBe(CLOSE.outsideHours);
    expect(closed.reason).toMatch(/works only at set hours/);
  });

  it('ends a session relayed by B when A deletes its resource', async () => {
    const { r, c } = await relayedOnB('cut-by-resource');
    await ownerA.call('DELETE', `/api/resources/${r.id}`);
    expect((await c.closed).code).toBe(CLOSE.resourceDeleted);
  });

  it('ends a session relayed by A when B switches shareable links off', async () => {
    const { link } = await resourceWithLink('cut-by-switch');
    const c = relay(a, link.token);
    await c.opened;
    await callB('PUT', '/api/settings', { shareableLinks: false });
    expect((await c.closed).code).toBe(CLOSE.featureDisabled);
    await callB('PUT', '/api/settings', { shareableLinks: true });
  });

  it('ends console sessions relayed by B when, through A, their user is deleted, loses an action, or signs out', async () => {
    const r = (await ownerA.call('POST', '/api/resources', { name: 'console-box', address: '127.0.0.1', ports: { ssh: [echo.port] } })).body;
    const users: Record<string, { id: string; token: string; call: ReturnType<typeof apiClient> }> = {};
    for (const [name, role] of [['gone', 'reader'], ['demoted', 'owner'], ['leaving', 'contributor']]) {
      const made = (await ownerA.call('POST', '/api/users', { name, role })).body;
      const s = await signIn(a.url, made.signinUrl);
      users[name] = { id: made.user.id, token: s.token, call: s.call };
    }
    const [gone, demoted, leaving] = await Promise.all(['gone', 'demoted', 'leaving'].map((n) => consoleRelay(b, r.id, users[n].token)));

    await ownerA.call('DELETE', `/api/users/${users.gone.id}`);
    expect(await within(1000, gone.closed)).toEqual({ code: CLOSE.unauthenticated, reason: 'Your user was removed from Postern, so the session was ended.' });
    await ownerA.call('PUT', `/api/users/${users.demoted.id}`, { role: 'reader' });
    expect(await within(1000, demoted.closed)).toEqual({ code: CLOSE.forbidden, reason: 'Your role was changed to reader, which may do less, so the session was ended.' });
    expect((await users.leaving.call('DELETE', '/api/session')).status).toBe(204);
    expect(await within(1000, leaving.closed)).toEqual({ code: CLOSE.unauthenticated, reason: 'You signed out of Postern, so the session was ended.' });
  });

  it('holds the link limit across both proxies under concurrent creates', async () => {
    // Start from no links at all (a link whose resource is gone still counts, so delete by token).
    const tokens = (await ownerA.call('GET', '/api/links')).body.map((x: Link) => x.token);
    if (tokens.length) await ownerA.call('POST', '/api/links/delete-by-token', { tokens });
    const r = (await ownerA.call('POST', '/api/resources', { name: 'limit', address: '127.0.0.1', ports: { ssh: [22] } })).body;
    const creates = Array.from({ length: 30 }, (_, i) => (i % 2 ? ownerA.call : callB)('POST', '/api/links', { resourceIds: [r.id] }));
    const answers = await Promise.all(creates);
    expect(answers.filter((x) => x.status === 201)).toHaveLength(20);
    const refused = answers.filter((x) => x.status !== 201);
    expect(refused).toHaveLength(10);
    expect(refused.every((x) => x.body.error.code === 'link-limit' && /at most 20 links/.test(x.body.error.message))).toBe(true);
    expect((await callB('GET', '/api/links')).body).toHaveLength(20);
  });

  it('never prints the database password, only a redacted URL', () => {
    for (const p of [a, b]) {
      expect(p.output()).toMatch(/data in PostgreSQL postgres:\/\/postern_t\d+_\d+:\*\*\*@127\.0\.0\.1:\d+\/postern_t\d+_\d+/);
      expect(p.output()).not.toContain(PASSWORD);
      expect(p.output()).not.toContain(encodeURIComponent(PASSWORD));
    }
  });

  it('says plainly when it cannot reach the database, without the password', async () => {
    const wrong = databaseUrl.replace(encodeURIComponent(PASSWORD), 'Wrong-pass-1b2c');
    const e = await startProxy({ databaseUrl: wrong }).then(() => undefined, (x: Error) => x);
    expect(e?.message).toMatch(/Postern could not start: Could not open the PostgreSQL database postgres:\/\/\S+:\*\*\*@\S+: password authentication failed/);
    expect(e?.message).not.toContain('Wrong-pass-1b2c');
  });
});
