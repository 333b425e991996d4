// Downloads through the File System Access API, the path Chromium takes when it has a save picker: the
// bytes are written to the chosen file as they arrive, never gathered in memory. A test cannot answer
// the picker's dialog, so the page's showSaveFilePicker is replaced by one that hands back a file of
// the origin-private file system (a real FileSystemFileHandle with a real createWritable); everything
// after the choice is the browser's own. Real sshd and sftp-server behind the real proxy.
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { sftpLinkForFile } from './sftp-stage';
import { fillAndConnect, PROMPT, waitForTerminal } from './sshd-fixture';

const { stage, home, made } = sftpLinkForFile('save-box');
const tag = `${process.pid}-${Date.now()}`;

/** A file on the machine, removed after the file's tests. */
function onMachine(name: string, bytes: Buffer): void {
  writeFileSync(join(home(), name), bytes, { mode: 0o644 });
  made.push(join(home(), name));
}

/**
 * Makes the page's save picker answer `choice`: "save" hands back a fresh private file named after the
 * suggestion, "close" rejects as a closed dialog does. The names it was asked for are kept.
 */
async function pickerAnswers(page: Page, choice: 'save' | 'close'): Promise<void> {
  await page.addInitScript((answer) => {
    const w = window as unknown as { showSaveFilePicker: unknown; pickedNames: string[] };
    w.pickedNames = [];
    w.showSaveFilePicker = async ({ suggestedName }: { suggestedName: string }) => {
      w.pickedNames.push(suggestedName);
      if (answer === 'close') throw new DOMException('The user aborted a request.', 'AbortError');
      const root = await navigator.storage.getDirectory();
      return root.getFileHandle(suggestedName, { create: true });
    };
  }, choice);
}

/** The SHA-256 and size of a private file, read in the page; null when there is none. */
function savedFile(page: Page, name: string): Promise<{ size: number; sha256: string } | null> {
  return page.evaluate(async (n) => {
    const root = await navigator.storage.getDirectory();
    const file = await root.getFileHandle(n).then((h) => h.getFile(), () => null);
    if (!file) return null;
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
    return { size: file.size, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('') };
  }, name);
}

async function openFiles(page: Page) {
  await page.goto(`${stage.pt.url}/#/l/${stage.token}`);
  await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
  await page.getByRole('button', { name: 'Files', exact: true }).click();
  return page.getByTestId('files-panel');
}

test('a download is written to the file chosen in the save picker, byte for byte', async ({ page }) => {
  const name = `saved-${tag}.bin`;
  const bytes = randomBytes(6 * 1024 * 1024 + 321); // more than the 4 MiB window: several writes
  onMachine(name, bytes);
  await pickerAnswers(page, 'save');
  const panel = await openFiles(page);
  let downloadEvents = 0;
  page.on('download', () => downloadEvents++);

  await panel.locator(`[data-testid="file-row"][data-name="${name}"]`).getByRole('button', { name: `Download ${name}` }).click();
  await expect(panel.getByText(`Saved “${name}”.`)).toBeVisible({ timeout: 30_000 });
  expect(await page.evaluate(() => (window as unknown as { pickedNames: string[] }).pickedNames)).toEqual([name]);
  expect(await savedFile(page, name)).toEqual({ size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
  expect(downloadEvents, 'the disk path never falls back to a browser download').toBe(0);
});

test('closing the save picker starts nothing; cancelling a download to disk leaves no file behind', async ({ page }) => {
  const small = `closed-${tag}.txt`;
  onMachine(small, Buffer.from('not wanted\n'));
  await pickerAnswers(page, 'close');
  let panel = await openFiles(page);
  await panel.locator(`[data-testid="file-row"][data-name="${small}"]`).getByRole('button', { name: `Download ${small}` }).click();
  await expect.poll(() => page.evaluate(() => (window as unknown as { pickedNames: string[] }).pickedNames)).toEqual([small]);
  await expect(panel.getByTestId('transfer')).toHaveCount(0);
  await expect(panel.getByRole('alert')).toHaveCount(0);

  const big = `cancelled-${tag}.bin`;
  onMachine(big, Buffer.alloc(300 * 1024 * 1024, 3));
  await page.close();
  page = await page.context().newPage();
  await pickerAnswers(page, 'save');
  panel = await openFiles(page);
  await panel.locator(`[data-testid="file-row"][data-name="${big}"]`).getByRole('button', { name: `Download ${big}` }).click();
  const transfer = panel.getByTestId('transfer').filter({ hasText: big });
  await expect(transfer).toContainText(/MB of 300 MB/);
  await transfer.getByRole('button', { name: `Cancel downloading ${big}` }).click();
  await expect(transfer).toContainText('was cancelled');
  // An aborted writable discards what it had written: the chosen file stays empty.
  await expect.poll(() => savedFile(page, big).then((f) => f?.size)).toBe(0);
});
