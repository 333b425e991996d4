// SSH in the browser, end to end: real Chromium, the real proxy, a real OpenSSH sshd on loopback. The SSH
// client runs in the page's Web Worker; these tests see only what a visitor sees (the form, the dialogs and
// the terminal's rows), plus the proxy's API to arrange and break things.
import { expect, test, type Page } from '@playwright/test';
import { freePort } from '../support/ports';
import { startSshd, type Sshd } from '../support/sshd';
import { addResource, createLinks, ok, setFeature, startPostern, type Postern } from './postern';
import {
  fillAndConnect,
  makeExtraKeys,
  PROMPT,
  runInTerminal,
  startSshdWithKeys,
  waitForTerminal,
  type ExtraKeys,
} from './sshd-fixture';

let pt: Postern;
let sshd: Sshd;
let keys: ExtraKeys;
let user = '';
let password = '';
/** Links by resource name; most resources pin the sshd's host key so no first-use prompt interrupts. */
const links: Record<string, string> = {};

async function resourceWithLink(name: string, port: number, pin?: string, policy?: Record<string, unknown>): Promise<string> {
  const r = await addResource(pt, name, { ssh: [port] });
  if (pin) await ok(pt.owner('PUT', `/api/resources/${r.id}`, { name, address: '127.0.0.1', ports: { ssh: [port] }, sshHostKeyFingerprint: pin }));
  const [link] = policy ? await ok<Array<{ token: string }>>(pt.owner('POST', '/api/links', { resourceIds: [r.id], policy })) : await createLinks(pt, [r.id]);
  links[name] = link.token;
  return link.token;
}

const open = (page: Page, name: string) => page.goto(`${pt.url}/#/l/${links[name]}`);

test.beforeAll(async () => {
  keys = makeExtraKeys();
  sshd = await startSshdWithKeys(keys);
  user = sshd.fixture.user;
  password = sshd.fixture.password;
  pt = await startPostern();
  await setFeature(pt, true);
  // The client asks for ssh-ed25519 host keys first, so that is the key the server presents.
  await resourceWithLink('ssh-box', sshd.port, sshd.hostFingerprints.ed25519);
  await resourceWithLink('tofu-box', sshd.port);
  await resourceWithLink('wrong-pin-box', sshd.port, 'SHA256:' + 'A'.repeat(43));
  await resourceWithLink('closed-box', await freePort(), sshd.hostFingerprints.ed25519);
  await resourceWithLink('no-clip-box', sshd.port, sshd.hostFingerprints.ed25519, { clipboard: 'off' });
  await resourceWithLink('paste-only-box', sshd.port, sshd.hostFingerprints.ed25519, { clipboard: 'to-machine' });
});
test.afterAll(async () => {
  await pt?.stop();
  await sshd?.stop();
  keys?.remove();
});

test('sign in with a password, run a command, see its output; the tab says user@resource', async ({ page }) => {
  await open(page, 'ssh-box');
  await fillAndConnect(page, { username: user, password });
  await waitForTerminal(page, PROMPT);
  await expect(page).toHaveTitle(`${user}@ssh-box`);
  await expect(page.getByRole('button', { name: 'Disconnect' })).toBeVisible();
  await runInTerminal(page, 'echo "sum=$((6*7))"');
  await waitForTerminal(page, /^sum=42$/m);

  await runInTerminal(page, 'exit 3');
  await waitForTerminal(page, /The shell exited with status 3\./);
  await expect(page.getByRole('status').filter({ hasText: 'The remote shell ended.' })).toBeVisible();
  await page.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByText('The session ended. You can connect again.')).toBeVisible();
  await expect(page.getByLabel('Username')).toHaveValue(user);
  await expect(page).toHaveTitle('ssh-box · Postern');
});

test('sign in with a pasted "BEGIN RSA PRIVATE KEY" key', async ({ page }) => {
  expect(keys.rsaPem).toContain('-----BEGIN RSA PRIVATE KEY-----');
  await open(page, 'ssh-box');
  await fillAndConnect(page, { username: user, keyText: keys.rsaPem });
  await waitForTerminal(page, PROMPT);
  await runInTerminal(page, 'echo "rsa-$((40+2))"');
  await waitForTerminal(page, /^rsa-42$/m);
});

