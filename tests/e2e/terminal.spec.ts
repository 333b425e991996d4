// The terminal as a visitor meets it: keys go to the shell right after Connect without a click, and when
// the session ends the sentence is written below the last output, not over it; a reconnection starts
// on a fresh line below. The shell runs in the locale the visitor chose (LANG), by default C.UTF-8.
// Real Chromium, the real proxy, a real OpenSSH sshd.
import { expect, test, type Page } from '@playwright/test';
import { sshLinkForFile } from './ssh-link';
import { fillAndConnect, PROMPT, runInTerminal, terminalText, waitForTerminal } from './sshd-fixture';

const stage = sshLinkForFile('term-box');

/** The terminal's visible rows, top to bottom. */
async function rows(page: Page): Promise<string[]> {
  return (await terminalText(page)).replace(/\u00a0/g, ' ').split('\n');
}

const rowOf = (all: string[], pattern: RegExp) => all.findIndex((r) => pattern.test(r));

test('typing reaches the shell right after Connect, and the end of the session is written below the output', async ({ page }) => {
  await page.goto(`${stage.pt.url}/#/l/${stage.token}`);
  await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
  await expect(page.locator('.xterm-helper-textarea')).toBeFocused();
  // xterm.js measured its font in the page: the rows need no letter spacing to fill their cells.
  const spacing = await page.locator('.ssh-terminal .xterm-rows').evaluate((e) => parseFloat(getComputedStyle(e).letterSpacing) || 0);
  expect(Math.abs(spacing)).toBeLessThan(1);
  // And the terminal's spacing was measured again once it was fitted (its cell width depends on its columns;
  // at the next idle moment): no run of text needs a letter spacing of its own, which would cost style and
  // layout in every frame.
  await runInTerminal(page, 'echo spaced-$((6*7))');
  await waitForTerminal(page, /^spaced-42$/m);
  await expect(page.locator('.ssh-terminal .xterm-rows span[style*="letter-spacing"]')).toHaveCount(0);

  // No click: the keys go where the visitor looks.
  for (let i = 1; i <= 12; i++) {
    await page.keyboard.type(`echo line-$((${i}*1))`);
    await page.keyboard.press('Enter');
  }
  await waitForTerminal(page, /^line-12$/m);
  await page.keyboard.type('exit 3');
  await page.keyboard.press('Enter');
  await waitForTerminal(page, /The remote shell ended\./);

  const ended = await rows(page);
  const lastOutput = rowOf(ended, /^line-12$/);
  expect(rowOf(ended, /\[Postern\] .*The remote shell ended\./), ended.join('\n')).toBeGreaterThan(lastOutput);
  expect(ended[1] ?? '', 'row 2 keeps its output').not.toMatch(/\[Postern\]/);

  await page.getByRole('button', { name: 'Reconnect' }).click();
  // The new session's banner and prompt come below the old session's end, never over its rows.
  const lastPromptBelowReconnecting = async () => {
    const all = await rows(page);
    const lastPrompt = all.map((r, i) => (PROMPT.test(r) ? i : -1)).filter((i) => i >= 0).pop() ?? -1;
    const reconnecting = rowOf(all, /\[Postern\] Reconnecting/);
    return reconnecting >= 0 && lastPrompt > reconnecting && rowOf(all, /\[Postern\] .*The remote shell ended\./) < reconnecting;
  };
  await expect.poll(lastPromptBelowReconnecting).toBe(true);
  await expect(page.locator('.xterm-helper-textarea')).toBeFocused();
});

