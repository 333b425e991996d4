// Static hosting and offline use: the built site on a plain static file server under a sub-path
// (no proxy at all), reading its config.json there, and opening again from the service worker
// with the network gone; a new build is picked up on the next visit.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { E2E_DIST } from './postern';
import { startStaticSite, SUB_PATH, type StaticSite } from './static-site';

let site: StaticSite;
test.beforeAll(async () => {
  site = await startStaticSite(E2E_DIST, { proxy: null });
});
test.afterAll(async () => {
  await site?.dispose();
});

/** Waits until the service worker controls the page (it claims open pages once it has precached the app). */
async function controlled(page: Page): Promise<string> {
  await page.waitForFunction(() => navigator.serviceWorker?.controller?.state === 'activated', undefined, { timeout: 30_000 });
  return page.evaluate(() => caches.keys().then((keys) => keys.filter((k) => k.startsWith('postern-')).join(',')));
}

test('served from a sub-path, the site reads its config.json there and works offline after one visit', async ({ page, context }) => {
  const configRequest = page.waitForResponse((res) => new URL(res.url()).pathname === `${SUB_PATH}config.json`);
  await page.goto(site.url);
  await expect(page.getByRole('heading', { name: 'Postern' })).toBeVisible();
  const config = await configRequest;
  expect(config.status()).toBe(200);
  expect(await config.json()).toEqual({ proxy: null });

  const cacheName = await controlled(page);
  expect(cacheName).toMatch(/^postern-[0-9a-f]{16}$/);

  // Network gone: the browser is offline and the host itself is down.
  await site.stop();
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Postern' })).toBeVisible();

  // A page whose code was never loaded before still opens: its chunk was precached at install.
  await page.goto(`${site.url}#/l/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`);
  // With no proxy the site is the offline demo, whose links live in this browser: this one is not there.
  await expect(page.getByRole('heading', { name: 'This link does not exist' })).toBeVisible();
  await expect(page.getByText('This page could not be loaded')).toHaveCount(0);
});

test('a new build is used on the next visit, and then offline too', async ({ page, context }) => {
  await site.start();
  await context.setOffline(false);
  await page.goto(site.url);
  const before = await controlled(page);

  // Publish "a new version": a changed index.html and, as every new build has, a new sw.js.
  const indexPath = join(site.dir, 'index.html');
  writeFileSync(indexPath, readFileSync(indexPath, 'utf8').replace('<title>Postern</title>', '<title>Postern (new build)</title>'));
  const swPath = join(site.dir, 'sw.js');
  const oldVersion = before.replace('postern-', '');
  writeFileSync(swPath, readFileSync(swPath, 'utf8').replace(oldVersion, 'f'.repeat(16)));

  await page.reload();
  await expect(page).toHaveTitle('Postern (new build)');
  // The new worker installs, takes over and drops the old cache.
  await expect.poll(() => page.evaluate(() => caches.keys()), { timeout: 30_000 }).toEqual([`postern-${'f'.repeat(16)}`]);

  await site.stop();
  await context.setOffline(true);
  await page.reload();
  await expect(page).toHaveTitle('Postern (new build)');
  await expect(page.getByRole('heading', { name: 'Postern' })).toBeVisible();
});
