// The offline demo keeps its shareable links in this browser's IndexedDB ('postern-demo'); specs read
// their tokens from there to open a link page as a visitor would.
import type { Page } from '@playwright/test';

/** The demo's link tokens by resource name. */
export function demoTokens(page: Page): Promise<Record<string, string>> {
  return page.evaluate(
    () =>
      new Promise<Record<string, string>>((resolve, reject) => {
        const open = indexedDB.open('postern-demo');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction('links').objectStore('links').getAll();
          req.onsuccess = () => {
            open.result.close();
            resolve(Object.fromEntries((req.result as { resourceName: string; token: string }[]).map((l) => [l.resourceName, l.token])));
          };
          req.onerror = () => reject(req.error);
        };
      }),
  );
}
