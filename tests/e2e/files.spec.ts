// The SSH session's Files panel in real Chromium, over SFTP to a real OpenSSH sshd's sftp-server through
// the real proxy: upload by the file chooser (checked on the server by SHA-256), download to disk, folders,
// rename and delete, a permission error as a sentence beside its file, and the link's file-transfer rule.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { Link } from '../../src/shared/api';
import { expectAccessible } from './axe-audit';
import { demoTokens } from './demo-links';
import { E2E_DIST, ok } from './postern';
import { startStaticSite } from './static-site';
import { sftpLinkForFile } from './sftp-stage';
import { fillAndConnect, PROMPT, runInTerminal, waitForTerminal } from './sshd-fixture';

const { stage, home: homeFolder, made } = sftpLinkForFile('files-box');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const tag = `${process.pid}-${Date.now()}`;
let home = '';
test.beforeAll(() => (home = homeFolder()));

/** Signs in on a link and opens the Files panel, which starts in the user's home directory. */
async function openFiles(page: Page, token = stage.token) {
  await page.goto(`${stage.pt.url}/#/l/${token}`);
  await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
  await page.getByRole('button', { name: 'Files', exact: true }).click();
  const panel = page.getByTestId('files-panel');
  await expect(panel.getByTestId('files-path')).toHaveText(home);
  return panel;
}

async function linkWith(fileTransfer: 'upload' | 'download' | 'off'): Promise<string> {
  const [link] = await ok<Link[]>(stage.pt.owner('POST', '/api/links', { resourceIds: [stage.resourceId], policy: { fileTransfer } }));
  return link.token;
}

test('upload by the file chooser and by drop, and download to disk, with the bytes checked on both ends', async ({ page }) => {
  // Chromium may offer the save picker, which a test cannot answer: this visit takes the Blob path.
  await page.addInitScript(() => delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker);
  const up = { a: randomBytes(5 * 1024 * 1024 + 123), b: randomBytes(1000) }; // one larger than the 4 MiB window
  const names = { a: `up-a-${tag}.bin`, b: `up b ü-${tag}.txt` };
  made.push(join(home, names.a), join(home, names.b));
  const down = randomBytes(3 * 1024 * 1024 + 7);
  const downName = `down-${tag}.bin`;
  writeFileSync(join(home, downName), down, { mode: 0o644 });
  made.push(join(home, downName));

  const panel = await openFiles(page);
  await expect(panel.getByText('the link\'s file-transfer rule is applied by this page')).toBeVisible();
  await panel.getByLabel('Upload files…').setInputFiles([
    { name: names.a, mimeType: 'application/octet-stream', buffer: up.a },
    { name: names.b, mimeType: 'text/plain', buffer: up.b },
  ]);
  await expect(panel.getByText(`Uploaded “${names.a}”.`)).toBeVisible({ timeout: 30_000 });
  await expect(panel.getByText(`Uploaded “${names.b}”.`)).toBeVisible();
  expect(sha256(readFileSync(join(home, names.a)))).toBe(sha256(up.a));
  expect(sha256(readFileSync(join(home, names.b)))).toBe(sha256(up.b));
  await expect(panel.locator(`[data-testid="file-row"][data-name="${names.a}"]`)).toContainText('5.0 MB');

  // Dropped on the panel: the browser's DataTransfer with a File in it, as a drag from the desktop brings.
  const dropped = `dropped-${tag}.txt`;
  made.push(join(home, dropped));
  const transfer = await page.evaluateHandle((name) => {
    const dt = new DataTransfer();
    dt.items.add(new File(['dropped bytes\n'], name, { type: 'text/plain' }));
    return dt;
  }, dropped);
  await panel.dispatchEvent('dragover', { dataTransfer: transfer });
  await panel.dispatchEvent('drop', { dataTransfer: transfer });
  await expect(panel.getByText(`Uploaded “${dropped}”.`)).toBeVisible();
  expect(readFileSync(join(home, dropped), 'utf8')).toBe('dropped bytes\n');

  const row = panel.locator(`[data-testid="file-row"][data-name="${downName}"]`);
  const saved = page.waitForEvent('download');
  await row.getByRole('button', { name: `Download ${downName}` }).click();
  const download = await saved;
  expect(download.suggestedFilename()).toBe(downName);
  const path = test.info().outputPath(downName);
  await download.saveAs(path);
  expect(sha256(readFileSync(path))).toBe(sha256(down));
  await expect(panel.getByText(`Downloaded “${downName}”.`)).toBeVisible();
  await expectAccessible(page, 'the Files panel with finished transfers');
});