test('sign in with an encrypted ed25519 key from a file and its passphrase; a wrong passphrase is said beside its field', async ({ page }) => {
  await open(page, 'ssh-box');
  const keyFile = { name: 'id_ed25519', text: keys.ed25519Encrypted };
  await fillAndConnect(page, { username: user, keyFile, passphrase: 'not the passphrase' });
  await expect(page.locator('#passphrase-error')).toHaveText('The passphrase is wrong: it does not unlock this key.');
  await expect(page.getByLabel('Key passphrase (if the key has one)')).toHaveAttribute('aria-invalid', 'true');

  await page.getByLabel('Key passphrase (if the key has one)').fill('');
  await page.getByRole('button', { name: 'Connect' }).click();
  await expect(page.locator('#passphrase-error')).toHaveText('This key is protected by a passphrase. Enter it to sign in.');

  await page.getByLabel('Key passphrase (if the key has one)').fill(keys.passphrase);
  await page.getByRole('button', { name: 'Connect' }).click();
  await waitForTerminal(page, PROMPT);
  await runInTerminal(page, 'echo "ed-$((7*6))"');
  await waitForTerminal(page, /^ed-42$/m);
});

test('resizing the window changes the size the shell sees (stty size)', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 800 });
  await open(page, 'ssh-box');
  await fillAndConnect(page, { username: user, password });
  await waitForTerminal(page, PROMPT);
  await runInTerminal(page, 'echo "S=$(stty size)=E"');
  const [, rows1, cols1] = await waitForTerminal(page, /S=(\d+) (\d+)=E/);

  await page.setViewportSize({ width: 800, height: 500 });
  await runInTerminal(page, 'clear; echo "T=$(stty size)=E"');
  const [, rows2, cols2] = await waitForTerminal(page, /T=(\d+) (\d+)=E/);
  expect(Number(cols2)).toBeLessThan(Number(cols1));
  expect(Number(rows2)).toBeLessThan(Number(rows1));
});

test('a wrong password is said beside the password field, and the form keeps what was typed', async ({ page }) => {
  await open(page, 'ssh-box');
  await page.getByRole('switch', { name: 'Share clipboard (text and images)' }).check();
  await fillAndConnect(page, { username: user, password: 'wrong-' + password });
  await expect(page.locator('#password-error')).toHaveText(/^Wrong user name or password\./);
  await expect(page.getByLabel('Password', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Username')).toHaveValue(user);
  await expect(page.getByLabel('Password', { exact: true })).toHaveValue('wrong-' + password);
  await expect(page.getByRole('switch', { name: 'Share clipboard (text and images)' })).toBeChecked();
  await expect(page.getByRole('button', { name: 'Connect' })).toBeEnabled();
});

test('first use asks about the host key and remembers it; Cancel stops the connection', async ({ page }) => {
  await open(page, 'tofu-box');
  await fillAndConnect(page, { username: user, password });
  const dialog = page.getByRole('dialog', { name: 'First connection to tofu-box' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(`The server's ssh-ed25519 key fingerprint is ${sshd.hostFingerprints.ed25519}.`);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('alert')).toHaveText('You did not trust the host key of "tofu-box", so the connection was stopped.');

  await page.getByRole('button', { name: 'Connect' }).click();
  await dialog.getByRole('button', { name: 'Trust' }).click();
  await waitForTerminal(page, PROMPT);
  await page.getByRole('button', { name: 'Disconnect' }).click();
  await expect(page.getByText('The session ended. You can connect again.')).toBeVisible();

  // Same browser, again: no question this time, even after a reload.
  await page.reload();
  await fillAndConnect(page, { username: user, password });
  await waitForTerminal(page, PROMPT);
  await expect(page.getByRole('dialog')).toHaveCount(0);
});

test('a host key that does not match the pinned fingerprint is refused, with no way to accept it', async ({ page }) => {
  await open(page, 'wrong-pin-box');
  await fillAndConnect(page, { username: user, password });
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('WARNING: the host key of "wrong-pin-box" does not match the fingerprint its administrator pinned.');
  await expect(alert).toContainText(sshd.hostFingerprints.ed25519);
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /trust|accept/i })).toHaveCount(0);
});

