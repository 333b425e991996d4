// Links bound to a passkey, through the proxy: the policy, the refusals before a passkey is proven,
// the ceremony's options, and malformed or forged answers. The whole ceremony with a real (virtual)
// authenticator runs in Chromium: tests/e2e/passkey.spec.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Link } from '../../src/shared/api.ts';
import { apiClient, signIn, startProxy, type ProxyProcess } from '../support/proxy.ts';
import { echoServerForFile, openRelay, within } from '../support/relay-client.ts';

let proxy: ProxyProcess;
let owner: Awaited<ReturnType<typeof signIn>>;
let resourceId: string;
const echo = echoServerForFile();

beforeAll(async () => {
  proxy = await startProxy();
  owner = await signIn(proxy.url, proxy.ownerSigninUrl);
  await owner.call('PUT', '/api/settings', { shareableLinks: true });
  resourceId = (await owner.call('POST', '/api/resources', { name: 'echo-box', address: '127.0.0.1', ports: { ssh: [echo.port] } })).body.id;
});
afterAll(() => proxy?.stop());

const visitor = () => apiClient(proxy.url);
/** As a browser page on the proxy's own origin would send it. */
const fromPage = (path: string, body: unknown) => visitor()('POST', path, body, { origin: proxy.url });

async function passkeyLink(): Promise<Link> {
  const r = await owner.call('POST', '/api/links', { resourceIds: [resourceId], policy: { passkey: true } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body[0];
}

describe('links bound to a passkey', () => {
  it('a link asks for a code or a passkey, not both', async () => {
    for (const body of [{ policy: { passkey: true, accessCode: true } }, { policy: { passkey: true }, accessCode: 'ABCDEFGH' }]) {
      const r = await owner.call('POST', '/api/links', { resourceIds: [resourceId], ...body });
      expect(r.body.error).toMatchObject({ code: 'bad-request', field: 'passkey', message: 'A link asks for an access code or a passkey, not both.' });
    }
  });

  it('before a passkey is proven the link says nothing of its machine, and no tunnel opens', async () => {
    const link = await passkeyLink();
    expect(link.policy).toEqual({ passkey: true });
    const info = await visitor()('POST', '/api/link-info', { token: link.token });
    expect(info.status).toBe(403);
    expect(info.body.error).toMatchObject({ code: 'passkey-required', message: expect.stringMatching(/first person who opens it/) });
    expect(JSON.stringify(info.body)).not.toContain('echo-box');
    // A made-up pass is no pass.
    const forged = await visitor()('POST', '/api/link-info', { token: link.token, accessCode: 'A'.repeat(43) });
    expect(forged.body.error.code).toBe('passkey-required');
    expect((await within(5_000, openRelay(proxy.url, `protocol=ssh&port=${echo.port}`, ['binary', `postern.link.${link.token}.${'A'.repeat(43)}`]).refused)).status).toBe(403);
  });

  it('offers a registration for the first visitor, bound to the page origin; answers only a browser page', async () => {
    const link = await passkeyLink();
    const r = await fromPage('/api/link-passkey/options', { token: link.token });
    expect(r.status).toBe(200);
    expect(r.body.register).toBe(true);
    expect(r.body.options).toMatchObject({ rp: { name: 'Postern', id: '127.0.0.1' }, attestation: 'none', challenge: expect.any(String) });
    const noOrigin = await visitor()('POST', '/api/link-passkey/options', { token: link.token });
    expect(noOrigin.body.error).toMatchObject({ code: 'bad-request', message: 'Passkeys work only from a browser page.' });
    const plain = (await owner.call('POST', '/api/links', { resourceIds: [resourceId] })).body[0];
    expect((await fromPage('/api/link-passkey/options', { token: plain.token })).body.error.message).toBe('This link does not use a passkey.');
    expect((await fromPage('/api/link-passkey/options', { token: 'x'.repeat(43) })).status).toBe(404);
  });

  it('refuses a malformed or forged answer with a sentence, binds nothing, and a challenge is answered once', async () => {
    const link = await passkeyLink();
    await fromPage('/api/link-passkey/options', { token: link.token });
    const forged = {
      id: 'AAAA', rawId: 'AAAA', type: 'public-key', clientExtensionResults: {},
      response: { clientDataJSON: Buffer.from('{"type":"webauthn.create"}').toString('base64url'), attestationObject: 'oA' },
    };
    const r = await fromPage('/api/link-passkey/verify', { token: link.token, response: forged });
    expect(r.status).toBe(403);
    expect(r.body.error).toMatchObject({ code: 'passkey-required', message: expect.stringMatching(/could not be confirmed/) });
    // The challenge went with that answer: a second answer finds none.
    const again = await fromPage('/api/link-passkey/verify', { token: link.token, response: forged });
    expect(again.body.error.message).toBe('The passkey request expired or was replaced. Try again.');
    for (const response of [undefined, 'text', 42, { response: null }]) {
      await fromPage('/api/link-passkey/options', { token: link.token });
      expect((await fromPage('/api/link-passkey/verify', { token: link.token, response })).status).toBeGreaterThanOrEqual(400);
    }
    const listed = (await owner.call('GET', '/api/links')).body.find((l: Link) => l.id === link.id);
    expect(listed.passkeyBoundAt).toBeUndefined();
  });
});