test('a large upload over an existing file shows bytes, rate and time left; Cancel leaves the old file whole and no partial file', async ({ page }) => {
  const name = `big-${tag}.bin`;
  const local = test.info().outputPath(name);
  mkdirSync(test.info().outputDir, { recursive: true });
  writeFileSync(local, Buffer.alloc(400 * 1024 * 1024, 7));
  const old = randomBytes(2 * 1024 * 1024);
  writeFileSync(join(home, name), old, { mode: 0o666 }); // root's file, writable by the user
  chmodSync(join(home, name), 0o666);
  made.push(join(home, name));
  const panel = await openFiles(page);
  await panel.getByLabel('Upload files…').setInputFiles(local);
  const transfer = panel.getByTestId('transfer').filter({ hasText: name });
  // After the first half second the line has a rate and the time left.
  await expect(transfer).toContainText(/MB of 400 MB · [\d.]+ (KB|MB)\/s · (about \d+ (s|min) left|less than a second left)/);
  await transfer.getByRole('button', { name: `Cancel uploading ${name}` }).click();
  await expect(transfer).toContainText(`The transfer of “${home}/${name}” was cancelled.`);
  await expect.poll(() => readdirSync(home).filter((n) => n.includes('.postern-'))).toEqual([]);
  expect(sha256(readFileSync(join(home, name)))).toBe(sha256(old));
  rmSync(local);
});

test('folders: make one, go in and up, rename, delete with confirmation', async ({ page }) => {
  const folder = `folder-${tag}`;
  made.push(join(home, folder), join(home, `${folder}-renamed`));
  const panel = await openFiles(page);
  await panel.getByLabel('New folder').fill(folder);
  await panel.getByRole('button', { name: 'Make folder' }).click();
  await panel.getByRole('button', { name: `${folder}/` }).click();
  await expect(panel.getByTestId('files-path')).toHaveText(`${home}/${folder}`);
  await expect(panel.getByText('This folder is empty.')).toBeVisible();
  await panel.getByRole('button', { name: 'Up', exact: true }).click();
  await expect(panel.getByTestId('files-path')).toHaveText(home);

  // A name with "/" is refused beside the field, before anything reaches the server.
  await panel.getByRole('button', { name: `Rename ${folder}` }).click();
  await panel.getByLabel(`New name for ${folder}`).fill('a/b');
  await panel.getByRole('button', { name: 'Save' }).click();
  await expect(panel.getByText('A name cannot contain “/”.')).toBeVisible();
  await panel.getByLabel(`New name for ${folder}`).fill(`${folder}-renamed`);
  await panel.getByRole('button', { name: 'Save' }).click();
  await expect(panel.getByRole('button', { name: `${folder}-renamed/` })).toBeVisible();
  expect(existsSync(join(home, `${folder}-renamed`))).toBe(true);

  await panel.getByRole('button', { name: `Delete ${folder}-renamed` }).click();
  await expect(panel.getByText(`Delete ${folder}-renamed?`)).toBeVisible();
  await panel.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(panel.getByRole('button', { name: `${folder}-renamed/` })).toHaveCount(0);
  expect(existsSync(join(home, `${folder}-renamed`))).toBe(false);
});

test('the server\'s refusals are sentences beside the file they concern', async ({ page }) => {
  const secret = `secret-${tag}.bin`;
  writeFileSync(join(home, secret), 'not yours', { mode: 0o600 }); // owned by root
  chmodSync(join(home, secret), 0o600);
  const locked = `locked-${tag}`;
  mkdirSync(join(home, locked), { mode: 0o755 }); // root's folder: its files cannot be deleted by the user
  writeFileSync(join(home, locked, 'kept.txt'), 'kept');
  made.push(join(home, secret), join(home, locked));
  await page.addInitScript(() => delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker);

  const panel = await openFiles(page);
  await panel.getByRole('button', { name: `Download ${secret}` }).click();
  await expect(panel.getByTestId('transfer').filter({ hasText: secret })).toContainText(`Could not open “${home}/${secret}”: permission denied.`);

  await panel.getByRole('button', { name: `${locked}/` }).click();
  await panel.getByRole('button', { name: 'Delete kept.txt' }).click();
  await panel.getByRole('button', { name: 'Delete', exact: true }).click();
  const row = panel.locator('[data-testid="file-row"][data-name="kept.txt"]');
  await expect(row.getByRole('alert')).toContainText('permission denied');
  expect(existsSync(join(home, locked, 'kept.txt'))).toBe(true);
});