test('a remembered host key that changed is refused with a warning and advice', async ({ page }) => {
  // One port, two servers in turn: the first is trusted, then replaced by one with new host keys.
  const port = await freePort();
  const first = await startSshd({ extraConfig: [`Port ${port}`] });
  await resourceWithLink('moving-box', port);
  try {
    await open(page, 'moving-box');
    await fillAndConnect(page, { username: user, password });
    await page.getByRole('dialog', { name: 'First connection to moving-box' }).getByRole('button', { name: 'Trust' }).click();
    await waitForTerminal(page, PROMPT);
    await page.getByRole('button', { name: 'Disconnect' }).click();
  } finally {
    await first.stop();
  }
  const second = await startSshd({ extraConfig: [`Port ${port}`] });
  try {
    await page.getByRole('button', { name: 'Connect' }).click();
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('WARNING: the host key of "moving-box" has changed.');
    await expect(alert).toContainText(first.hostFingerprints.ed25519);
    await expect(alert).toContainText(second.hostFingerprints.ed25519);
    await expect(alert).toContainText('an administrator can pin the new fingerprint on the resource');
    await expect(page.getByRole('dialog')).toHaveCount(0);
    await expect(page.getByRole('button', { name: /trust|accept/i })).toHaveCount(0);
  } finally {
    await second.stop();
  }
});

test('a closed target port is explained', async ({ page }) => {
  await open(page, 'closed-box');
  await fillAndConnect(page, { username: user, password });
  await expect(page.getByRole('alert')).toHaveText(/^The connection was refused by "closed-box" port \d+: nothing is listening there\.$/);
  await expect(page.getByLabel('Password', { exact: true })).toHaveValue(password);
});

test('deleting the link mid-session ends it, and the terminal says so', async ({ page }) => {
  const token = await resourceWithLink('doomed-box', sshd.port, sshd.hostFingerprints.ed25519);
  await open(page, 'doomed-box');
  await fillAndConnect(page, { username: user, password });
  await waitForTerminal(page, PROMPT);
  await ok(pt.owner('POST', '/api/links/delete-by-token', { tokens: [token] }));
  await waitForTerminal(page, /This link was deleted, so the session was ended\./);
  await expect(page.getByRole('alert')).toContainText('This link was deleted, so the session was ended.');
  // Reconnecting is offered, and the proxy's refusal is shown where the session was.
  await page.getByRole('button', { name: 'Reconnect' }).click();
  await waitForTerminal(page, /This link does not exist\. It may have been deleted, or mistyped\./);
});

test('a second sign-in step from the server (keyboard-interactive after the key) is asked in a dialog', async ({ page }) => {
  const strict = await startSshdWithKeys(keys, { extraConfig: ['AuthenticationMethods publickey,keyboard-interactive'] });
  try {
    await resourceWithLink('two-step-box', strict.port, strict.hostFingerprints.ed25519);
    await open(page, 'two-step-box');
    await fillAndConnect(page, { username: user, keyText: keys.rsaPem });
    const dialog = page.getByRole('dialog');
    await expect(dialog).toBeVisible();
    const field = dialog.getByLabel('Password:');
    await expect(field).toHaveAttribute('type', 'password'); // the server asked for no echo
    await field.fill(password);
    await dialog.getByRole('button', { name: 'Continue' }).click();
    await waitForTerminal(page, PROMPT);
  } finally {
    await strict.stop();
  }
});

/** Selects a word the shell printed (double-click on it), as a visitor would. */
async function selectWord(page: Page, word: string) {
  const span = page.locator('.xterm-rows span', { hasText: new RegExp(`^${word}$`) }).last();
  const box = (await span.boundingBox())!;
  // xterm.js listens on its screen layer above the rows, so click where the word is drawn.
  await page.mouse.dblclick(box.x + box.width / 2, box.y + box.height / 2);
}

