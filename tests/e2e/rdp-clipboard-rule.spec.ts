// A link's clipboard rule on RDP, enforced by the proxy: real Chromium, the real proxy, a real xrdp.
// The page is made to try anyway: its /api/link-info answer loses the rule on the way, so the page
// believes both ways are open and shares both. What crosses is checked on the machine with xclip and
// in the browser's clipboard; the allowed way must still work.
import { expect, test, type Browser, type Page } from '@playwright/test';
import type { AuditEntry, Link } from '../../src/shared/api';
import { startXrdp, type XrdpServer } from '../support/xrdp';
import { addResource, ok, setFeature, startPostern, type Postern } from './postern';
import { canvasColours, needXrdp } from './rdp-canvas';

needXrdp();

let pt: Postern;
let xrdp: XrdpServer;
const tokens: Record<string, string> = {};
/** How long a forbidden transfer is given to (wrongly) arrive; allowed ones take well under a second here. */
const SETTLE_MS = 3_000;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  [pt, xrdp] = await Promise.all([startPostern(), startXrdp()]);
  await setFeature(pt, true);
  for (const [name, clipboard] of [['rdp-no-clip', 'off'], ['rdp-copy-out', 'from-machine']]) {
    const r = await addResource(pt, name, { rdp: [xrdp.port] });
    const [link] = await ok<Link[]>(pt.owner('POST', '/api/links', { resourceIds: [r.id], policy: { clipboard } }));
    tokens[name] = link.token;
  }
});
test.afterAll(async () => {
  await pt?.stop();
  await xrdp?.stop();
});

/** Opens the link with the rule hidden from the page, turns sharing on and signs in. */
async function signInTrying(browser: Browser, name: string) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: pt.url });
  const page = await context.newPage();
  await page.route('**/api/link-info', async (route) => {
    const response = await route.fetch();
    const info = await response.json();
    expect(info.clipboard).toBeDefined(); // the proxy did tell the page; the test takes it away
    delete info.clipboard;
    await route.fulfill({ response, json: info });
  });
  await page.goto(`${pt.url}/#/l/${tokens[name]}`);
  await page.getByRole('radio', { name: 'RDP', exact: true }).check();
  await page.getByLabel('Username').fill(xrdp.user);
  await page.getByLabel('Password', { exact: true }).fill(xrdp.password);
  const toggle = page.getByRole('switch', { name: 'Share clipboard (text and images)' });
  await toggle.check(); // enabled: the page believes both ways are open
  await page.getByRole('button', { name: 'Connect' }).click();
  const canvas = page.getByLabel(new RegExp(`^Desktop of ${name}`));
  await expect(canvas).toBeVisible({ timeout: 30_000 });
  await xrdp.waitForSession(30_000);
  await expect.poll(() => canvasColours(page), { timeout: 30_000 }).toBeGreaterThan(100);
  return { page, context, canvas };
}

/** The page pushes `text` every way it can: the paste shortcut and a paste event on the desktop. */
async function pagePastes(page: Page, canvas: ReturnType<Page['getByLabel']>, text: string) {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await canvas.focus();
  await page.keyboard.press('Control+V');
  await page.evaluate((t) => {
    const dt = new DataTransfer();
    dt.setData('text/plain', t);
    document.querySelector('.rdp-stage canvas')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true }));
  }, text);
}

/** The audit sentence of the finished session through `name`'s link. */
async function auditDetail(name: string): Promise<string> {
  const audit = await ok<AuditEntry[]>(pt.owner('GET', '/api/audit'));
  return audit.find((e) => e.action === 'connect' && e.resourceName === name && e.outcome !== 'open')?.detail ?? '';
}

test("rule 'off': nothing crosses either way, even when the page shares both", async ({ browser }) => {
  const { page, context, canvas } = await signInTrying(browser, 'rdp-no-clip');
  await xrdp.writeClipboard('machine-before');
  await pagePastes(page, canvas, 'from the page ✗');
  await page.waitForTimeout(SETTLE_MS);
  expect(safe(() => xrdp.readClipboard())).toBe('machine-before');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('from the page ✗');

  // Machine → page: the machine's copy never reaches the browser's clipboard.
  await xrdp.writeClipboard('from the machine ✗');
  await page.waitForTimeout(SETTLE_MS);
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('from the page ✗');

  await page.getByRole('button', { name: 'Disconnect', exact: true }).click();
  await expect.poll(() => auditDetail('rdp-no-clip'), { timeout: 10_000 }).toMatch(/clipboard rule held back .*to the machine/);
  expect(await auditDetail('rdp-no-clip')).toMatch(/from the machine/);
  await context.close();
});

test("rule 'from-machine': copying out works, the page's paste never reaches the machine", async ({ browser }) => {
  const { page, context, canvas } = await signInTrying(browser, 'rdp-copy-out');
  await xrdp.writeClipboard('machine-first ✓');
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText()), { timeout: 15_000 }).toBe('machine-first ✓');

  await pagePastes(page, canvas, 'from the page ✗');
  await page.waitForTimeout(SETTLE_MS);
  expect(safe(() => xrdp.readClipboard())).toBe('machine-first ✓');

  // And the allowed way still works after the refused one.
  await xrdp.writeClipboard('machine-second ✓');
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText()), { timeout: 15_000 }).toBe('machine-second ✓');
  expect(safe(() => xrdp.readClipboard())).toBe('machine-second ✓');

  await page.getByRole('button', { name: 'Disconnect', exact: true }).click();
  await expect.poll(() => auditDetail('rdp-copy-out'), { timeout: 10_000 }).toMatch(/clipboard rule held back .*to the machine/);
  expect(await auditDetail('rdp-copy-out')).not.toMatch(/from the machine/);
  await context.close();
});

test("the page itself: rule 'off' disables the toggle and says why; 'from-machine' says which way", async ({ page }) => {
  await page.goto(`${pt.url}/#/l/${tokens['rdp-no-clip']}`);
  const toggle = page.getByRole('switch', { name: 'Share clipboard (text and images)' });
  await expect(toggle).toBeDisabled();
  await expect(toggle).not.toBeChecked();
  await expect(toggle).toHaveAccessibleDescription('The person who shared this link turned clipboard sharing off.');
  await page.goto(`${pt.url}/#/l/${tokens['rdp-copy-out']}`);
  await page.reload();
  await expect(toggle).toBeEnabled();
  await expect(toggle).toHaveAccessibleDescription(/you can copy out of the machine, not paste into it/);
});

function safe(f: () => string): string {
  try {
    return f();
  } catch {
    return '';
  }
}