/** Types a PROMPT_COMMAND that reports the folder in OSC 7, percent-encoded, as VTE's vte.sh does. */
const OSC7_PROMPT_COMMAND =
  `__osc7() { local LC_ALL=C p=$PWD o= c i; for ((i=0;i<\${#p};i++)); do c=\${p:i:1}; case $c in [-/._~A-Za-z0-9]) o+=$c;; *) printf -v c %%%02X "'$c"; o+=$c;; esac; done; ` +
  `printf '\\e]7;file://%s%s\\e\\\\' "$HOSTNAME" "$o"; }; PROMPT_COMMAND=__osc7`;

test('Files opens in the shell\'s folder (OSC 7), offers to follow it when it moves, and says when it cannot', async ({ page }) => {
  const folder = `osc7 dir-${tag}`;
  mkdirSync(join(home, folder, 'inner'), { recursive: true });
  writeFileSync(join(home, folder, 'inner', 'here.txt'), 'here');
  mkdirSync(join(home, folder, 'no-list'), { mode: 0o711 });
  chmodSync(join(home, folder, 'no-list'), 0o711);
  made.push(join(home, folder));
  await page.goto(`${stage.pt.url}/#/l/${stage.token}`);
  await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
  await runInTerminal(page, OSC7_PROMPT_COMMAND);
  await runInTerminal(page, `cd "${home}/${folder}" && echo moved-$((6 * 7))`);
  await waitForTerminal(page, /moved-42/);

  await page.getByRole('button', { name: 'Files', exact: true }).click();
  const panel = page.getByTestId('files-panel');
  await expect(panel.getByTestId('files-path')).toHaveText(`${home}/${folder}`);
  await expect(panel.getByRole('button', { name: 'inner/' })).toBeVisible();
  await expect(panel.getByRole('button', { name: "Go to the shell's folder" })).toHaveCount(0);

  // The shell moves while the panel is open: the panel stays, and offers to follow.
  await runInTerminal(page, 'cd inner && echo in-$((6 * 7))');
  await waitForTerminal(page, /in-42/);
  await expect(panel.getByTestId('shell-folder')).toHaveText(`${home}/${folder}/inner`);
  await expect(panel.getByTestId('files-path')).toHaveText(`${home}/${folder}`);
  await expectAccessible(page, "the Files panel offering the shell's folder");
  await panel.getByRole('button', { name: "Go to the shell's folder" }).click();
  await expect(panel.getByTestId('files-path')).toHaveText(`${home}/${folder}/inner`);
  await expect(panel.locator('[data-testid="file-row"][data-name="here.txt"]')).toBeVisible();
  await expect(panel.getByRole('button', { name: "Go to the shell's folder" })).toHaveCount(0);

  // A folder the user may enter but not list (root's, mode 711): the panel opens where it was, and says why.
  await page.getByRole('button', { name: 'Files', exact: true }).click();
  await runInTerminal(page, `cd "${home}/${folder}/no-list" && echo entered-$((6 * 7))`);
  await waitForTerminal(page, /entered-42/);
  await page.getByRole('button', { name: 'Files', exact: true }).click();
  await expect(panel.getByTestId('files-folder-note')).toHaveText(`Not opened in the shell's folder: Could not list “${home}/${folder}/no-list”: permission denied.`);
  await expect(panel.getByTestId('files-path')).toHaveText(`${home}/${folder}/inner`);
});

test('symbolic links: shown with their targets, a link to a folder opens it, a broken one says so, Delete removes only the link', async ({ page }) => {
  const dir = `links-${tag}`;
  mkdirSync(join(home, dir, 'real folder'), { recursive: true });
  writeFileSync(join(home, dir, 'real folder', 'inside.txt'), 'inside');
  const bytes = randomBytes(50 * 1024);
  writeFileSync(join(home, dir, 'data.bin'), bytes);
  chmodSync(join(home, dir), 0o777); // root's folder the user may change: links can be removed
  symlinkSync('real folder', join(home, dir, 'to-folder'));
  symlinkSync('data.bin', join(home, dir, 'to-file'));
  symlinkSync('gone.txt', join(home, dir, 'broken'));
  made.push(join(home, dir));
  await page.addInitScript(() => delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker);
  const panel = await openFiles(page);
  await panel.getByRole('button', { name: `${dir}/` }).click();
  const row = (name: string) => panel.locator(`[data-testid="file-row"][data-name="${name}"]`);
  await expect(row('to-folder').getByTestId('link-target')).toHaveText('link to the folder “real folder”');
  await expect(row('to-file').getByTestId('link-target')).toHaveText('link to “data.bin”');
  await expect(row('to-file')).toContainText('50 KB');
  await expect(row('broken').getByTestId('link-target')).toHaveText('broken link: what it points to “gone.txt” does not exist');
  await expect(row('broken').getByRole('button', { name: 'Download broken' })).toHaveCount(0);
  await expectAccessible(page, 'the Files panel listing links');

  const saved = page.waitForEvent('download');
  await row('to-file').getByRole('button', { name: 'Download to-file' }).click();
  const path = test.info().outputPath('to-file');
  await (await saved).saveAs(path);
  expect(sha256(readFileSync(path))).toBe(sha256(bytes));

  await row('to-folder').getByRole('button', { name: 'to-folder/' }).click();
  await expect(panel.getByTestId('files-path')).toHaveText(`${home}/${dir}/to-folder`);
  await expect(row('inside.txt')).toBeVisible();
  await panel.getByRole('button', { name: 'Up', exact: true }).click();

  await row('to-folder').getByRole('button', { name: 'Delete to-folder' }).click();
  await expect(panel.getByText('Delete the link to-folder? What it points to stays.')).toBeVisible();
  await panel.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(row('to-folder')).toHaveCount(0);
  expect(readFileSync(join(home, dir, 'real folder', 'inside.txt'), 'utf8')).toBe('inside');
});

