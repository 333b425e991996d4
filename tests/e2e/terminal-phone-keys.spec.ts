// The extra-keys row a phone's keyboard lacks (Esc, Tab, sticky Ctrl and Alt, arrows, | ~ /), under the
// terminal on a touch screen, and the bytes each sends as they arrive at the remote shell; on a desktop
// width with a mouse there is no row. Real Chromium, the real proxy, a real OpenSSH sshd.
import { expect, test, type Page } from '@playwright/test';
import { bytesAtShell } from './shell-bytes';
import { sshLinkForFile } from './ssh-link';
import { fillAndConnect, PROMPT, waitForTerminal } from './sshd-fixture';

const stage = sshLinkForFile('thumb-box');

async function connect(page: Page) {
  await page.goto(`${stage.pt.url}/#/l/${stage.token}`);
  await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
}

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });

  test('Esc, Tab, Ctrl and Alt for the next key, arrows and | ~ / reach the shell as a terminal sends them', async ({ page }) => {
    await connect(page);
    const row = page.getByRole('toolbar', { name: 'Extra keys' });
    await expect(row).toBeVisible();
    // The row fits the screen, under the terminal.
    const box = (await row.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(box.y).toBeGreaterThan((await page.locator('.xterm-screen').boundingBox())!.y);
    const key = (name: string) => row.getByRole('button', { name, exact: true });
    const ctrl = key('Ctrl');
    const alt = key('Alt');

    expect(await bytesAtShell(page, 2, async () => {
      await key('Esc').tap();
      await key('Tab').tap();
    })).toBe('1b 09');

    // Ctrl holds for the next key typed on the phone's keyboard, then lets go.
    expect(await bytesAtShell(page, 2, async () => {
      await ctrl.tap();
      await expect(ctrl).toHaveAttribute('aria-pressed', 'true');
      await page.keyboard.type('c');
      await expect(ctrl).toHaveAttribute('aria-pressed', 'false');
      await page.keyboard.type('c');
    })).toBe('03 63');

    expect(await bytesAtShell(page, 5, async () => {
      await alt.tap();
      await page.keyboard.type('x');
      await ctrl.tap();
      await alt.tap();
      await page.keyboard.type('b');
      await page.keyboard.type('q');
    })).toBe('1b 78 1b 02 71');

    expect(await bytesAtShell(page, 12, async () => {
      for (const arrow of ['Up arrow', 'Down arrow', 'Right arrow', 'Left arrow']) await key(arrow).tap();
    })).toBe('1b 5b 41 1b 5b 42 1b 5b 43 1b 5b 44');

    // Ctrl with an arrow (word-wise movement in readline): CSI 1;5 A.
    expect(await bytesAtShell(page, 6, async () => {
      await ctrl.tap();
      await key('Up arrow').tap();
    })).toBe('1b 5b 31 3b 35 41');

    expect(await bytesAtShell(page, 3, async () => {
      await key('Vertical bar').tap();
      await key('Tilde').tap();
      await key('Slash').tap();
    })).toBe('7c 7e 2f');

    // Tapping a key leaves the keyboard on the terminal.
    await expect(page.locator('.xterm-helper-textarea')).toBeFocused();
  });
});

test('a desktop width with a mouse shows no extra-keys row', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await connect(page);
  await expect(page.getByTestId('extra-keys')).toBeHidden();
});
