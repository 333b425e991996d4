// Live sessions across two real proxies sharing one real PostgreSQL database: a session relayed by
// proxy B is listed by proxy A, with its bytes, and disconnecting it through A ends it on B within a
// second (the store's NOTIFY), with the administrator's sentence and an audit entry naming who did it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE, type AuditEntry, type LiveSessionInfo } from '../../src/shared/api.ts';
import { startPostgres, type PostgresCluster } from '../support/postgres.ts';
import { signIn, startProxy, type ProxyProcess } from '../support/proxy.ts';
import { echoServerForFile, openRelay, within } from '../support/relay-client.ts';

let cluster: PostgresCluster;
let a: ProxyProcess;
let b: ProxyProcess;
let ownerA: Awaited<ReturnType<typeof signIn>>;
const echo = echoServerForFile();

beforeAll(async () => {
  cluster = await startPostgres();
  const databaseUrl = await cluster.createDatabase();
  a = await startProxy({ databaseUrl });
  b = await startProxy({ databaseUrl, waitForSignin: false });
  ownerA = await signIn(a.url, a.ownerSigninUrl);
  await ownerA.call('PUT', '/api/settings', { shareableLinks: true });
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await cluster?.stop();
});

describe('live sessions across two proxies', () => {
  it('lists on A a session relayed by B, and disconnects it from A within a second', async () => {
    const res = (await ownerA.call('POST', '/api/resources', { name: 'far-box', address: '127.0.0.1', ports: { ssh: [echo.port] } })).body;
    const link = (await ownerA.call('POST', '/api/links', { resourceIds: [res.id] })).body[0];
    const onB = openRelay(b.url, `protocol=ssh&port=${echo.port}`, ['binary', `postern.link.${link.token}`]);
    await onB.opened;
    await onB.echoes('across');

    // B reports a new session within moments (and its bytes at each 5 s heartbeat).
    let listed: LiveSessionInfo | undefined;
    for (let i = 0; i < 100 && !listed; i++) {
      listed = ((await ownerA.call('GET', '/api/sessions')).body as LiveSessionInfo[]).find((s) => s.linkId === link.id);
      if (!listed) await new Promise((r) => setTimeout(r, 20));
    }
    expect(listed).toMatchObject({ actor: 'link visitor', resourceName: 'far-box', protocol: 'ssh', port: echo.port });
    // A lists its own sessions too, under another proxy id.
    const own = openRelay(a.url, `protocol=ssh&port=${echo.port}`, ['binary', `postern.link.${link.token}`]);
    await own.opened;
    const both = ((await ownerA.call('GET', '/api/sessions')).body as LiveSessionInfo[]).filter((s) => s.linkId === link.id);
    expect(both).toHaveLength(2);
    expect(new Set(both.map((s) => s.proxyId)).size).toBe(2);

    const r = await ownerA.call('POST', '/api/sessions/disconnect', { ids: [listed!.id] });
    expect(r.body).toEqual({ disconnected: 1 });
    expect(await within(1000, onB.closed)).toEqual({ code: CLOSE.endedByAdmin, reason: 'An administrator ended this session.' });
    await own.echoes('A keeps its own');
    const entry = ((await ownerA.call('GET', '/api/audit')).body as AuditEntry[]).find((e) => e.action === 'session.disconnect');
    expect(entry).toMatchObject({ actor: ownerA.me.user.name, linkId: link.id, resourceId: res.id, resourceName: 'far-box' });
    own.ws.close();
  });
});
