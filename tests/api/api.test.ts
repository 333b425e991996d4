// The JSON API against a real proxy process with a temporary SQLite database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, Link } from '../../src/shared/api.ts';
import { apiClient, signIn, startProxy, type ProxyProcess } from '../support/proxy.ts';

let proxy: ProxyProcess;
let owner: Awaited<ReturnType<typeof signIn>>;
const secrets: string[] = [];

const sshResource = (name: string) => ({ name, address: '127.0.0.1', ports: { ssh: [22, 2222] } });

beforeAll(async () => {
  proxy = await startProxy();
  owner = await signIn(proxy.url, proxy.ownerSigninUrl);
  // The first owner's one-time URL is printed on purpose (and is used up by now); nothing else may be.
  secrets.push(owner.token);
});
afterAll(async () => {
  await proxy?.stop();
});

describe('sign-in', () => {
  it('the first owner signs in once with the printed URL', async () => {
    expect(owner.me.user.role).toBe('owner');
    expect(owner.me.actions).toContain('links.create');
    const again = await apiClient(proxy.url)('POST', '/api/session', { signinToken: proxy.ownerSigninUrl.split('#/signin/')[1] });
    expect(again.status).toBe(401);
    expect(again.body.error.message).toMatch(/already used|expired/);
  });

  it('refuses requests without a valid session', async () => {
    const r = await apiClient(proxy.url)('GET', '/api/me');
    expect(r.status).toBe(401);
    expect(r.body.error.message).toMatch(/sign in/i);
    const forged = await apiClient(proxy.url, 'A'.repeat(43))('GET', '/api/links');
    expect(forged.status).toBe(401);
  });

  it('signing out ends the session', async () => {
    const created = await owner.call('POST', '/api/users', { name: 'leaver', role: 'reader' });
    const leaver = await signIn(proxy.url, created.body.signinUrl);
    expect((await leaver.call('GET', '/api/me')).status).toBe(200);
    expect((await leaver.call('DELETE', '/api/session')).status).toBe(204);
    expect((await leaver.call('GET', '/api/me')).status).toBe(401);
    // An owner can hand out a fresh one-time URL (a POST without a body).
    const fresh = await owner.call('POST', `/api/users/${created.body.user.id}/signin-link`);
    expect(fresh.status).toBe(201);
    expect((await signIn(proxy.url, fresh.body.signinUrl)).me.user.name).toBe('leaver');
  });
});

describe('bad input gets a clear error', () => {
  it('names the field that is wrong', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ address: '10.0.0.1', ports: { ssh: [22] } }, 'name', /Name is required/],
      [{ name: 'a', address: 'http://x', ports: { ssh: [22] } }, 'address', /host name or an IP/],
      [{ name: 'a', address: 'x', ports: {} }, 'ports', /at least one protocol/],
      [{ name: 'a', address: 'x', ports: { ssh: [70000] } }, 'ports.ssh', /not a port number/],
      [{ name: 'a', address: 'x', ports: { telnet: [23] } }, 'ports', /Unknown protocol/],
      [{ name: 'a', address: 'x', ports: { ssh: [22] }, sshHostKeyFingerprint: 'MD5:aa' }, 'sshHostKeyFingerprint', /SHA256:/],
    ];
    for (const [body, field, message] of cases) {
      const r = await owner.call('POST', '/api/resources', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.field).toBe(field);
      expect(r.body.error.message).toMatch(message);
    }
    expect((await owner.call('GET', '/api/resources')).body).toEqual([]);
  });

  it('refuses malformed JSON, the wrong content type and oversized bodies', async () => {
    const post = (body: string, type = 'application/json') =>
      fetch(`${proxy.url}/api/resources`, { method: 'POST', headers: { 'content-type': type, authorization: `Bearer ${owner.token}` }, body });
    let r = await post('{"name":');
    expect(r.status).toBe(400);
    expect((await r.json()).error.message).toMatch(/not valid JSON/);
    r = await post('name=x', 'application/x-www-form-urlencoded');
    expect((await r.json()).error.message).toMatch(/as JSON/);
    r = await post(JSON.stringify({ name: 'x'.repeat(70_000) }));
    expect(r.status).toBe(413);
    r = await fetch(`${proxy.url}/api/nothing-here`);
    expect(r.status).toBe(404);
    expect((await r.json()).error.message).toMatch(/no API/);
  });

  it('refuses API calls from a foreign web origin', async () => {
    const r = await owner.call('GET', '/api/me', undefined, { origin: 'https://evil.example' });
    expect(r.status).toBe(403);
  });
});