/**
 * Runs `command`, which prints `word` (spelled differently in the command, so only the output
 * matches), then selects that word and presses the copy shortcut.
 */
async function copyPrinted(page: Page, command: string, word: string) {
  await runInTerminal(page, command);
  await waitForTerminal(page, new RegExp(`^${word}$`, 'm'));
  await selectWord(page, word);
  await page.keyboard.press('Control+Shift+C');
}

test.describe('the clipboard toggle', () => {
  test.use({ permissions: ['clipboard-read', 'clipboard-write'] });
  const readClipboard = (page: Page) => page.evaluate(() => navigator.clipboard.readText());

  test('off: copy and paste stay inside the terminal and never touch the system clipboard', async ({ page }) => {
    await open(page, 'ssh-box');
    await page.evaluate(() => navigator.clipboard.writeText('system-before'));
    await fillAndConnect(page, { username: user, password });
    await waitForTerminal(page, PROMPT);
    await copyPrinted(page, 'echo "clip$((1+1))word"', 'clip2word');
    expect(await readClipboard(page)).toBe('system-before');

    await page.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('echo X');
    await page.keyboard.press('Control+Shift+V');
    await page.keyboard.press('Enter');
    await waitForTerminal(page, /^Xclip2word$/m);
  });

  test('on: Ctrl+Shift+C copies to the system clipboard and Ctrl+Shift+V pastes from it', async ({ page }) => {
    await open(page, 'ssh-box');
    await page.getByRole('switch', { name: 'Share clipboard (text and images)' }).check();
    await fillAndConnect(page, { username: user, password });
    await waitForTerminal(page, PROMPT);
    await copyPrinted(page, 'echo "share$((2+3))word"', 'share5word');
    await expect.poll(() => readClipboard(page)).toBe('share5word');

    await page.evaluate(() => navigator.clipboard.writeText('from-system-9'));
    await page.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('echo Y');
    await page.keyboard.press('Control+Shift+V');
    await page.keyboard.press('Enter');
    await waitForTerminal(page, /^Yfrom-system-9$/m);
  });

  test("a link's rule 'off': the toggle is off and disabled, says why, and nothing touches the system clipboard", async ({ page }) => {
    await open(page, 'no-clip-box');
    const toggle = page.getByRole('switch', { name: 'Share clipboard (text and images)' });
    await expect(toggle).toBeDisabled();
    await expect(toggle).not.toBeChecked();
    await expect(toggle).toHaveAccessibleDescription('The person who shared this link turned clipboard sharing off.');
    await page.evaluate(() => navigator.clipboard.writeText('system-before'));
    await fillAndConnect(page, { username: user, password });
    await waitForTerminal(page, PROMPT);
    await copyPrinted(page, 'echo "rule$((3+4))off"', 'rule7off');
    await page.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('echo Z');
    await page.keyboard.press('Control+Shift+V');
    await page.keyboard.press('Enter');
    await waitForTerminal(page, /^Zrule7off$/m); // pasted from the terminal's own buffer
    expect(await readClipboard(page)).toBe('system-before');
  });

  test("a link's rule 'to-machine' with the toggle on: pasting in works, copying out stays in the terminal", async ({ page }) => {
    await open(page, 'paste-only-box');
    const toggle = page.getByRole('switch', { name: 'Share clipboard (text and images)' });
    await expect(toggle).toHaveAccessibleDescription(/you can paste into the machine, not copy out of it/);
    await toggle.check();
    await page.evaluate(() => navigator.clipboard.writeText('into-the-machine-5'));
    await fillAndConnect(page, { username: user, password });
    await waitForTerminal(page, PROMPT);
    await copyPrinted(page, 'echo "out$((2+2))word"', 'out4word');
    await page.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('echo W');
    await page.keyboard.press('Control+Shift+V');
    await page.keyboard.press('Enter');
    await waitForTerminal(page, /^Winto-the-machine-5$/m);
    expect(await readClipboard(page)).toBe('into-the-machine-5');
  });
});
