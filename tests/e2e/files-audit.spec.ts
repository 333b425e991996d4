// The audit's file counts for an SSH session, end to end: real Chromium uploads and downloads through the
// Files panel over SFTP to a real OpenSSH sshd behind the real proxy, then disconnects. SFTP is end to end,
// so the proxy cannot count the files: the page's worker reports its totals on the relay's WebSocket, and
// the session's audit entry shows them (API and the console's Audit view) marked as reported by the client.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { AuditEntry } from '../../src/shared/api';
import { expectAccessible } from './axe-audit';
import { ok, signInAs } from './postern';
import { sftpLinkForFile } from './sftp-stage';
import { fillAndConnect, PROMPT, waitForTerminal } from './sshd-fixture';

const { stage, home: homeFolder, made } = sftpLinkForFile('files-audit-box');
const tag = `${process.pid}-${Date.now()}`;

/** The audit entries of sessions to this test's machine, newest first. */
async function sessions(): Promise<AuditEntry[]> {
  const audit = await ok<AuditEntry[]>(stage.pt.owner('GET', '/api/audit?limit=500'));
  return audit.filter((e) => e.action === 'connect' && e.resourceName === 'files-audit-box');
}

test('uploads and downloads are in the session\'s audit entry, reported by the client', async ({ page, browser }) => {
  await page.addInitScript(() => delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker);
  const home = homeFolder();
  const up = { a: randomBytes(1_400_000), b: randomBytes(1000) };
  const names = { a: `audit-a-${tag}.bin`, b: `audit-b-${tag}.txt` };
  const down = randomBytes(300_000);
  const downName = `audit-down-${tag}.bin`;
  writeFileSync(join(home, downName), down, { mode: 0o644 });
  made.push(join(home, names.a), join(home, names.b), join(home, downName));

  await page.goto(`${stage.pt.url}/#/l/${stage.token}`);
  await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
  await page.getByRole('button', { name: 'Files', exact: true }).click();
  const panel = page.getByTestId('files-panel');
  await expect(panel.getByTestId('files-path')).toHaveText(home);

  await panel.getByLabel('Upload files…').setInputFiles([
    { name: names.a, mimeType: 'application/octet-stream', buffer: up.a },
    { name: names.b, mimeType: 'text/plain', buffer: up.b },
  ]);
  await expect(panel.getByText(`Uploaded “${names.a}”.`)).toBeVisible({ timeout: 30_000 });
  await expect(panel.getByText(`Uploaded “${names.b}”.`)).toBeVisible();
  expect(readFileSync(join(home, names.a)).equals(up.a)).toBe(true);

  const saved = page.waitForEvent('download');
  await panel.locator(`[data-testid="file-row"][data-name="${downName}"]`).getByRole('button', { name: `Download ${downName}` }).click();
  expect(readFileSync((await (await saved).path())!).equals(down)).toBe(true);
  await expect(panel.getByText(`Downloaded “${downName}”.`)).toBeVisible();

  // Disconnect at once: a report held back by the worker's interval goes out ahead of the close.
  await page.getByRole('button', { name: 'Disconnect' }).click();
  await expect.poll(async () => (await sessions()).find((e) => e.outcome !== 'open')?.files, { timeout: 10_000 })
    .toEqual({ up: 2, down: 1, bytesUp: 1_401_000, bytesDown: 300_000, countedBy: 'client' });
  const [entry] = await sessions();
  expect(entry).toMatchObject({ outcome: 'ok', protocol: 'ssh', actor: 'link visitor' });
  // The relay's own count of the session's bytes covers the files' (they crossed inside it, encrypted).
  expect(entry.bytesUp).toBeGreaterThan(1_401_000);
  expect(entry.bytesDown).toBeGreaterThan(300_000);

  // The console's Audit view says it in words, and whose word it is.
  const context = await browser.newContext();
  const consolePage = await context.newPage();
  await signInAs(consolePage, stage.pt, 'owner');
  await consolePage.getByRole('link', { name: 'Audit', exact: true }).click();
  const row = consolePage.getByRole('row').filter({ hasText: 'files-audit-box' }).filter({ hasText: 'reported by the client' });
  await expect(row.getByTestId('audit-files')).toHaveText(
    '2 files (1.3 MB) to the machine, 1 file (293 KB) from it, reported by the client'); // the comma is for screen readers
  await expect(row.getByTestId('audit-files').locator('.files-by')).toHaveText('reported by the client');
  await expectAccessible(consolePage, 'the console\'s audit with a session\'s files');
  await context.close();
});

test('a session that moves no file has no file counts in its audit entry', async ({ page }) => {
  await page.goto(`${stage.pt.url}/#/l/${stage.token}`);
  await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
  await page.getByRole('button', { name: 'Files', exact: true }).click();
  await expect(page.getByTestId('files-panel').getByTestId('files-path')).not.toBeEmpty();
  await page.getByRole('button', { name: 'Disconnect' }).click();
  // The newest entry is this session's.
  await expect.poll(async () => (await sessions())[0]?.outcome, { timeout: 10_000 }).toBe('ok');
  expect((await sessions())[0]).not.toHaveProperty('files');
});