describe('resources, links and permissions', () => {
  it('walks through the shareable-link lifecycle', async () => {
    const web = (await owner.call('POST', '/api/resources', sshResource('web-1'))).body;
    await owner.call('POST', '/api/resources', { name: 'db-1', address: 'db.internal', ports: { ssh: [22], rdp: [3389] } });
    expect(web.id).toBeTruthy();

    // Off by default: nothing can be created and link pages say so.
    let r = await owner.call('POST', '/api/links', { resourceIds: [web.id] });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('feature-disabled');

    r = await owner.call('PUT', '/api/settings', { shareableLinks: true });
    expect(r.body.shareableLinks).toBe(true);

    r = await owner.call('POST', '/api/links', { resourceIds: [web.id] });
    expect(r.status).toBe(201);
    expect(r.body).toHaveLength(1);
    const webLink = r.body[0];
    expect(webLink.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(webLink).toMatchObject({ resourceId: web.id, resourceName: 'web-1', status: 'active', createdBy: 'owner' });
    secrets.push(webLink.token);

    r = await owner.call('POST', '/api/links', { all: true });
    expect(r.body.map((l: Link) => l.resourceName).sort()).toEqual(['db-1', 'web-1']);
    secrets.push(...r.body.map((l: Link) => l.token));
    expect(new Set(r.body.map((l: Link) => l.token)).size).toBe(2);

    // The link page learns the name and the allowed ports, never the address.
    r = await apiClient(proxy.url)('POST', '/api/link-info', { token: webLink.token });
    expect(r.body).toEqual({ resourceName: 'web-1', ports: { ssh: [22, 2222] } });
    expect(JSON.stringify(r.body)).not.toContain('127.0.0.1');

    // A reader can view links but not create or delete them.
    const made = await owner.call('POST', '/api/users', { name: 'rita', role: 'reader' });
    expect(made.status).toBe(201);
    const reader = await signIn(proxy.url, made.body.signinUrl);
    secrets.push(reader.token);
    expect(reader.me.actions).toEqual(['links.get']);
    expect((await reader.call('GET', '/api/links')).body).toHaveLength(3);
    for (const [path, body] of [
      ['/api/links', { all: true }],
      ['/api/links/delete-by-resource', { resourceIds: [web.id] }],
      ['/api/links/delete-by-token', { tokens: [webLink.token] }],
      ['/api/resources', sshResource('sneaky')],
    ] as const) {
      const denied = await reader.call('POST', path, body);
      expect(denied.status, path).toBe(403);
      expect(denied.body.error.message).toMatch(/Your role \(reader\) cannot/);
    }
    expect((await owner.call('GET', '/api/links')).body).toHaveLength(3);

    // A contributor may create and delete links, but not manage resources.
    const c = await signIn(proxy.url, (await owner.call('POST', '/api/users', { name: 'carl', role: 'contributor' })).body.signinUrl);
    secrets.push(c.token);
    expect((await c.call('POST', '/api/resources', sshResource('nope'))).status).toBe(403);

    // Delete by resource removes every link of that resource.
    r = await c.call('POST', '/api/links/delete-by-resource', { resourceIds: [web.id] });
    expect(r.body).toEqual({ deleted: 2 });
    expect((await owner.call('GET', '/api/links')).body.map((l: Link) => l.resourceName)).toEqual(['db-1']);

    // Delete by token accepts a pasted full URL; a bad entry deletes nothing.
    const dbLink = (await owner.call('GET', '/api/links')).body[0];
    r = await c.call('POST', '/api/links/delete-by-token', { tokens: [`${proxy.url}/#/l/${dbLink.token}`, 'not a token'] });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/Entry 2 .*nothing was deleted/);
    expect((await owner.call('GET', '/api/links')).body).toHaveLength(1);
    r = await c.call('POST', '/api/links/delete-by-token', { tokens: [`${proxy.url}/#/l/${dbLink.token}`] });
    expect(r.body).toEqual({ deleted: 1 });
    r = await apiClient(proxy.url)('POST', '/api/link-info', { token: dbLink.token });
    expect(r.status).toBe(404);
    expect(r.body.error.message).toMatch(/does not exist/);

    // The audit trail records who created and deleted which link.
    const audit = (await owner.call('GET', '/api/audit')).body;
    expect(audit.filter((e: AuditEntry) => e.action === 'link.create')).toHaveLength(3);
    expect(audit.filter((e: AuditEntry) => e.action === 'link.delete' && e.actor === 'carl')).toHaveLength(3);
    expect((await reader.call('GET', '/api/audit')).status).toBe(403);
  });

  it('keeps a link whose resource was deleted, and explains it', async () => {
    const res = (await owner.call('POST', '/api/resources', sshResource('doomed'))).body;
    const link = (await owner.call('POST', '/api/links', { resourceIds: [res.id] })).body[0];
    secrets.push(link.token);
    expect((await owner.call('DELETE', `/api/resources/${res.id}`)).status).toBe(204);
    const listed = (await owner.call('GET', '/api/links')).body.find((l: Link) => l.id === link.id);
    expect(listed).toMatchObject({ status: 'resource-deleted', resourceName: 'doomed' });
    const info = await apiClient(proxy.url)('POST', '/api/link-info', { token: link.token });
    expect(info.status).toBe(410);
    expect(info.body.error.message).toMatch(/"doomed".*deleted/);
    expect((await owner.call('DELETE', `/api/resources/${res.id}`)).status).toBe(404);
  });

  it('switching the feature off stops existing links', async () => {
    const res = (await owner.call('POST', '/api/resources', sshResource('paused'))).body;
    const link = (await owner.call('POST', '/api/links', { resourceIds: [res.id] })).body[0];
    secrets.push(link.token);
    await owner.call('PUT', '/api/settings', { shareableLinks: false });
    const info = await apiClient(proxy.url)('POST', '/api/link-info', { token: link.token });
    expect(info.status).toBe(403);
    expect(info.body.error.message).toMatch(/turned off/);
    await owner.call('PUT', '/api/settings', { shareableLinks: true });
    expect((await apiClient(proxy.url)('POST', '/api/link-info', { token: link.token })).status).toBe(200);
  });

  it('never leaves the installation without an owner', async () => {
    const r = await owner.call('PUT', `/api/users/${owner.me.user.id}`, { role: 'reader' });
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(/only owner/);
    expect((await owner.call('DELETE', `/api/users/${owner.me.user.id}`)).status).toBe(409);
    expect((await owner.call('GET', '/api/me')).body.user.role).toBe('owner');
  });

  it('sends security headers on everything', async () => {
    const r = await fetch(`${proxy.url}/api/health`);
    expect(r.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(r.headers.get('content-security-policy')).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('never writes a token to its output', () => {
    const out = proxy.output();
    expect(secrets.length).toBeGreaterThan(5);
    for (const s of secrets) expect(out).not.toContain(s);
  });
});

describe('limits', () => {
  it('refuses the link past the limit, creating none of the batch', async () => {
    const small = await startProxy({ env: { POSTERN_MAX_LINKS: '3' } });
    try {
      const o = await signIn(small.url, small.ownerSigninUrl);
      await o.call('PUT', '/api/settings', { shareableLinks: true });
      const ids: string[] = [];
      for (const n of ['a', 'b', 'c', 'd']) ids.push((await o.call('POST', '/api/resources', sshResource(n))).body.id);
      expect((await o.call('POST', '/api/links', { resourceIds: ids.slice(0, 2) })).status).toBe(201);
      const r = await o.call('POST', '/api/links', { resourceIds: ids.slice(2) });
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('link-limit');
      expect(r.body.error.message).toMatch(/at most 3 links/);
      expect((await o.call('GET', '/api/links')).body).toHaveLength(2);
      expect((await o.call('POST', '/api/links', { resourceIds: [ids[2]] })).status).toBe(201);
      expect((await o.call('POST', '/api/links', { resourceIds: [ids[3]] })).status).toBe(409);
    } finally {
      await small.stop();
    }
  });

  it('refuses create/delete requests past the in-flight limit', async () => {
    const small = await startProxy({ env: { POSTERN_MAX_INFLIGHT: '1' } });
    try {
      const o = await signIn(small.url, small.ownerSigninUrl);
      await o.call('PUT', '/api/settings', { shareableLinks: true });
      const id = (await o.call('POST', '/api/resources', sshResource('x'))).body.id;
      // Hold one request open by sending its body slowly.
      const { request } = await import('node:http');
      const body = JSON.stringify({ resourceIds: [id] });
      const held = request(`${small.url}/api/links`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${o.token}` },
      });
      const heldDone = new Promise<number>((ok) => held.on('response', (res) => { res.resume(); ok(res.statusCode!); }));
      held.write(body.slice(0, 5));
      await new Promise((r) => setTimeout(r, 200));
      const r = await o.call('POST', '/api/links', { resourceIds: [id] });
      expect(r.status).toBe(429);
      expect(r.body.error.message).toMatch(/at most 1 at once/);
      held.end(body.slice(5));
      expect(await heldDone).toBe(201);
      expect((await o.call('GET', '/api/links')).body).toHaveLength(1);
    } finally {
      await small.stop();
    }
  });
});