test('a flood of output stops at Ctrl+C: what came before is drawn first, and the shell takes the next command', async ({ page }) => {
  await page.goto(`${stage.pt.url}/#/l/${stage.token}`);
  await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
  // The subshell's trap answers once `yes` has died of the interrupt.
  await runInTerminal(page, "(trap 'echo; echo stopped-$((6*7)); exit' INT; yes flood-line)");
  await waitForTerminal(page, /^flood-line$/m);
  await page.waitForTimeout(1000); // the flood fills every buffer on the way, the SSH window too
  await page.keyboard.press('Control+c');
  await waitForTerminal(page, /^stopped-42$/m);
  const promptAfter = async () => {
    const all = await rows(page);
    const stopped = rowOf(all, /^stopped-42$/);
    return stopped >= 0 && all.slice(stopped + 1).some((r) => PROMPT.test(r));
  };
  await expect.poll(promptAfter).toBe(true);
  const all = await rows(page);
  expect(all.slice(rowOf(all, /^stopped-42$/)).filter((r) => r === 'flood-line'), 'no flood output after the answer').toEqual([]);
  await runInTerminal(page, 'echo after-$((6*7))');
  await waitForTerminal(page, /^after-42$/m);
});

test('the cursor blinks by a timer, not an endless animation; it stays on while typing and without the focus', async ({ page }) => {
  await page.goto(`${stage.pt.url}/#/l/${stage.token}`);
  await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
  await expect(page.locator('.xterm-helper-textarea')).toBeFocused();
  // xterm.js's own blink is a CSS animation that Chromium runs on the main thread every frame.
  expect(await page.evaluate(() => document.getAnimations().map((a) => (a as CSSAnimation).animationName))).toEqual([]);
  // Nor does the browser blink a caret in xterm.js's hidden textarea (each blink would repaint).
  expect(await page.locator('.xterm-helper-textarea').evaluate((e) => getComputedStyle(e).caretColor)).toBe('rgba(0, 0, 0, 0)');
  const cursor = page.locator('.ssh-terminal .xterm-cursor');
  const background = () => cursor.evaluate((e) => getComputedStyle(e).backgroundColor);
  const lit = await background();
  expect(lit).not.toBe('rgba(0, 0, 0, 0)');
  // It goes off and comes back on, half a second each.
  await expect.poll(background, { intervals: [50], timeout: 3000 }).toBe('rgba(0, 0, 0, 0)');
  await expect.poll(background, { intervals: [50], timeout: 3000 }).toBe(lit);

  // Typing: the cursor shows as soon as it moves, and stays on for at least a phase.
  await expect.poll(background, { intervals: [50], timeout: 3000 }).toBe('rgba(0, 0, 0, 0)');
  await page.keyboard.type('x');
  await waitForTerminal(page, /:~\$ x/);
  expect(await background()).toBe(lit);
  await page.keyboard.press('Backspace');

  // Without the focus xterm.js draws an outline cursor, and nothing blinks.
  await page.locator('.xterm-helper-textarea').evaluate((e: HTMLElement) => e.blur());
  const shown: boolean[] = [];
  for (let i = 0; i < 12; i++) {
    shown.push(await page.locator('.ssh-terminal').evaluate((host) => !host.classList.contains('timed-blink-off')));
    await page.waitForTimeout(100);
  }
  expect(shown).toEqual(Array(12).fill(true));
  await expect(cursor).toHaveClass(/xterm-cursor-outline/);
});

