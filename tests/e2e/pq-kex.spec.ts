// Post-quantum key exchange in the browser, end to end: real Chromium, the real proxy, and two real
// servers: OpenSSH 10.5 (which picks mlkem768x25519) and Debian's OpenSSH 9.2 (sntrup761x25519);
// and the offline demo's machine (the SSH library's server role in a worker, no proxy). The terminal's
// connection details say which exchange ran and that it is post-quantum; a server that allows only a
// classical exchange is shown as "not post-quantum".
import { expect, test, type Page } from '@playwright/test';
import { sshdAvailable, startSshd, type Sshd } from '../support/sshd';
import { addResource, createLinks, E2E_DIST, ok, setFeature, startPostern, type Postern } from './postern';
import { fillAndConnect, PROMPT, waitForTerminal } from './sshd-fixture';
import { startStaticSite } from './static-site';

let pt: Postern;
const servers: Record<string, { sshd: Sshd; token: string }> = {};

async function serverWithLink(name: string, sshd: Sshd): Promise<void> {
  const r = await addResource(pt, name, { ssh: [sshd.port] });
  // The pinned host key spares the first-use question.
  const pin = sshd.hostFingerprints.ed25519;
  await ok(pt.owner('PUT', `/api/resources/${r.id}`, { name, address: '127.0.0.1', ports: { ssh: [sshd.port] }, sshHostKeyFingerprint: pin }));
  const [link] = await createLinks(pt, [r.id]);
  servers[name] = { sshd, token: link.token };
}

test.beforeAll(async () => {
  pt = await startPostern();
  await setFeature(pt, true);
  await serverWithLink('debian-box', await startSshd());
  await serverWithLink('classic-box', await startSshd({ extraConfig: ['KexAlgorithms curve25519-sha256'] }));
  if (sshdAvailable('openssh-10.5')) await serverWithLink('openssh-10-box', await startSshd({ build: 'openssh-10.5' }));
});
test.afterAll(async () => {
  await pt?.stop();
  await Promise.all(Object.values(servers).map((s) => s.sshd.stop()));
});

/** Signs in on the link's page and opens the terminal's connection details. */
async function connectAndOpenDetails(page: Page, name: string): Promise<ReturnType<Page['getByTestId']>> {
  const { sshd, token } = servers[name];
  await page.goto(`${pt.url}/#/l/${token}`);
  await fillAndConnect(page, { username: sshd.fixture.user, password: sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
  const details = page.getByTestId('connection-details');
  await details.getByText('Connection details').click();
  return details;
}

test('OpenSSH 10.5: mlkem768x25519-sha256, shown as post-quantum', async ({ page }) => {
  test.skip(!sshdAvailable('openssh-10.5'), 'OpenSSH 10.5 is not on this machine (../shared/peers/openssh-10.5)');
  const details = await connectAndOpenDetails(page, 'openssh-10-box');
  await expect(details.locator('summary')).toHaveText(/^\s*Post-quantum\s+Connection details\s*$/);
  await expect(details.getByText('mlkem768x25519-sha256')).toBeVisible();
  await expect(details).toContainText('mlkem768x25519-sha256 (post-quantum)');
});

test("Debian's OpenSSH 9.2: sntrup761x25519-sha512, shown as post-quantum", async ({ page }) => {
  const details = await connectAndOpenDetails(page, 'debian-box');
  await expect(details.locator('summary')).toHaveText(/^\s*Post-quantum\s+Connection details\s*$/);
  await expect(details).toContainText('sntrup761x25519-sha512 (post-quantum)');
});

test('a server that allows only curve25519 is shown as not post-quantum, with why it matters', async ({ page }) => {
  const details = await connectAndOpenDetails(page, 'classic-box');
  await expect(details.locator('summary')).toHaveText(/^\s*Not post-quantum\s+Connection details\s*$/);
  await expect(details).toContainText('curve25519-sha256 (not post-quantum)');
  await expect(details).toContainText('This server offered no post-quantum key exchange');
});

test("the offline demo's machine: mlkem768x25519-sha256 from the SSH library's server role, shown as post-quantum", async ({ page }) => {
  const site = await startStaticSite(E2E_DIST, { proxy: null });
  try {
    await page.goto(`${site.url}#/console/links`);
    await page.getByRole('button', { name: '+ Add' }).click();
    const panel = page.getByRole('form', { name: 'Create shareable links' });
    await panel.getByRole('checkbox', { name: 'Demo machine' }).check();
    await panel.getByRole('button', { name: 'Apply' }).click();
    await expect(page.getByRole('button', { name: 'Copy link to Demo machine' })).toBeVisible();
    // The demo keeps its links in this browser's IndexedDB.
    const token = await page.evaluate(
      () =>
        new Promise<string>((resolve, reject) => {
          const open = indexedDB.open('postern-demo');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const req = open.result.transaction('links').objectStore('links').getAll();
            req.onsuccess = () => resolve((req.result as { token: string }[])[0].token);
            req.onerror = () => reject(req.error);
          };
        }),
    );
    await page.goto(`${site.url}#/l/${token}`);
    await fillAndConnect(page, { username: 'demo', password: 'demo' });
    await waitForTerminal(page, /demo@postern-demo:~\$/);
    const details = page.getByTestId('connection-details');
    await details.getByText('Connection details').click();
    await expect(details.locator('summary')).toHaveText(/^\s*Post-quantum\s+Connection details\s*$/);
    await expect(details).toContainText('mlkem768x25519-sha256 (post-quantum)');
  } finally {
    await site.dispose();
  }
});
