// The terminal's connection details measure the round trip with SSH keepalives and count the bytes each
// way while open; the terminal settings change the font size (buttons and Ctrl+= / Ctrl+- / Ctrl+0) and the
// colours live, the shell is told the new size, and the choice is remembered in this browser.
// Real Chromium, the real proxy, a real OpenSSH sshd.
import { connect as tcpConnect } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { ok } from './postern';
import { sshLinkForFile } from './ssh-link';
import { fillAndConnect, PROMPT, runInTerminal, waitForTerminal } from './sshd-fixture';

const stage = sshLinkForFile('detail-box');

async function connect(page: Page, token = stage.token) {
  await page.goto(`${stage.pt.url}/#/l/${token}`);
  await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
}

/** The identification line the sshd sends first, read off a plain TCP connection. */
function serverLine(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1');
    let got = '';
    socket.on('data', (b) => {
      got += b.toString('latin1');
      const end = got.indexOf('\r\n');
      if (end >= 0) {
        socket.destroy();
        resolve(got.slice(0, end));
      }
    });
    socket.on('error', reject);
  });
}

let serial = 0;
/** Asks the shell something behind a fresh marker and returns its answer. */
async function ask(page: Page, expression: string): Promise<string> {
  const marker = `q${++serial}`;
  await runInTerminal(page, `echo "${marker}=${expression}"`);
  return (await waitForTerminal(page, new RegExp(`^${marker}=(.*)$`, 'm')))[1].trim();
}

/** "12.3 KB" → bytes, roughly. */
function bytes(text: string): number {
  const [, n, unit] = /^([\d.]+) (B|KB|MB|GB)$/.exec(text.trim())!;
  return Number(n) * { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[unit as 'B']!;
}

test('connection details: the server version, the round trip by SSH keepalive and the bytes each way, refreshed while open', async ({ page }) => {
  await connect(page);
  const details = page.getByTestId('connection-details');
  await details.locator('summary').click();
  await expect(page.getByTestId('server-version')).toHaveText(await serverLine(stage.sshd.port));
  const rtt = page.getByTestId('round-trip');
  await expect(rtt).toHaveText(/^\d+(\.\d)? ms \(SSH keepalive, every 3 s\)$/);
  const data = page.getByTestId('bytes');
  await expect(data).toHaveText(/^[\d.]+ (B|KB|MB) sent, [\d.]+ (B|KB|MB) received$/);
  const received = () => data.innerText().then((t) => bytes(t.split(', ')[1].replace(' received', '')));
  const before = await received();
  expect(before).toBeGreaterThan(1000); // the key exchange and the banner at least

  // 200 KB of output arrive; the open panel shows them within a refresh or two.
  await runInTerminal(page, 'head -c 150000 /dev/zero | base64 -w 100; echo done-$((1+1))');
  await waitForTerminal(page, /^done-2$/m);
  await expect.poll(received, { timeout: 10_000 }).toBeGreaterThan(before + 150_000);
  await expect(rtt).toHaveText(/^\d+(\.\d)? ms/);
});

test('a link that ends idle sessions gets no measuring keepalives, and the details say why', async ({ page }) => {
  const resources = await ok<Array<{ id: string; name: string }>>(stage.pt.owner('GET', '/api/resources'));
  const id = resources.find((r) => r.name === 'detail-box')!.id;
  const [{ token }] = await ok<Array<{ token: string }>>(stage.pt.owner('POST', '/api/links', { resourceIds: [id], policy: { idleMinutes: 30 } }));
  await connect(page, token);
  await page.getByTestId('connection-details').locator('summary').click();
  await expect(page.getByTestId('round-trip')).toHaveText('Not measured: this link ends idle sessions, and the measuring keepalives would count as activity.');
  await expect(page.getByTestId('bytes')).toHaveText(/^[\d.]+ (B|KB) sent, [\d.]+ (B|KB) received$/);
});

test('font size and colours change live, the shell gets the new size, and both are remembered', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await connect(page);
  const pid = await ask(page, '$$');
  const cols14 = Number(await ask(page, '$(tput cols)'));
  const rowsStyle = () => page.locator('.xterm-rows').evaluate((el) => getComputedStyle(el).fontSize);
  await expect.poll(rowsStyle).toBe('14px');

  const menu = page.getByTestId('terminal-settings');
  await menu.locator('summary').click();
  await menu.getByRole('button', { name: 'Larger text' }).click();
  await menu.getByRole('button', { name: 'Larger text' }).click();
  await expect(menu.getByRole('status')).toHaveText('16 px');
  await expect.poll(rowsStyle).toBe('16px');
  await menu.getByLabel('Colours').selectOption('light');
  const viewportBackground = () => page.locator('.xterm-scrollable-element').first().evaluate((el) => getComputedStyle(el).backgroundColor);
  const rowsColour = () => page.locator('.xterm-rows').evaluate((el) => getComputedStyle(el).color);
  await expect.poll(viewportBackground).toBe('rgb(255, 255, 255)');
  await expect.poll(rowsColour).toBe('rgb(30, 30, 30)');
  await menu.locator('summary').click();

  // The same shell, told a narrower width (window-change), no reconnection.
  await expect.poll(async () => Number(await ask(page, '$(tput cols)'))).toBeLessThan(cols14);
  expect(await ask(page, '$$')).toBe(pid);

  // The keys, in the terminal: Ctrl+= bigger, Ctrl+- smaller, Ctrl+0 the default; none reaches the shell.
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.press('Control+=');
  await expect.poll(rowsStyle).toBe('17px');
  await page.keyboard.press('Control+-');
  await page.keyboard.press('Control+-');
  await expect.poll(rowsStyle).toBe('15px');
  await page.keyboard.press('Control+0');
  await expect.poll(rowsStyle).toBe('14px');
  await page.keyboard.press('Control+=');
  await page.keyboard.press('Control+=');
  await expect.poll(rowsStyle).toBe('16px');
  expect(await ask(page, 'typed-nothing-else')).toBe('typed-nothing-else');

  await menu.locator('summary').click();
  await menu.getByLabel('Colours').selectOption('contrast');
  await expect.poll(viewportBackground).toBe('rgb(0, 0, 0)');
  await expect.poll(rowsColour).toBe('rgb(255, 255, 255)');
  expect(JSON.parse((await page.evaluate(() => localStorage.getItem('postern.terminal')))!)).toEqual({ fontSize: 16, scheme: 'contrast', rightClickPaste: false, renderer: 'dom' });

  // A new visit in this browser starts with them.
  await page.reload();
  await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
  await expect.poll(rowsStyle).toBe('16px');
  await expect.poll(rowsColour).toBe('rgb(255, 255, 255)');
});
