// RDP from the console's Connect page, to a real xrdp: the desktop is asked for at the size it will have
// there (the console keeps its top bar and the corner above the session), so it fits at once: no page
// scroll, and no second sign-in to resize it.
import { expect, test } from '@playwright/test';
import { signInAs } from './postern';
import { DESKTOP_CANVAS } from './rdp-canvas';
import { xrdpLinkStage } from './rdp-stage';

const stage = xrdpLinkStage('console-rdp-box');

test("the console's Connect page asks for a desktop that fits below its corner, and keeps it", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  await signInAs(page, stage.pt, 'owner');
  await page.getByRole('link', { name: 'Connect to console-rdp-box' }).click();
  await page.getByRole('radio', { name: 'RDP', exact: true }).check();
  await page.getByLabel('Username').fill(stage.xrdp.user);
  await page.getByLabel('Password', { exact: true }).fill(stage.xrdp.password);
  await page.getByRole('button', { name: 'Connect' }).click();
  const canvas = page.locator(DESKTOP_CANVAS);
  await expect(page.getByLabel(/^Desktop of console-rdp-box/)).toBeVisible({ timeout: 30_000 });
  await stage.xrdp.waitForSession(30_000);

  // Given time to settle, the page never resizes the desktop: the first size was the right one.
  const native = () => canvas.evaluate((c: HTMLCanvasElement) => ({ width: c.width, height: c.height }));
  const first = await native();
  await page.waitForTimeout(3000); // longer than the resize's settle and probe times (see rdp.spec.ts)
  await expect(page.getByRole('status').filter({ hasText: 'Resizing the desktop' })).toHaveCount(0);
  expect(await native()).toEqual(first);

  // It fits the window: drawn one to one (not scaled down), ending above the window's bottom edge, no page scroll.
  const box = (await canvas.boundingBox())!;
  expect(Math.round(box.height)).toBe(first.height);
  expect(box.y + box.height).toBeLessThanOrEqual(800);
  expect(first.height, 'most of the room below the corner').toBeGreaterThan(800 - box.y - 40);
  expect(await page.evaluate(() => document.scrollingElement!.scrollHeight)).toBeLessThanOrEqual(800);
  await context.close();
});
