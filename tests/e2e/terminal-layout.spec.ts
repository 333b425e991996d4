// The terminal page's layout as a visitor meets it: at 1280×800 the corner box (clipboard toggle,
// Disconnect) sits beside the session's toolbar, never over its title or Find box; full screen by button
// or Ctrl+Alt+Enter, the shell told the new size, and Escape leaves. Real Chromium, the real proxy, a
// real OpenSSH sshd.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { signInAs } from './postern';
import { sshLinkForFile } from './ssh-link';
import { fillAndConnect, PROMPT, terminalText, waitForTerminal } from './sshd-fixture';

const stage = sshLinkForFile('layout-box');

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
  await page.goto(`${stage.pt.url}/#/l/${stage.token}`);
  await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
}

test.describe('at 1280×800', () => {
  test.use({ viewport: { width: 1280, height: 800 } });

  test('the corner box does not cover the terminal toolbar\'s title or its Find box', async ({ page }) => {
    await connect(page);
    const corner = page.locator('.signin .corner');
    await expect(corner.getByRole('button', { name: 'Disconnect' })).toBeVisible();
    const title = page.locator('.ssh-title');
    await expect(title).toHaveText(`${stage.sshd.fixture.user}@layout-box`);
    expect(await overlap(corner, title), 'corner box over the title').toBe(false);
    expect(await overlap(corner, page.getByRole('searchbox', { name: 'Find in terminal' })), 'corner box over Find').toBe(false);
    // And the title is really painted there: the topmost element at its centre is the title itself.
    const b = await box(title);
    const hit = await page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.className ?? '', [b.x + b.width / 2, b.y + b.height / 2]);
    expect(hit).toContain('ssh-title');
  });

  test("the console's Connect page gives the terminal the window's height, not a strip", async ({ page }) => {
    await signInAs(page, stage.pt, 'owner');
    await page.getByRole('link', { name: 'Connect to layout-box' }).click();
    await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
    await waitForTerminal(page, PROMPT);
    // Down to the window's bottom edge (within a row of text), and no further: no page scroll, no empty band.
    const terminal = await box(page.locator('.xterm-screen'));
    expect(terminal.height, 'terminal height at 800 px').toBeGreaterThan(400);
    expect(terminal.y + terminal.height, 'terminal bottom').toBeLessThanOrEqual(801);
    expect(terminal.y + terminal.height, 'terminal bottom').toBeGreaterThan(760);
  });
});

/** The terminal's size as the shell knows it (`stty size`), read from a marked line of output. */
async function shellSize(page: Page, mark: string): Promise<{ rows: number; cols: number }> {
  await page.keyboard.type(`echo ${mark}=$(stty size | tr ' ' x)`);
  await page.keyboard.press('Enter');
  const [, rows, cols] = await waitForTerminal(page, new RegExp(`^${mark}=(\\d+)x(\\d+)$`, 'm'));
  return { rows: Number(rows), cols: Number(cols) };
}

const fullscreenClass = (page: Page) => page.evaluate(() => document.fullscreenElement?.className ?? null);

test('full screen by the button and by Ctrl+Alt+Enter: the shell gets the new size, Escape leaves', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await connect(page);
  const textarea = page.locator('.xterm-helper-textarea');
  const before = await shellSize(page, 'before');

  await page.getByRole('button', { name: 'Full screen' }).click();
  await expect.poll(() => fullscreenClass(page)).toContain('ssh-view');
  await expect(page.getByRole('button', { name: 'Exit full screen' })).toBeVisible();
  await expect(textarea).toBeFocused(); // the keys still go to the shell
  // The corner strip is no longer above the terminal: more rows, which the shell is told.
  await expect.poll(async () => (await shellSize(page, `full${Date.now() % 1000}`)).rows).toBeGreaterThan(before.rows);

  await page.keyboard.press('Escape');
  await expect.poll(() => fullscreenClass(page)).toBeNull();
  await expect(page.getByRole('button', { name: 'Full screen' })).toBeVisible();
  await expect(textarea).toBeFocused();
  await expect.poll(async () => (await shellSize(page, `back${Date.now() % 1000}`)).rows).toBe(before.rows);

  await page.keyboard.press('Control+Alt+Enter');
  await expect.poll(() => fullscreenClass(page)).toContain('ssh-view');
  // The chord itself never reached the shell as input: the prompt line is still empty.
  const lastLine = (await terminalText(page)).replace(/\u00a0/g, ' ').trimEnd().split('\n').pop() ?? '';
  expect(lastLine).toMatch(/\$$/);
  await page.keyboard.press('Escape');
  await expect.poll(() => fullscreenClass(page)).toBeNull();
});

test('after the window changes width the rows still need no letter spacing of their own', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await connect(page);
  const before = await shellSize(page, 'wide');
  // xterm.js's cell width depends on the number of columns; the terminal measures its spacing again.
  await page.setViewportSize({ width: 1013, height: 800 });
  await expect.poll(async () => (await shellSize(page, `narrow${Date.now() % 1000}`)).cols).toBeLessThan(before.cols);
  await expect(page.locator('.ssh-terminal .xterm-rows span[style*="letter-spacing"]')).toHaveCount(0);
});