test('the link\'s file-transfer rule: upload only hides downloads, off hides Files and says why', async ({ page }) => {
  const name = `rule-${tag}.txt`;
  writeFileSync(join(home, name), 'x', { mode: 0o644 });
  made.push(join(home, name));
  const panel = await openFiles(page, await linkWith('upload'));
  await expect(panel.getByTestId('files-rule')).toHaveText('This link does not allow downloading files from the machine.');
  await expect(panel.locator(`[data-testid="file-row"][data-name="${name}"]`)).toBeVisible();
  await expect(panel.getByRole('button', { name: /^Download / })).toHaveCount(0);
  await expect(panel.getByLabel('Upload files…')).toBeAttached();

  const downloadOnly = await openFiles(page, await linkWith('download'));
  await expect(downloadOnly.getByTestId('files-rule')).toHaveText('This link does not allow uploading files to the machine.');
  await expect(downloadOnly.getByLabel('Upload files…')).toHaveCount(0);
  await expect(downloadOnly.getByRole('button', { name: `Download ${name}` })).toBeVisible();

  await page.goto(`${stage.pt.url}/#/l/${await linkWith('off')}`);
  await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
  await expect(page.getByRole('button', { name: 'Files', exact: true })).toHaveCount(0);
  await page.getByTestId('connection-details').locator('summary').click();
  await expect(page.getByTestId('files-off')).toHaveText('Files: this link does not allow file transfer, so the Files panel is not offered.');
});

test('the offline demo\'s machine serves its files to the panel in the shell\'s folder: upload, then download the same bytes', async ({ page }) => {
  const site = await startStaticSite(E2E_DIST, { proxy: null });
  try {
    await page.addInitScript(() => delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker);
    await page.goto(`${site.url}#/console/links`);
    await page.getByRole('button', { name: '+ Add' }).click();
    const form = page.getByRole('form', { name: 'Create shareable links' });
    await form.getByRole('checkbox', { name: 'Demo machine' }).check();
    await form.getByRole('button', { name: 'Apply' }).click();
    await expect(page.getByRole('button', { name: 'Copy link to Demo machine' })).toBeVisible();
    const token = (await demoTokens(page))['Demo machine'];
    await page.goto(`${site.url}#/l/${token}`);
    await fillAndConnect(page, { username: 'demo', password: 'demo' });
    await waitForTerminal(page, /demo@postern-demo:~\$/);
    // The demo's prompt reports its folder in OSC 7: Files opens where the shell is.
    await runInTerminal(page, 'cd notes');
    await waitForTerminal(page, /demo@postern-demo:~\/notes\$/);
    await page.getByRole('button', { name: 'Files', exact: true }).click();
    const panel = page.getByTestId('files-panel');
    await expect(panel.getByTestId('files-path')).toHaveText('/home/demo/notes');

    const bytes = randomBytes(300 * 1024);
    await panel.getByLabel('Upload files…').setInputFiles({ name: 'from-page.bin', mimeType: 'application/octet-stream', buffer: bytes });
    await expect(panel.getByText('Uploaded “from-page.bin”.')).toBeVisible();
    const saved = page.waitForEvent('download');
    await panel.getByRole('button', { name: 'Download from-page.bin' }).click();
    const path = test.info().outputPath('from-page.bin');
    await (await saved).saveAs(path);
    expect(sha256(readFileSync(path))).toBe(sha256(bytes));
  } finally {
    await site.dispose();
  }
});
