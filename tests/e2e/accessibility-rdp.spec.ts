// The accessibility audit of the link page's RDP states (see accessibility.spec.ts): the desktop being
// reached and the live desktop with its toolbar, at 1280×800 and 390×844, against a real xrdp.
import { expect, test } from '@playwright/test';
import { startXrdp, type XrdpServer } from '../support/xrdp';
import { expectAccessible } from './axe-audit';
import { addResource, createLinks, setFeature, startPostern, type Postern } from './postern';
import { needXrdp } from './rdp-canvas';

needXrdp();

let pt: Postern;
let xrdp: XrdpServer;
let token = '';
test.beforeAll(async () => {
  test.setTimeout(120_000);
  [pt, xrdp] = await Promise.all([startPostern(), startXrdp()]);
  await setFeature(pt, true);
  const r = await addResource(pt, 'rdp-box', { rdp: [xrdp.port] });
  token = (await createLinks(pt, [r.id]))[0].token;
});
test.afterAll(async () => {
  await pt?.stop();
  await xrdp?.stop();
});

for (const size of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
  test(`at ${size.width}×${size.height}: the RDP desktop and its toolbar`, async ({ page }) => {
    await page.setViewportSize(size);
    await page.goto(`${pt.url}/#/l/${token}`);
    await expect(page.getByRole('heading', { name: 'Sign in to rdp-box' })).toBeVisible();
    await page.getByRole('radio', { name: 'RDP', exact: true }).check();
    await page.getByLabel('Username').fill(xrdp.user);
    await page.getByLabel('Password', { exact: true }).fill(xrdp.password);
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect(page.getByLabel(/^Desktop of rdp-box/)).toBeVisible({ timeout: 30_000 });
    await xrdp.waitForSession(30_000);
    await expect(page.getByRole('toolbar', { name: 'Desktop controls' })).toBeVisible();
    await expectAccessible(page, `link RDP desktop ${size.width}×${size.height}`);
    await page.getByRole('button', { name: 'Disconnect', exact: true }).click();
    await expect(page.getByRole('button', { name: 'Connect' })).toBeVisible();
    await expectAccessible(page, `link RDP after disconnect ${size.width}×${size.height}`);
  });
}
