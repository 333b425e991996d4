// What the specs that check offline use need from the service worker (src/sw/sw.ts): that it controls
// the page, and that its second precache stage, asked for once a session is up, has finished.
import { expect, type Page } from '@playwright/test';

/** The entry sw.ts writes last in its second stage, beside index.html. */
export const COMPLETE_KEY = 'precache-complete.json';

/** Waits until the service worker controls the page (it claims open pages once it has precached the shell). */
export async function controlled(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker?.controller?.state === 'activated', undefined, { timeout: 30_000 });
}

/** Waits until the second stage has stored the rest of the app (it starts when the page is idle after a session is up). */
export async function fullyPrecached(page: Page): Promise<void> {
  await expect
    .poll(() => page.evaluate((key) => caches.match(new URL(key, document.baseURI).href).then((r) => r !== undefined), COMPLETE_KEY), {
      message: 'the service worker never finished storing the rest of the app',
      timeout: 30_000,
    })
    .toBe(true);
}

export interface CachedFile {
  path: string;
  body: Buffer;
}

/** What the site's caches hold now, path by path (relative to the site), with each stored body. */
export async function cachedFiles(page: Page): Promise<CachedFile[]> {
  const files = await page.evaluate(async () => {
    const base = new URL('.', document.baseURI).href;
    const out: Array<{ path: string; body: string }> = [];
    for (const name of await caches.keys()) {
      if (!name.startsWith('postern-')) continue;
      const cache = await caches.open(name);
      for (const req of await cache.keys()) {
        const bytes = new Uint8Array(await (await cache.match(req))!.arrayBuffer());
        let bin = '';
        for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        out.push({ path: req.url.startsWith(base) ? req.url.slice(base.length) || './' : req.url, body: btoa(bin) });
      }
    }
    return out;
  });
  return files.map((f) => ({ path: f.path, body: Buffer.from(f.body, 'base64') }));
}
