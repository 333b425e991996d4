// The link page reads its known hosts ahead, while the sign-in form is on screen, so Connect is quick. What it
// read then must not decide trust: a host key forgotten or replaced afterwards (here in another tab of the same
// browser) is judged at Connect as the known hosts are then. Real Chromium, proxy and OpenSSH sshd.
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { startSshd, type Sshd } from '../support/sshd';
import { addResource, createLinks, setFeature, startPostern, type Postern } from './postern';
import { fillAndConnect, PROMPT, waitForTerminal } from './sshd-fixture';

let pt: Postern;
let sshd: Sshd;

test.beforeAll(async () => {
  sshd = await startSshd();
  pt = await startPostern();
  await setFeature(pt, true);
});
test.afterAll(async () => {
  await pt?.stop();
  await sshd?.stop();
});

/** A resource with no pinned key (trust on first use) and its link. */
async function tofuLink(name: string): Promise<string> {
  const r = await addResource(pt, name, { ssh: [sshd.port] });
  const [link] = await createLinks(pt, [r.id]);
  return `${pt.url}/#/l/${link.token}`;
}

/** First use: trust the key, see the prompt, disconnect. The key is then remembered in this browser. */
async function trustOnce(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await fillAndConnect(page, { username: sshd.fixture.user, password: sshd.fixture.password });
  await page.getByRole('dialog', { name: `First connection to ${name}` }).getByRole('button', { name: 'Trust' }).click();
  await waitForTerminal(page, PROMPT);
  await page.getByRole('button', { name: 'Disconnect' }).click();
  await expect(page.getByText('The session ended. You can connect again.')).toBeVisible();
}

/** A fresh visit that reads the known hosts ahead: the form is filled in, Connect not pressed yet. */
async function formWithKnownHostsReadAhead(page: Page, url: string): Promise<void> {
  await page.goto('about:blank');
  await page.goto(url);
  await page.getByLabel('Username').fill(sshd.fixture.user);
  await page.getByRole('radio', { name: 'A password' }).check();
  await page.getByLabel('Password', { exact: true }).fill(sshd.fixture.password);
  await expect
    .poll(() => page.evaluate(() => performance.getEntriesByName('postern:known-hosts-read-ahead').length), { message: 'known hosts never read ahead' })
    .toBe(1);
}

/**
 * What a session in another tab of this browser would store: in a tab on the Known hosts page, where the
 * resource named `name` is listed, its remembered key becomes `change` (another fingerprint, or another
 * key type), straight in IndexedDB.
 */
async function rewriteInAnotherTab(context: BrowserContext, name: string, change: { keyType?: string; fingerprint: string }): Promise<void> {
  const other = await context.newPage();
  await other.goto(`${pt.url}/#/known-hosts`);
  await expect(other.getByRole('row', { name: new RegExp(name) })).toBeVisible();
  await other.evaluate(async ({ name, change }) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('postern');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const tx = db.transaction('knownHosts', 'readwrite');
    const store = tx.objectStore('knownHosts');
    const all = await new Promise<Array<{ resourceKey: string; keyType: string; resourceName: string }>>((resolve) => {
      const r = store.getAll();
      r.onsuccess = () => resolve(r.result);
    });
    for (const host of all.filter((h) => h.resourceName === name)) {
      store.delete([host.resourceKey, host.keyType]); // the key path is [resourceKey, keyType]
      store.put({ ...host, ...change });
    }
    await new Promise((resolve) => (tx.oncomplete = resolve));
    db.close();
  }, { name, change });
  await other.close();
}

test('a host key removed in another tab after the form read the known hosts ahead is asked about again', async ({ page, context }) => {
  const url = await tofuLink('preload-forget-box');
  await trustOnce(page, url, 'preload-forget-box');
  await formWithKnownHostsReadAhead(page, url);

  const other = await context.newPage();
  await other.goto(`${pt.url}/#/known-hosts`);
  const row = other.getByRole('row', { name: /preload-forget-box/ });
  await row.getByRole('button', { name: 'Remove…' }).click();
  await other.getByRole('button', { name: 'Remove the key' }).click();
  await expect(other.getByRole('status')).toContainText('Removed the key of "preload-forget-box"');
  await other.close();

  await page.getByRole('button', { name: 'Connect' }).click();
  const dialog = page.getByRole('dialog', { name: 'First connection to preload-forget-box' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(sshd.hostFingerprints.ed25519);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('alert')).toHaveText('You did not trust the host key of "preload-forget-box", so the connection was stopped.');
});

test('a host key replaced in another tab after the form read the known hosts ahead makes Connect refuse the server', async ({ page, context }) => {
  const url = await tofuLink('preload-replace-box');
  await trustOnce(page, url, 'preload-replace-box');
  await formWithKnownHostsReadAhead(page, url);

  // Another tab of this browser now trusts a different key for this resource (as a session there would store it).
  const otherKey = 'SHA256:' + 'B'.repeat(43);
  await rewriteInAnotherTab(context, 'preload-replace-box', { fingerprint: otherKey });

  await page.getByRole('button', { name: 'Connect' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('WARNING: the host key of "preload-replace-box" has changed.');
  await expect(alert).toContainText(otherKey);
  await expect(alert).toContainText(sshd.hostFingerprints.ed25519);
  await expect(page.getByRole('dialog')).toHaveCount(0);
});

test('a key of another type trusted in another tab after the read-ahead is the one asked for, and trusted without a question', async ({ page, context }) => {
  // The handshake starts at Connect asking first for the key type read ahead (ed25519 here); the read at
  // Connect then finds an ECDSA key instead. Asking the server for ed25519 would look like a changed key:
  // the page starts again, asking for ECDSA, and the server's ECDSA key is the one trusted.
  const url = await tofuLink('preload-type-box');
  await trustOnce(page, url, 'preload-type-box');
  await formWithKnownHostsReadAhead(page, url);

  await rewriteInAnotherTab(context, 'preload-type-box', { keyType: 'ecdsa-sha2-nistp256', fingerprint: sshd.hostFingerprints.ecdsa256 });

  await page.getByRole('button', { name: 'Connect' }).click();
  await waitForTerminal(page, PROMPT);
  await expect(page.getByRole('dialog')).toHaveCount(0);
  const details = page.getByTestId('connection-details');
  await details.locator('summary').click();
  await expect(details).toContainText(sshd.hostFingerprints.ecdsa256);
  await expect(details).toContainText('ecdsa-sha2-nistp256');
});
