// Paste and copy in the SSH terminal as in the visitor's native terminal, and the clipboard toggle
// changed during a session: with sharing off a paste key says, beside the terminal, that the paste was
// blocked and how to allow it; turned on, the same key pastes this computer's clipboard. The bytes are
// read where they arrive, in the remote shell (shell-bytes.ts). Real Chromium, the real proxy, a real sshd.
import { expect, test, type Page } from '@playwright/test';
import { ok } from './postern';
import { bytesAtShell, hexOf } from './shell-bytes';
import { sshLinkForFile } from './ssh-link';
import { fillAndConnect, PROMPT, runInTerminal, waitForTerminal } from './sshd-fixture';

const stage = sshLinkForFile('clip-box');
test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

const toggle = (page: Page) => page.getByRole('switch', { name: 'Share clipboard (text and images)' });
const notice = (page: Page) => page.getByTestId('paste-notice');
const setClipboard = (page: Page, text: string) => page.evaluate((t) => navigator.clipboard.writeText(t), text);
const readClipboard = (page: Page) => page.evaluate(() => navigator.clipboard.readText());

async function connect(page: Page, token = stage.token) {
  await page.goto(`${stage.pt.url}/#/l/${token}`);
  await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
}

test('sharing off: a paste key is blocked with a notice beside the terminal; turned on mid-session, the same keys paste', async ({ page }) => {
  await connect(page);
  await setClipboard(page, 'from-the-pc');
  await expect(toggle(page)).toBeEnabled();
  await expect(toggle(page)).not.toBeChecked();

  // Off: nothing reaches the shell but the key typed after (z), and the notice says why and what to do.
  expect(await bytesAtShell(page, 1, async () => {
    await page.keyboard.press('Control+Shift+V');
    await page.keyboard.press('Shift+Insert');
    await page.keyboard.type('z');
  })).toBe('7a');
  await expect(notice(page)).toHaveText('Paste blocked: clipboard sharing is off. Turn on "Share clipboard" at the top of the page to paste from this computer.');
  await expect(notice(page)).toHaveAttribute('role', 'status');
  // A notice beside the terminal, never a line written into it.
  expect(await page.locator('.xterm-rows').innerText()).not.toContain('Paste blocked');

  // On, during the session: Ctrl+Shift+V and Shift+Insert paste this computer's clipboard.
  await toggle(page).check();
  await expect(notice(page)).toHaveText('');
  await page.locator('.xterm-helper-textarea').focus();
  expect(await bytesAtShell(page, 22, async () => {
    await page.keyboard.press('Control+Shift+V');
    await page.keyboard.press('Shift+Insert');
  })).toBe(hexOf('from-the-pcfrom-the-pc'));
  // Plain Ctrl+V is the shell's ^V (quoted insert), as in native terminals: no paste.
  expect(await bytesAtShell(page, 2, async () => {
    await page.keyboard.press('Control+V');
    await page.keyboard.type('z');
  })).toBe('16 7a');
  // Ctrl+Shift+C copies the selection out.
  await runInTerminal(page, 'echo "copy$((6*7))me"');
  await waitForTerminal(page, /^copy42me$/m);
  const word = page.locator('.xterm-rows span', { hasText: /^copy42me$/ }).last();
  const box = (await word.boundingBox())!;
  await page.mouse.dblclick(box.x + box.width / 2, box.y + box.height / 2);
  await page.keyboard.press('Control+Shift+C');
  await expect.poll(() => readClipboard(page)).toBe('copy42me');

  // Off again: blocked again, and copying stays inside the terminal.
  await toggle(page).uncheck();
  await setClipboard(page, 'still-private');
  await page.locator('.xterm-helper-textarea').focus();
  expect(await bytesAtShell(page, 1, async () => {
    await page.keyboard.press('Control+Shift+V');
    await page.keyboard.type('z');
  })).toBe('7a');
  await expect(notice(page)).toContainText('Paste blocked');
});

test("the link forbids the clipboard: the toggle stays off during the session, and a blocked paste says it is the link's rule", async ({ page }) => {
  const resources = await ok<Array<{ id: string; name: string }>>(stage.pt.owner('GET', '/api/resources'));
  const id = resources.find((r) => r.name === 'clip-box')!.id;
  const [{ token }] = await ok<Array<{ token: string }>>(stage.pt.owner('POST', '/api/links', { resourceIds: [id], policy: { clipboard: 'off' } }));
  await connect(page, token);
  await setClipboard(page, 'never-sent');
  await expect(toggle(page)).toBeDisabled();
  await expect(toggle(page)).not.toBeChecked();
  await expect(toggle(page)).toHaveAccessibleDescription('The person who shared this link turned clipboard sharing off.');
  expect(await bytesAtShell(page, 1, async () => {
    await page.keyboard.press('Control+Shift+V');
    await page.keyboard.type('z');
  })).toBe('7a');
  await expect(notice(page)).toHaveText('Paste blocked: this link does not allow pasting into the machine.');
});

test('a right click pastes when the visitor turns that on in the terminal settings (off by default)', async ({ page }) => {
  await connect(page);
  await toggle(page).check();
  await setClipboard(page, 'by-right-click');
  const screen = page.locator('.xterm-screen');
  // Off by default: a right click does not paste.
  await page.getByTestId('terminal-settings').locator('summary').click();
  const option = page.getByRole('checkbox', { name: 'Right click pastes' });
  await expect(option).not.toBeChecked();
  await option.check();
  expect(await page.evaluate(() => JSON.parse(localStorage.getItem('postern.terminal') ?? '{}').rightClickPaste)).toBe(true);
  await page.getByTestId('terminal-settings').locator('summary').click();
  expect(await bytesAtShell(page, 14, async () => {
    await screen.click({ button: 'right' });
  })).toBe(hexOf('by-right-click'));
});

test.describe('on a Mac', () => {
  test.beforeEach(async ({ page }) => {
    // Chromium as it reports itself on macOS (navigator.platform and User-Agent Client Hints).
    await page.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'platform', { get: () => 'MacIntel' });
      Object.defineProperty(Navigator.prototype, 'userAgentData', { get: () => ({ platform: 'macOS', mobile: false, brands: [] }) });
    });
  });

  test('⌘V pastes and ⌘C copies; Ctrl+V stays the shell\'s', async ({ page }) => {
    await connect(page);
    await toggle(page).check();
    await setClipboard(page, 'mac-paste');
    await page.locator('.xterm-helper-textarea').focus();
    // Chromium on Linux has no ⌘V paste command, so this takes the Clipboard API way (a Mac's browser pastes natively).
    expect(await bytesAtShell(page, 9, () => page.keyboard.press('Meta+V'))).toBe(hexOf('mac-paste'));
    expect(await bytesAtShell(page, 2, async () => {
      await page.keyboard.press('Control+V');
      await page.keyboard.type('z');
    })).toBe('16 7a');
    await runInTerminal(page, 'echo "mac$((2+3))copy"');
    await waitForTerminal(page, /^mac5copy$/m);
    const word = page.locator('.xterm-rows span', { hasText: /^mac5copy$/ }).last();
    const box = (await word.boundingBox())!;
    await page.mouse.dblclick(box.x + box.width / 2, box.y + box.height / 2);
    await page.keyboard.press('Meta+C');
    await expect.poll(() => readClipboard(page)).toBe('mac5copy');
  });
});
