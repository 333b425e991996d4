// CredSSP (NLA) through the whole proxy process: the real IronRDP web client (in Node) to FreeRDP's
// shadow server, which requires NLA (`/sec:nla +auth`, a SAM file made at test time). The proxy dials,
// does TLS, pins the certificate, and then relays CredSSP untouched (no autologon rewrite: the
// credentials travel inside CredSSP). A wrong password ends in CredSSP, and a changed certificate is
// refused before any credential is sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE, RDP_STATUS, type Link, type Resource } from '../../../src/shared/api.ts';
import { startShadow, shadowUnavailable, type ShadowServer } from '../../support/freerdp-shadow.ts';
import { signIn, startProxy, type ProxyProcess } from '../../support/proxy.ts';
import { closeCodes, ironConnect, ironFailure, loadIronRdp } from './ironrdp-node.ts';

const why = shadowUnavailable();

describe.skipIf(!!why)('IronRDP with NLA through the proxy process to FreeRDP’s shadow server', () => {
  let proxy: ProxyProcess;
  let shadow: ShadowServer;
  let owner: Awaited<ReturnType<typeof signIn>>;
  let proxyUrl = '';

  beforeAll(async () => {
    [proxy, shadow] = await Promise.all([startProxy(), startShadow(), loadIronRdp()]);
    owner = await signIn(proxy.url, proxy.ownerSigninUrl);
    proxyUrl = `${proxy.url.replace(/^http/, 'ws')}/ws/rdp`;
    await call('PUT', '/api/settings', { shareableLinks: true });
  }, 120_000); // up to three shadow-server starts of up to 25 s each (see startShadow)
  afterAll(async () => {
    await proxy?.stop();
    await shadow?.stop();
  });

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await owner.call(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body as T;
  }

  async function link(name: string, extra: Partial<Resource> = {}) {
    const resource = await call<Resource>('POST', '/api/resources', { name, address: '127.0.0.1', ports: { rdp: [shadow.port] }, ...extra });
    const [l] = await call<Link[]>('POST', '/api/links', { resourceIds: [resource.id] });
    return { resource, token: l.token };
  }

  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
  };

  const connect = (token: string, password: string) =>
    ironConnect({ proxyUrl, token: `link.${token}`, destination: `link:${shadow.port}`, username: shadow.user, password });

  it('signs in with CredSSP and the certificate is remembered', { timeout: 60_000 }, async () => {
    const { resource, token } = await link('nla-box');
    const session = await connect(token, shadow.password);
    // The shadow server shares its whole screen: the desktop is that screen's size.
    expect(session.desktopSize()).toMatchObject({ width: shadow.width, height: shadow.height });
    session.shutdown();
    session.free();
    const stored = (await call<Resource[]>('GET', '/api/resources')).find((r) => r.id === resource.id);
    expect(stored?.rdpCertFingerprint).toBe(shadow.certFingerprint);
    expect(proxy.output()).not.toContain(shadow.password);
  });

  it('a wrong password: the proxy closes with nlaRefused, which the page turns into a sentence', { timeout: 60_000 }, async () => {
    const { token } = await link('nla-wrong');
    closeCodes.length = 0;
    const failure = await connect(token, `${shadow.password}x`).then(() => undefined, ironFailure);
    expect(failure).toBeDefined();
    await until(() => closeCodes.length > 0);
    // IronRDP only sees the stream end ("not enough bytes"); the proxy's close code says why, and is
    // what the page turns into "the username or password was probably not accepted" (src/rdp/errors.ts).
    expect(closeCodes.at(-1)).toBe(CLOSE.nlaRefused);
  });

  it('a changed certificate is refused before CredSSP starts', { timeout: 60_000 }, async () => {
    const { token } = await link('nla-moved', { rdpCertFingerprint: `sha256:${'cd'.repeat(32)}` });
    const failure = await connect(token, shadow.password).then(() => undefined, ironFailure);
    expect(failure).toMatchObject({ kind: 4, http: RDP_STATUS.forbidden, tls: 42 });
  });
});
