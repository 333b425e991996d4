// The real IronRDP web client (in Node) through the whole proxy process at /ws/rdp, to a real xrdp
// with xorgxrdp: a link token signs in (the proxy resolves the machine, remembers its certificate and
// sets autologon), deleting the link ends the live session, and each refusal reaches IronRDP as the
// status the page turns into a sentence. The proxy runs with its clipboard trace on, which must name
// the clipboard channel and its messages and never a secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RDP_STATUS, type AuditEntry, type Link, type Resource } from '../../../src/shared/api.ts';
import { signIn, startProxy, type ProxyProcess } from '../../support/proxy.ts';
import { freePort } from '../../support/ports.ts';
import { startXrdp, xrdpUnavailable, type XrdpServer } from '../../support/xrdp.ts';
import { ironConnect, ironFailure, loadIronRdp } from './ironrdp-node.ts';

const why = xrdpUnavailable();

describe.skipIf(!!why)('IronRDP through the proxy process to xrdp', () => {
  let proxy: ProxyProcess;
  let xrdp: XrdpServer;
  let owner: Awaited<ReturnType<typeof signIn>>;
  let proxyUrl = '';
  let closedPort = 0;

  beforeAll(async () => {
    [proxy, xrdp] = await Promise.all([startProxy({ env: { POSTERN_RDP_TRACE: 'cliprdr' } }), startXrdp(), loadIronRdp()]);
    owner = await signIn(proxy.url, proxy.ownerSigninUrl);
    proxyUrl = `${proxy.url.replace(/^http/, 'ws')}/ws/rdp`;
    closedPort = await freePort();
    await call('PUT', '/api/settings', { shareableLinks: true });
  });
  afterAll(async () => {
    await proxy?.stop();
    await xrdp?.stop();
  });

  async function call<T>(method: string, path: string, body?: unknown, status = [200, 201, 204]): Promise<T> {
    const r = await owner.call(method, path, body);
    if (!status.includes(r.status)) throw new Error(`${method} ${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body as T;
  }

  async function resourceWithLink(name: string, ports = [xrdp.port], extra: Partial<Resource> = {}) {
    const resource = await call<Resource>('POST', '/api/resources', { name, address: '127.0.0.1', ports: { rdp: ports }, ...extra });
    const [link] = await call<Link[]>('POST', '/api/links', { resourceIds: [resource.id] });
    return { resource, link };
  }

  /** Connects as a link visitor; resolves with the IronRDP failure, or undefined when it connected. */
  async function attempt(token: string, port = xrdp.port, password = xrdp.password) {
    try {
      const session = await ironConnect({ proxyUrl, token: `link.${token}`, destination: `link:${port}`, username: xrdp.user, password });
      session.free();
      return undefined;
    } catch (e) {
      return ironFailure(e);
    }
  }

  const until = async (cond: () => Promise<boolean>, what: string) => {
    for (let i = 0; i < 200; i++) {
      if (await cond()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  const audit = () => call<AuditEntry[]>('GET', '/api/audit?limit=200');

  it('a link visitor signs in; the certificate is remembered; deleting the link ends the session', { timeout: 60_000 }, async () => {
    const { resource, link } = await resourceWithLink('rdp-box');
    const session = await ironConnect({
      proxyUrl, token: `link.${link.token}`, destination: `link:${xrdp.port}`, username: xrdp.user, password: xrdp.password, clipboard: true,
    });
    expect(session.desktopSize()).toMatchObject({ width: 1024, height: 768 });
    // xrdp starts a desktop only after checking the password: the proxy's autologon flag worked.
    await xrdp.waitForSession(30_000);

    const pinned = await call<Resource[]>('GET', '/api/resources');
    expect(pinned.find((r) => r.id === resource.id)?.rdpCertFingerprint).toBe(xrdp.certFingerprint);

    const open = (await audit()).find((a) => a.linkId === link.id && a.action === 'connect');
    expect(open).toMatchObject({ protocol: 'rdp', port: xrdp.port, outcome: 'open', resourceName: 'rdp-box', actor: 'link visitor' });

    await until(async () => proxy.output().includes('cliprdr machine→page monitorReady'), 'the clipboard service to start');
    await call('POST', '/api/links/delete-by-token', { tokens: [link.token] });
    await until(async () => (await audit()).some((a) => a.id === open!.id && a.outcome !== 'open'), 'the audit entry to close');
    const closed = (await audit()).find((a) => a.id === open!.id)!;
    expect(closed.outcome).toBe('ended');
    expect(closed.bytesDown).toBeGreaterThan(1000);
    // Nothing secret in the trail: neither the token nor the password.
    expect(JSON.stringify(await audit())).not.toContain(link.token);
    expect(JSON.stringify(await audit())).not.toContain(xrdp.password);
    // The trace found the clipboard channel in the real connect frames and saw the machine's
    // clipboard service start in the user's session (MS-RDPECLIP 1.3.2.1), naming nothing secret.
    expect(proxy.output()).toMatch(/\[rdp \d+\] rdp channels: cliprdr is MCS channel \d+/);
    expect(proxy.output()).toMatch(/cliprdr machine→page monitorReady/);
    expect(proxy.output()).not.toContain(link.token);
    expect(proxy.output()).not.toContain(xrdp.password);
    session.free();
  });

  it('a signed-in user connects with their session token and the resource id', { timeout: 60_000 }, async () => {
    const { resource } = await resourceWithLink('user-box');
    const session = await ironConnect({
      proxyUrl, token: `user.${owner.token}`, destination: `${resource.id}:${xrdp.port}`, username: xrdp.user, password: xrdp.password,
    });
    expect(session.desktopSize().width).toBe(1024);
    session.free();
    const e = await ironConnect({ proxyUrl, token: `user.${'A'.repeat(43)}`, destination: `${resource.id}:${xrdp.port}`, username: 'u', password: 'p' })
      .then(() => undefined, ironFailure);
    expect(e).toMatchObject({ kind: 4, http: RDP_STATUS.unauthenticated });
  });

  it('refuses a wrong link token with 404', async () => {
    expect(await attempt('W'.repeat(43))).toMatchObject({ kind: 4, http: RDP_STATUS.notFound });
    expect(await attempt('short')).toMatchObject({ kind: 4, http: RDP_STATUS.notFound });
  });

  it('refuses a deleted resource’s link with 410', async () => {
    const { resource, link } = await resourceWithLink('gone-box');
    await call('DELETE', `/api/resources/${resource.id}`);
    expect(await attempt(link.token)).toMatchObject({ kind: 4, http: RDP_STATUS.resourceDeleted });
  });

  it('refuses every link with 423 while the feature is off', async () => {
    const { link } = await resourceWithLink('off-box');
    await call('PUT', '/api/settings', { shareableLinks: false });
    try {
      expect(await attempt(link.token)).toMatchObject({ kind: 4, http: RDP_STATUS.featureDisabled });
    } finally {
      await call('PUT', '/api/settings', { shareableLinks: true });
    }
  });

  it('a single-use link signs in once; then it is refused as used up (441); closed hours give 442', { timeout: 60_000 }, async () => {
    const resource = await call<Resource>('POST', '/api/resources', { name: 'once-rdp', address: '127.0.0.1', ports: { rdp: [xrdp.port] } });
    const [once] = await call<Link[]>('POST', '/api/links', { resourceIds: [resource.id], policy: { maxUses: 1 } });
    expect(await attempt(once.token)).toBeUndefined();
    await until(async () => (await call<Link[]>('GET', '/api/links')).find((l) => l.id === once.id)?.uses === 1, 'the use to count');
    expect(await attempt(once.token)).toMatchObject({ kind: 4, http: RDP_STATUS.linkUsedUp });
    const closedDays = [(new Date().getUTCDay() + 3) % 7];
    const [later] = await call<Link[]>('POST', '/api/links', {
      resourceIds: [resource.id], policy: { hours: { timeZone: 'UTC', windows: [{ days: closedDays, from: '09:00', to: '10:00' }] } } });
    expect(await attempt(later.token)).toMatchObject({ kind: 4, http: RDP_STATUS.outsideHours });
  });

  it('refuses a port the resource does not allow with 403, without dialling it', async () => {
    const { link } = await resourceWithLink('narrow-box');
    expect(await attempt(link.token, closedPort)).toMatchObject({ kind: 4, http: RDP_STATUS.forbidden, tls: undefined });
  });

  it('refuses a changed certificate with 403 and TLS alert 42', async () => {
    const { link } = await resourceWithLink('moved-box', [xrdp.port], { rdpCertFingerprint: `sha256:${'cd'.repeat(32)}` });
    expect(await attempt(link.token)).toMatchObject({ kind: 4, http: RDP_STATUS.forbidden, tls: 42 });
    const entry = (await audit()).find((a) => a.linkId === link.id && a.action === 'connect');
    expect(entry?.outcome).toBe('certificate-mismatch');
  });

  it('reports a machine with nothing listening as 502 with WSAECONNREFUSED', async () => {
    const { link } = await resourceWithLink('down-box', [closedPort]);
    expect(await attempt(link.token, closedPort)).toMatchObject({ kind: 4, http: RDP_STATUS.targetFailed, wsa: 10061 });
  });
});
