// RDP with NLA (CredSSP) in real Chromium, through a real proxy, to FreeRDP's shadow server on a private
// Xvfb screen, which requires NLA (`/sec:nla +auth`, a SAM file made at test time): the visitor signs in
// and sees the desktop; a wrong password is said at once, beside the password; the certificate the
// proxy remembered is pinned, and a different one is refused.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { startShadow, shadowUnavailable, type ShadowServer } from '../support/freerdp-shadow';
import { addResource, createLinks, ok, setFeature, startPostern, type Postern } from './postern';

test.skip(!!shadowUnavailable(), shadowUnavailable() ?? '');

let pt: Postern;
let shadow: ShadowServer;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  [pt, shadow] = await Promise.all([startPostern(), startShadow()]);
  await setFeature(pt, true);
});
test.afterAll(async () => {
  await pt?.stop();
  await shadow?.stop();
});

async function visitor(browser: Browser, name: string, extra: Record<string, unknown> = {}) {
  const r = await addResource(pt, name, { rdp: [shadow.port] });
  if (Object.keys(extra).length) await ok(pt.owner('PUT', `/api/resources/${r.id}`, { name: r.name, address: r.address, ports: r.ports, ...extra }));
  const [link] = await createLinks(pt, [r.id]);
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`[page] ${m.text()}`);
  });
  await page.goto(`${pt.url}/#/l/${link.token}`);
  await expect(page.getByRole('heading', { name: /^Sign in to / })).toBeVisible();
  return { page, context, resource: r };
}

async function connect(page: Page, password: string) {
  await page.getByLabel('Username').fill(shadow.user);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Connect' }).click();
}

const firstFrames = (page: Page) => page.evaluate(() => performance.getEntriesByName('postern:rdp-first-frame').length);

test('NLA sign-in reaches the desktop, and the machine’s certificate is remembered', async ({ browser }) => {
  const { page, context, resource } = await visitor(browser, 'nla-box');
  await connect(page, shadow.password);
  await expect(page.getByLabel(/^Desktop of nla-box/)).toBeVisible({ timeout: 30_000 });
  await expect.poll(() => firstFrames(page), { timeout: 30_000 }).toBe(1);
  // The shadow server shares its whole screen, so the desktop is that screen's size whatever was asked.
  await expect.poll(() => page.locator('.rdp-stage canvas').evaluate((c: HTMLCanvasElement) => [c.width, c.height]))
    .toEqual([shadow.width, shadow.height]);
  // NLA checked the password before the desktop: no sign-in screen to look for, so no hint and no error.
  await page.waitForTimeout(9000);
  await expect(page.getByRole('alert')).toHaveCount(0);
  const stored = await ok<Array<{ id: string; rdpCertFingerprint?: string }>>(pt.owner('GET', '/api/resources'));
  expect(stored.find((r) => r.id === resource.id)?.rdpCertFingerprint).toBe(shadow.certFingerprint);
  await page.getByRole('button', { name: 'Disconnect', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The session ended. You can connect again.' })).toBeVisible();
  await context.close();
});

test('a wrong password is said at once, beside the password, with what was typed kept', async ({ browser }) => {
  const { page, context } = await visitor(browser, 'nla-wrong');
  await connect(page, `${shadow.password}-not`);
  const started = Date.now();
  await expect(page.locator('#password-error')).toHaveText(
    '"nla-wrong" ended the connection when it checked your sign-in: the username or password was probably not accepted. Check them and connect again.',
    { timeout: 15_000 });
  expect(Date.now() - started).toBeLessThan(5000);
  await expect(page.getByLabel('Password', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Username')).toHaveValue(shadow.user);
  expect(await firstFrames(page)).toBe(0);
  await context.close();
});

test('a changed certificate is refused before any credential is sent', async ({ browser }) => {
  const { page, context } = await visitor(browser, 'nla-moved', { rdpCertFingerprint: `sha256:${'ab'.repeat(32)}` });
  await connect(page, shadow.password);
  await expect(page.getByRole('alert').filter({ hasText: /^"nla-moved" presented a different certificate from the one Postern trusts for it/ }))
    .toBeVisible({ timeout: 30_000 });
  await context.close();
});
