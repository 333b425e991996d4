// A visitor with a keyboard only: from the link page's first Tab to a shell, every control on the way
// shows a focus ring; in the terminal Tab belongs to the shell, and Ctrl+Alt+Up leads back out to the
// terminal's toolbar (full screen, Disconnect). Real Chromium, the real proxy, a real OpenSSH sshd.
import { expect, test, type Page } from '@playwright/test';
import { sshLinkForFile } from './ssh-link';
import { PROMPT, waitForTerminal } from './sshd-fixture';

const stage = sshLinkForFile('keys-box');

/** The focused element, named for a failure message, and whether a focus ring of 2px or more is drawn around it. */
function focused(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { name: 'body', ring: false };
    const s = getComputedStyle(el);
    const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none';
    const name = el.getAttribute('aria-label') || (el as HTMLInputElement).labels?.[0]?.textContent?.trim() || el.textContent?.trim() || el.tagName;
    return { name: `${el.tagName.toLowerCase()} "${name}"`, ring };
  });
}

/** Presses `key` (Tab) until `label` has the focus; every control passed on the way must show a focus ring. */
async function tabTo(page: Page, label: RegExp, key = 'Tab', max = 15): Promise<string[]> {
  const passed: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const f = await focused(page);
    passed.push(f.name);
    expect(f.ring, `${f.name} has a visible focus ring (after ${passed.join(' → ')})`).toBe(true);
    if (label.test(f.name)) return passed;
  }
  throw new Error(`${label} never got the focus by ${key}: ${passed.join(' → ')}`);
}

test('open a link, sign in and work in the shell with the keyboard only, then leave the terminal and disconnect', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${stage.pt.url}/#/l/${stage.token}`);
  await expect(page.getByRole('heading', { name: 'Sign in to keys-box' })).toBeVisible();

  const order = await tabTo(page, /^input "Username"/);
  // The clipboard switch comes first (it is the page's corner), then the form in reading order.
  expect(order[0]).toMatch(/Share clipboard/);
  await page.keyboard.type(stage.sshd.fixture.user);
  await tabTo(page, /^input "A password"/);
  await tabTo(page, /^input "Password"/);
  await page.keyboard.type(stage.sshd.fixture.password);
  await tabTo(page, /^button "Connect"/);
  await page.keyboard.press('Enter');

  await waitForTerminal(page, PROMPT);
  const textarea = page.locator('.xterm-helper-textarea');
  await expect(textarea).toBeFocused();
  await expect(textarea).toHaveAccessibleDescription(/Ctrl\+Alt\+↑/);
  // Tab is the shell's (completion), not the page's.
  await page.keyboard.type('ech');
  await page.keyboard.press('Tab');
  await page.keyboard.type(' kb-$((6*7))');
  await page.keyboard.press('Enter');
  await waitForTerminal(page, /^kb-42$/m);
  await expect(textarea).toBeFocused();

  // The way out, announced on the terminal: Ctrl+Alt+Up reaches the toolbar.
  await page.keyboard.press('Control+Alt+ArrowUp');
  await expect(page.getByRole('searchbox', { name: 'Find in terminal' })).toBeFocused();
  await tabTo(page, /^button "Full screen"/);
  await page.keyboard.press('Enter');
  await expect.poll(() => page.evaluate(() => document.fullscreenElement !== null)).toBe(true);
  await page.keyboard.press('Escape');
  await expect.poll(() => page.evaluate(() => document.fullscreenElement !== null)).toBe(false);

  // Back through the toolbar to the corner's Disconnect, which ends the session.
  await page.keyboard.press('Control+Alt+ArrowUp');
  await tabTo(page, /^button "Disconnect"/, 'Shift+Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'The session ended. You can connect again.' })).toBeVisible();
});
