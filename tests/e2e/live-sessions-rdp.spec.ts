// Live sessions with RDP, end to end: a visitor's desktop through a link (real Chromium, the real
// proxy, a real xrdp) is listed with its facts and bytes, and disconnecting it through the API ends
// the desktop at once. (The page cannot yet say who ended it: IronRDP's web build does not pass the
// WebSocket's close reason on, so the form shows its general sentence; the SSH page does say it.)
import { expect, test } from '@playwright/test';
import type { AuditEntry, LiveSessionInfo } from '../../src/shared/api';
import { ok } from './postern';
import { openDesktop, xrdpLinkStage } from './rdp-stage';

const stage = xrdpLinkStage('rdp-live-box');

test('a live RDP desktop is listed with its bytes, and disconnecting it ends the desktop', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  await openDesktop(page, stage);
  const { pt, xrdp } = stage;
  const desktop = page.getByLabel(/^Desktop of rdp-live-box/);

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
