// A link bound to its first visitor's passkey, with real WebAuthn ceremonies: Chromium's virtual
// authenticator (DevTools' WebAuthn domain) stands in for a security key or a phone. The first visitor
// registers a passkey and reaches a real sshd; the same browser proves it again after a reload; a
// fresh browser with its own authenticator is refused with a sentence, until an owner unbinds.
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import type { Link } from '../../src/shared/api';
import type { Sshd } from '../support/sshd';
import { addResource, ok, row, setFeature, signInAs, startPostern, type Postern } from './postern';
import { fillAndConnect, makeExtraKeys, PROMPT, startSshdWithKeys, waitForTerminal, type ExtraKeys } from './sshd-fixture';

let pt: Postern;
let sshd: Sshd;
let keys: ExtraKeys;

test.beforeAll(async () => {
  keys = makeExtraKeys();
  sshd = await startSshdWithKeys(keys);
  pt = await startPostern();
  await setFeature(pt, true);
});
test.afterAll(async () => {
  await pt?.stop();
  await sshd?.stop();
  keys?.remove();
});

/** A page with its own virtual authenticator, which answers without a person (user verified). */
async function pageWithAuthenticator(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return page;
}

test('the first visitor binds the link to a passkey and connects; only that browser opens it, until an owner unbinds', async ({ browser }) => {
  const r = await addResource(pt, 'passkey-box', { ssh: [sshd.port] });
  await ok(pt.owner('PUT', `/api/resources/${r.id}`, {
    name: 'passkey-box', address: '127.0.0.1', ports: { ssh: [sshd.port] }, sshHostKeyFingerprint: sshd.hostFingerprints.ed25519,
  }));
  // The owner makes the link in the console; a code and a passkey together are refused beside the field.
  const admin = await (await browser.newContext()).newPage();
  await signInAs(admin, pt, 'owner');
  await admin.getByRole('link', { name: 'Shareable links' }).click();
  await admin.getByRole('button', { name: '+ Add' }).click();
  const panel = admin.getByRole('form', { name: 'Create shareable links' });
  await panel.getByRole('checkbox', { name: 'passkey-box' }).check();
  await panel.getByRole('checkbox', { name: "Bind to the first visitor's passkey" }).check();
  await panel.getByRole('checkbox', { name: 'Ask for an access code' }).check();
  await panel.getByRole('button', { name: 'Generate' }).click();
  await panel.getByRole('button', { name: 'Apply' }).click();
  await expect(panel.getByRole('alert')).toHaveText('A link asks for an access code or a passkey, not both.');
  await panel.getByRole('checkbox', { name: 'Ask for an access code' }).uncheck();
  await panel.getByRole('button', { name: 'Apply' }).click();
  await expect(row(admin, 'passkey-box')).toContainText('Passkey, not bound yet');
  const link = (await ok<Link[]>(pt.owner('GET', '/api/links'))).find((l) => l.resourceName === 'passkey-box')!;
  expect(link.policy).toEqual({ passkey: true });
  // WebAuthn refuses IP addresses as the relying party: open the link by name.
  const url = `${pt.url.replace('127.0.0.1', 'localhost')}/#/l/${link.token}`;

  const first = await browser.newContext();
  const page = await pageWithAuthenticator(first);
  await page.goto(url);
  await expect(page.getByRole('heading', { name: 'This link is protected by a passkey' })).toBeVisible();
  await expect(page.getByText(/binds itself to the passkey of the first person who opens it/)).toBeVisible();
  await expect(page.getByText('passkey-box')).toHaveCount(0);
  await page.getByRole('button', { name: 'Continue with a passkey' }).click();
  await fillAndConnect(page, { username: sshd.fixture.user, password: sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
  const bound = (await ok<Link[]>(pt.owner('GET', '/api/links'))).find((l) => l.id === link.id)!;
  expect(bound.passkeyBoundAt).toEqual(expect.any(String));

  // The same browser proves the passkey again after a reload (the pass lives only in the page).
  await page.reload();
  await expect(page.getByText(/opens only in the browser that holds its passkey/)).toBeVisible();
  await page.getByRole('button', { name: 'Continue with a passkey' }).click();
  await expect(page.getByRole('button', { name: 'Connect' })).toBeVisible();

  // Another browser, with an authenticator of its own, cannot.
  const other = await browser.newContext();
  const stranger = await pageWithAuthenticator(other);
  await stranger.goto(url);
  await stranger.getByRole('button', { name: 'Continue with a passkey' }).click();
  await expect(stranger.getByRole('alert')).toHaveText(/did not confirm the passkey this link is bound to/);
  await expect(stranger.getByRole('button', { name: 'Connect' })).toHaveCount(0);

  // The console says when it was bound; unbound there by the owner, the link binds to the next visitor's passkey.
  await admin.reload();
  await expect(row(admin, 'passkey-box')).toContainText('Passkey bound on');
  await admin.getByRole('button', { name: 'Edit link to passkey-box' }).click();
  await admin.getByRole('checkbox', { name: /^Unbind the passkey bound on/ }).check();
  await admin.getByRole('button', { name: 'Save' }).click();
  await expect(row(admin, 'passkey-box')).toContainText('Passkey, not bound yet');
  await stranger.reload();
  await stranger.getByRole('button', { name: 'Continue with a passkey' }).click();
  await expect(stranger.getByRole('button', { name: 'Connect' })).toBeVisible();
  await first.close();
  await other.close();
  await admin.context().close();
});
