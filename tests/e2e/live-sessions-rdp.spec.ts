// Live sessions with RDP, end to end: a visitor's desktop through a link (real Chromium, the real
// proxy, a real xrdp) is listed with its facts and bytes, and disconnecting it through the API ends
// the desktop at once. (The page cannot yet say who ended it: IronRDP's web build does not pass the
// WebSocket's close reason on, so the form shows its general sentence; the SSH page does say it.)
import { expect, test } from '@playwright/test';
import type { AuditEntry, LiveSessionInfo } from '../../src/shared/api';
import { startXrdp, type XrdpServer } from '../support/xrdp';
import { needXrdp } from './rdp-canvas';
import { addResource, createLinks, ok, setFeature, startPostern, type Postern } from './postern';

needXrdp();

let pt: Postern;
let xrdp: XrdpServer;
let token = '';

test.beforeAll(async () => {
  test.setTimeout(120_000);
  [pt, xrdp] = await Promise.all([startPostern(), startXrdp()]);
  await setFeature(pt, true);
  const r = await addResource(pt, 'rdp-live-box', { rdp: [xrdp.port] });
  token = (await createLinks(pt, [r.id]))[0].token;
});
test.afterAll(async () => {
  await pt?.stop();
  await xrdp?.stop();
});

test('a live RDP desktop is listed with its bytes, and disconnecting it ends the desktop', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${pt.url}/#/l/${token}`);
  await page.getByRole('radio', { name: 'RDP', exact: true }).check();
  await page.getByLabel('Username').fill(xrdp.user);
  await page.getByLabel('Password', { exact: true }).fill(xrdp.password);
  await page.getByRole('button', { name: 'Connect' }).click();
  const desktop = page.getByLabel(/^Desktop of rdp-live-box/);
  await expect(desktop).toBeVisible({ timeout: 30_000 });
  await xrdp.waitForSession(30_000);

  const [s, ...others] = await ok<LiveSessionInfo[]>(pt.owner('GET', '/api/sessions'));
  expect(others).toEqual([]);
  expect(s).toMatchObject({ actor: 'link visitor', resourceName: 'rdp-live-box', protocol: 'rdp', port: xrdp.port });
  expect(s.bytesDown).toBeGreaterThan(0);
  expect(await ok(pt.owner('POST', '/api/sessions/disconnect', { ids: [s.id] }))).toEqual({ disconnected: 1 });

  await expect(desktop).toBeHidden({ timeout: 5_000 });
  await expect(page.getByRole('button', { name: 'Connect' })).toBeEnabled();
  expect(await ok<LiveSessionInfo[]>(pt.owner('GET', '/api/sessions'))).toEqual([]);
  const audit = await ok<AuditEntry[]>(pt.owner('GET', '/api/audit'));
  expect(audit.find((e) => e.action === 'session.disconnect')).toMatchObject({ protocol: 'rdp', resourceName: 'rdp-live-box' });
  await context.close();
});
