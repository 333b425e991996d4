// A session whose connection drops is reconnected by itself after a visible countdown, which Cancel stops
// and screen readers hear once; the new shell is said to be new. A shell that exits is not reconnected.
// The drop is real: the machine is reached through a TCP forwarder in this test, which cuts the
// proxy's connection (a reset, no SSH goodbye) as a failing network would. Real Chromium, the real
// proxy, a real OpenSSH sshd.
import { expect, test, type Page } from '@playwright/test';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { addResource, createLinks, ok } from './postern';
import { sshLinkForFile } from './ssh-link';
import { fillAndConnect, PROMPT, runInTerminal, waitForTerminal } from './sshd-fixture';

const stage = sshLinkForFile('steady-box');

/** A TCP forwarder to the sshd; `cut()` resets every connection through it. */
let forwarder: Server;
const through = new Set<Socket>();
let flakyToken = '';

test.beforeAll(async () => {
  forwarder = createServer((inbound) => {
    const outbound = tcpConnect(stage.sshd.port, '127.0.0.1');
    through.add(inbound);
    inbound.pipe(outbound).pipe(inbound);
    const end = () => {
      through.delete(inbound);
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', end).on('close', end);
    outbound.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => forwarder.listen(0, '127.0.0.1', resolve));
  const port = (forwarder.address() as { port: number }).port;
  const r = await addResource(stage.pt, 'flaky-box', { ssh: [port] });
  await ok(stage.pt.owner('PUT', `/api/resources/${r.id}`, {
    name: 'flaky-box', address: '127.0.0.1', ports: { ssh: [port] }, sshHostKeyFingerprint: stage.sshd.hostFingerprints.ed25519,
  }));
  [{ token: flakyToken }] = await createLinks(stage.pt, [r.id]);
});
test.afterAll(() => new Promise<void>((resolve) => {
  for (const s of through) s.destroy();
  forwarder?.close(() => resolve());
}));

/** The shell's process id, printed behind a fresh marker. */
async function shellPid(page: Page, marker: string): Promise<string> {
  await runInTerminal(page, `echo "${marker}=$(( $$ + 0 ))"`);
  return (await waitForTerminal(page, new RegExp(`^${marker}=(\\d+)$`, 'm')))[1];
}

/** The network fails under the session: the proxy's connection to the machine is reset. */
function dropConnection(): void {
  expect(through.size).toBeGreaterThan(0);
  for (const s of through) s.resetAndDestroy();
}

const countdown = (page: Page) => page.getByTestId('reconnect-countdown');
const reconnectingNotices = async (page: Page) => (await page.locator('.xterm-rows').innerText()).split('[Postern] Reconnecting').length - 1;

test('a dropped connection reconnects by itself after a countdown; Cancel stops it; the new shell is said to be new', async ({ page }) => {
  await page.goto(`${stage.pt.url}/#/l/${flakyToken}`);
  await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
  const first = await shellPid(page, 'first');

  dropConnection();
  await expect(page.getByRole('alert')).toHaveText(/^The connection to "flaky-box" port \d+ failed \(ECONNRESET\)\.$/);
  await expect(countdown(page)).toHaveText('Reconnecting in 5 s…');
  await expect(countdown(page)).toHaveText('Reconnecting in 4 s…');
  await expect(page.getByRole('status').filter({ hasText: 'Reconnecting automatically in 5 seconds. Cancel to stay disconnected.' })).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Cancel' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Reconnect now' })).toBeVisible();

  // No click: the session comes back, in a new shell, with the keyboard on the terminal.
  await waitForTerminal(page, /\[Postern\] Connected again\. This is a new shell: programs that ran in the old one have ended\./);
  await expect(countdown(page)).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Reconnect' })).toHaveCount(0);
  await expect(page.locator('.xterm-helper-textarea')).toBeFocused();
  const second = await shellPid(page, 'second');
  expect(second).not.toBe(first);

  // Dropped again, and the visitor cancels: nothing happens by itself any more; Reconnect stays offered.
  dropConnection();
  await expect(countdown(page)).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(countdown(page)).toHaveCount(0);
  const before = await reconnectingNotices(page);
  await page.waitForTimeout(6500);
  expect(await reconnectingNotices(page)).toBe(before);
  await expect(page.getByRole('button', { name: 'Reconnect', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Reconnect', exact: true }).click();
  await waitForTerminal(page, PROMPT);
  await expect(page.getByRole('button', { name: 'Reconnect' })).toHaveCount(0);
});

test('a shell that exits is not reconnected', async ({ page }) => {
  await page.goto(`${stage.pt.url}/#/l/${stage.token}`);
  await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
  await runInTerminal(page, 'exit');
  await expect(page.getByRole('status').filter({ hasText: 'The remote shell ended.' })).toBeVisible();
  await expect(countdown(page)).toHaveCount(0);
  await page.waitForTimeout(6500);
  expect(await reconnectingNotices(page)).toBe(0);
  await expect(page.getByRole('button', { name: 'Reconnect', exact: true })).toBeVisible();
});
