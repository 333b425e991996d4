// Live sessions through the API: GET /api/sessions lists what is relayed right now with its facts and
// bytes; POST /api/sessions/disconnect ends chosen sessions at once with the administrator's sentence,
// audited with who did it. Readers may list but not disconnect; strangers may do neither.
// (With POSTERN_TEST_DATABASE=postgres this runs on PostgreSQL; two proxies: live-sessions-postgres.test.ts.)
import { describe, expect, it } from 'vitest';
import { CLOSE, type AuditEntry, type LiveSessionInfo } from '../../src/shared/api.ts';
import { apiClient, signIn } from '../support/proxy.ts';
import { linkedProxy } from './linked-proxy.ts';
import { echoServerForFile, openRelay, within } from '../support/relay-client.ts';

const stage = linkedProxy();
const echo = echoServerForFile();

async function userWith(role: 'reader' | 'contributor', name: string) {
  const made = (await stage.owner.call('POST', '/api/users', { name, role })).body;
  return signIn(stage.proxy.url, made.signinUrl.replace(/^http:\/\/[^/#]+/, stage.proxy.url));
}

async function linkedSession(name: string, label?: string) {
  const res = (await stage.owner.call('POST', '/api/resources', { name, address: '127.0.0.1', ports: { ssh: [echo.port] } })).body;
  const link = (await stage.owner.call('POST', '/api/links', { resourceIds: [res.id], ...(label ? { label } : {}) })).body[0];
  const c = openRelay(stage.proxy.url, `protocol=ssh&port=${echo.port}`, ['binary', `postern.link.${link.token}`]);
  await c.opened;
  await c.echoes('hello');
  return { res, link, c };
}

async function sessionsOf(call = stage.owner.call): Promise<LiveSessionInfo[]> {
  const r = await call('GET', '/api/sessions');
  expect(r.status).toBe(200);
  return r.body;
}

describe('live sessions', () => {
  it('lists a relayed session with its link, resource, protocol, port, client, start and bytes', async () => {
    const { res, link, c } = await linkedSession('listed-box', 'for the vendor');
    const mine = (await sessionsOf()).find((s) => s.linkId === link.id);
    expect(mine).toMatchObject({
      actor: 'link visitor', resourceId: res.id, resourceName: 'listed-box', protocol: 'ssh',
      port: echo.port, bytesUp: 5, bytesDown: 5,
    });
    // The link's label, once links have one (POST /api/links takes it with the link policies).
    expect(mine!.linkLabel).toBe(link.label);
    expect(mine!.id).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(mine!.clientAddress).toMatch(/127\.0\.0\.1/);
    expect(Date.now() - Date.parse(mine!.startedAt)).toBeLessThan(60_000);
    expect(JSON.stringify(await sessionsOf())).not.toContain(link.token);
    c.ws.close();
    await c.closed;
    for (let i = 0; i < 100 && (await sessionsOf()).some((s) => s.linkId === link.id); i++) await new Promise((r) => setTimeout(r, 20));
    expect((await sessionsOf()).some((s) => s.linkId === link.id)).toBe(false);
  });

  it('lists a console session under its user\'s name', async () => {
    const res = (await stage.owner.call('POST', '/api/resources', { name: 'console-box', address: '127.0.0.1', ports: { ssh: [echo.port] } })).body;
    const c = openRelay(stage.proxy.url, `resource=${res.id}&protocol=ssh&port=${echo.port}`, ['binary', `postern.user.${stage.owner.token}`]);
    await c.opened;
    await c.echoes('x');
    const mine = (await sessionsOf()).find((s) => s.resourceId === res.id);
    expect(mine).toMatchObject({ actor: stage.owner.me.user.name, resourceName: 'console-box' });
    expect(mine!.linkId).toBeUndefined();
    c.ws.close();
  });

  it('disconnects chosen sessions within a second, with the sentence, audited with who did it', async () => {
    const one = await linkedSession('cut-1');
    const two = await linkedSession('cut-2');
    const keep = await linkedSession('kept');
    const carol = await userWith('contributor', 'carol');
    const listed = await sessionsOf(carol.call);
    const ids = listed.filter((s) => s.linkId === one.link.id || s.linkId === two.link.id).map((s) => s.id);
    expect(ids).toHaveLength(2);
    const r = await carol.call('POST', '/api/sessions/disconnect', { ids: [...ids, 'no-such-session'] });
    expect(r).toMatchObject({ status: 200, body: { disconnected: 2 } });
    for (const c of [one.c, two.c]) {
      expect(await within(1000, c.closed)).toEqual({ code: CLOSE.endedByAdmin, reason: 'An administrator ended this session.' });
    }
    await keep.c.echoes('still here');
    expect((await sessionsOf()).map((s) => s.id)).not.toContain(ids[0]);
    const audit: AuditEntry[] = (await stage.owner.call('GET', '/api/audit')).body;
    const entries = audit.filter((e) => e.action === 'session.disconnect');
    expect(entries.map((e) => e.linkId).sort()).toEqual([one.link.id, two.link.id].sort());
    expect(entries[0]).toMatchObject({ actor: 'carol', outcome: 'ok', detail: 'session of link visitor', protocol: 'ssh' });
    keep.c.ws.close();
  });

  it('lets readers list but not disconnect, strangers neither, and refuses a malformed request', async () => {
    const { c } = await linkedSession('guarded');
    const reader = await userWith('reader', 'rita');
    const [s] = (await sessionsOf(reader.call)).filter((x) => x.resourceName === 'guarded');
    const refused = await reader.call('POST', '/api/sessions/disconnect', { ids: [s.id] });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe('Your role (reader) cannot disconnect live sessions: that takes an owner or a contributor.');
    const stranger = apiClient(stage.proxy.url);
    expect((await stranger('GET', '/api/sessions')).status).toBe(401);
    expect((await stranger('POST', '/api/sessions/disconnect', { ids: [s.id] })).status).toBe(401);
    const bad = await stage.owner.call('POST', '/api/sessions/disconnect', { ids: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('Sessions must be a non-empty list.');
    await c.echoes('unharmed');
    c.ws.close();
  });
});