test('screen readers are told the connection steps and when the shell is ready', async ({ page }) => {
  // Each step is written to a status region as it starts; record what it said.
  await page.addInitScript(() => {
    const said: string[] = ((window as unknown as { said: string[] }).said = []);
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid="connection-progress"]')?.textContent?.trim();
      if (text && said.at(-1) !== text) said.push(text);
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  await page.goto(`${stage.pt.url}/#/l/${stage.token}`);
  await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
  const region = page.getByTestId('connection-progress');
  await expect(region).toHaveAttribute('role', 'status');
  await expect(region).toHaveText(`Connected to ${stage.sshd.fixture.user}@term-box.`);
  const said = await page.evaluate(() => (window as unknown as { said: string[] }).said);
  expect(said.at(-1)).toBe(`Connected to ${stage.sshd.fixture.user}@term-box.`);
  expect(said.filter((s) => s.endsWith('…')).length, said.join(' | ')).toBeGreaterThanOrEqual(1);
});

test('accented and other non-ASCII input reaches the shell: the session runs in a UTF-8 locale', async ({ page }) => {
  await page.goto(`${stage.pt.url}/#/l/${stage.token}`);
  await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
  await page.keyboard.type('echo "[$LANG] XéY 漢字 ✓"');
  await page.keyboard.press('Enter');
  await waitForTerminal(page, /^\[C\.UTF-8\] XéY 漢字 ✓$/m);
});

test.describe('the shell locale', () => {
  test.use({ locale: 'de-DE' });

  /** Runs `echo` of $LANG behind a fresh marker and returns what the shell printed. */
  async function shellLang(page: Page, marker: string): Promise<string> {
    await page.keyboard.type(`echo "${marker}=[$LANG]"`);
    await page.keyboard.press('Enter');
    return (await waitForTerminal(page, new RegExp(`^${marker}=\\[(.*)\\]$`, 'm')))[1];
  }

  test("defaults to C.UTF-8, the browser's language can be chosen for Reconnect, and the choice survives a reload", async ({ page }) => {
    await page.goto(`${stage.pt.url}/#/l/${stage.token}`);
    await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
    await waitForTerminal(page, PROMPT);
    expect(await shellLang(page, 'first')).toBe('C.UTF-8');

    await page.getByTestId('connection-details').locator('summary').click();
    const choice = page.getByLabel('Locale (LANG)');
    await expect(choice).toHaveValue('C.UTF-8');
    await expect(choice.locator('option')).toHaveText(['C.UTF-8', 'de_DE.UTF-8']);
    await expect(page.getByText('The server must have the locale installed; C.UTF-8 always works.')).toBeVisible();
    await choice.selectOption('de_DE.UTF-8');
    await expect(page.getByText('This session runs in C.UTF-8; Reconnect to use de_DE.UTF-8.')).toBeVisible();
    expect(await page.evaluate(() => localStorage.getItem('postern.locale'))).toBe('de_DE.UTF-8');

    // The running shell keeps its locale; Reconnect starts one in the new locale.
    await page.locator('.xterm-helper-textarea').focus();
    expect(await shellLang(page, 'still')).toBe('C.UTF-8');
    await page.keyboard.type('exit');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Reconnect' }).click();
    await expect(page.getByRole('button', { name: 'Reconnect' })).toHaveCount(0);
    await expect(page.locator('.xterm-helper-textarea')).toBeFocused();
    // de_DE.UTF-8 is not installed here: bash warns and runs on, with LANG as sent.
    expect(await shellLang(page, 'reconnected')).toBe('de_DE.UTF-8');

    // A new visit in this browser asks for the remembered locale.
    await page.reload();
    await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
    await waitForTerminal(page, PROMPT);
    expect(await shellLang(page, 'reloaded')).toBe('de_DE.UTF-8');
    await page.getByTestId('connection-details').locator('summary').click();
    await expect(page.getByLabel('Locale (LANG)')).toHaveValue('de_DE.UTF-8');
  });

  test('an invalid stored locale is never sent: C.UTF-8 is used instead', async ({ page }) => {
    await page.addInitScript(() => localStorage.setItem('postern.locale', 'C.UTF-8 POSTERN_X=1'));
    await page.goto(`${stage.pt.url}/#/l/${stage.token}`);
    await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
    await waitForTerminal(page, PROMPT);
    expect(await shellLang(page, 'guarded')).toBe('C.UTF-8');
  });
});

test('closing the tab during a session asks first; after Disconnect it does not', async ({ page }) => {
  await page.goto(`${stage.pt.url}/#/l/${stage.token}`);
  await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
  await page.keyboard.type('echo asked');
  await page.keyboard.press('Enter');
  const asked = new Promise<string>((resolve) => page.once('dialog', (d) => {
    resolve(d.type());
    void d.dismiss(); // stay on the page
  }));
  await page.close({ runBeforeUnload: true });
  expect(await asked).toBe('beforeunload');
  expect(page.isClosed()).toBe(false);
  // Disconnected, there is nothing to lose: the tab closes without asking.
  await page.getByRole('button', { name: 'Disconnect' }).click();
  await expect(page.getByRole('button', { name: 'Connect' })).toBeVisible();
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs++;
    void d.accept();
  });
  await page.close({ runBeforeUnload: true });
  await expect.poll(() => page.isClosed()).toBe(true);
  expect(dialogs).toBe(0);
});
