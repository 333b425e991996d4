// The terminal page's layout as a visitor meets it: at 1280×800 the corner box (clipboard toggle,
// Disconnect) sits beside the session's toolbar, never over its title or Find box. Real Chromium,
// the real proxy, a real OpenSSH sshd.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { startSshd, type Sshd } from '../support/sshd';
import { addResource, createLinks, ok, setFeature, startPostern, type Postern } from './postern';
import { fillAndConnect, PROMPT, waitForTerminal } from './sshd-fixture';

let pt: Postern;
let sshd: Sshd;
let token = '';

test.beforeAll(async () => {
  sshd = await startSshd();
  pt = await startPostern();
  await setFeature(pt, true);
  const r = await addResource(pt, 'layout-box', { ssh: [sshd.port] });
  await ok(pt.owner('PUT', `/api/resources/${r.id}`, {
    name: 'layout-box', address: '127.0.0.1', ports: { ssh: [sshd.port] }, sshHostKeyFingerprint: sshd.hostFingerprints.ed25519,
  }));
  [{ token }] = await createLinks(pt, [r.id]);
});
test.afterAll(async () => {
  await pt?.stop();
  await sshd?.stop();
});

async function box(l: Locator) {
  const b = await l.boundingBox();
  if (!b) throw new Error(`${l} has no box on screen`);
  return b;
}

/** True if the two elements' boxes share any area. */
async function overlap(a: Locator, b: Locator): Promise<boolean> {
  const [p, q] = [await box(a), await box(b)];
  return p.x < q.x + q.width && q.x < p.x + p.width && p.y < q.y + q.height && q.y < p.y + p.height;
}

async function connect(page: Page) {
  await page.goto(`${pt.url}/#/l/${token}`);
  await fillAndConnect(page, { username: sshd.fixture.user, password: sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
}

test.describe('at 1280×800', () => {
  test.use({ viewport: { width: 1280, height: 800 } });

  test('the corner box does not cover the terminal toolbar\'s title or its Find box', async ({ page }) => {
    await connect(page);
    const corner = page.locator('.signin .corner');
    await expect(corner.getByRole('button', { name: 'Disconnect' })).toBeVisible();
    const title = page.locator('.ssh-title');
    await expect(title).toHaveText(`${sshd.fixture.user}@layout-box`);
    expect(await overlap(corner, title), 'corner box over the title').toBe(false);
    expect(await overlap(corner, page.getByRole('searchbox', { name: 'Find in terminal' })), 'corner box over Find').toBe(false);
    // And the title is really painted there: the topmost element at its centre is the title itself.
    const b = await box(title);
    const hit = await page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.className ?? '', [b.x + b.width / 2, b.y + b.height / 2]);
    expect(hit).toContain('ssh-title');
  });
});
