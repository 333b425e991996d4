// Files through RDP's clipboard channel, end to end: real Chromium, the real proxy, a real xrdp 0.9.
// Download: a file made now on the machine is put on its X clipboard as text/uri-list (what a file
// manager's Copy does); xrdp's chansrv offers it to the page as a file list; the page downloads it and
// the bytes are compared by checksum.
// Upload: the page puts files on the machine's clipboard (file chooser, or a drop on the desktop);
// chansrv offers them to X as text/uri-list paths in its FUSE mount (~/thinclient_drives), and reading
// such a path makes chansrv ask the page for the bytes: the test reads them with sha256sum there.
// The audit row counts files and bytes each way. Under a link's rule the page offers nothing and says
// so, and the proxy keeps files from crossing even when the page is told the rule is open.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, test, type Browser } from '@playwright/test';
import type { AuditEntry, FileTransferRule, Link } from '../../src/shared/api';
import { startXrdp, xrdpFuseUnavailable, type XrdpServer } from '../support/xrdp';
import { addResource, ok, setFeature, startPostern, type Postern } from './postern';
import { expectAccessible } from './axe-audit';
import { canvasColours, needXrdp } from './rdp-canvas';

needXrdp();

let pt: Postern;
let xrdp: XrdpServer;
const tokens: Partial<Record<FileTransferRule, string>> = {};
/** How long a forbidden transfer is given to (wrongly) show up; allowed ones take well under a second here. */
const SETTLE_MS = 3_000;
const noFuse = xrdpFuseUnavailable();

test.beforeAll(async () => {
  test.setTimeout(120_000);
  [pt, xrdp] = await Promise.all([startPostern(), startXrdp({ fuse: !noFuse })]);
  await setFeature(pt, true);
  for (const rule of ['both', 'off', 'download'] as const) {
    const r = await addResource(pt, `rdp-files-${rule}`, { rdp: [xrdp.port] });
    const policy = rule === 'both' ? {} : { fileTransfer: rule };
    const [link] = await ok<Link[]>(pt.owner('POST', '/api/links', { resourceIds: [r.id], policy }));
    tokens[rule] = link.token;
  }
});
/** The last page's console (IronRDP logs at 'info' here), and the proxy's output, beside a failure. */
let pageLog: string[] = [];
test.afterEach(async ({ browserName: _ }, testInfo) => {
  if (testInfo.status === testInfo.expectedStatus) return;
  // The reporter cuts attachments short in CI's log: the last lines of each go to the log as they are.
  const tail = (text: string, n: number) => text.split('\n').slice(-n).join('\n');
  console.log(`--- ${testInfo.title}: page console\n${tail(pageLog.join('\n'), 40)}\n--- proxy\n${tail(pt.proxy.output(), 40)}\n--- xrdp\n${tail(xrdp.logs(), 60)}`);
  await testInfo.attach('page console', { body: pageLog.join('\n') });
  await testInfo.attach('proxy output (POSTERN_RDP_TRACE=cliprdr shows each clipboard message)', { body: pt.proxy.output().slice(-40_000) });
  await testInfo.attach('xrdp logs', { body: xrdp.logs() });
});
test.afterAll(async () => {
  await pt?.stop();
  await xrdp?.stop();
});

/** Signs in through the link with `rule`; with `hideRule` the page is not told the rule (the proxy still is). */
async function signIn(browser: Browser, rule: FileTransferRule, o: { hideRule?: boolean } = {}) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  pageLog = [];
  page.on('console', (m) => pageLog.push(m.text()));
  await page.addInitScript(() => localStorage.setItem('postern.rdp.log', 'info'));
  if (o.hideRule) {
    await page.route('**/api/link-info', async (route) => {
      const response = await route.fetch();
      const info = await response.json();
      expect(info.fileTransfer).toBe(rule); // the proxy did tell the page; the test takes it away
      delete info.fileTransfer;
      await route.fulfill({ response, json: info });
    });
  }
  await page.goto(`${pt.url}/#/l/${tokens[rule]}`);
  await page.getByRole('radio', { name: 'RDP', exact: true }).check();
  await page.getByLabel('Username').fill(xrdp.user);
  await page.getByLabel('Password', { exact: true }).fill(xrdp.password);
  await page.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByLabel(/^Desktop of rdp-files-/)).toBeVisible({ timeout: 30_000 });
  await xrdp.waitForSession(30_000);
  await expect.poll(() => canvasColours(page), { timeout: 30_000 }).toBeGreaterThan(100);
  return { page, context };
}

/** Makes `size` random bytes in the user's home on the machine and puts the file on its clipboard. */
async function machineCopiesFile(name: string, size: number): Promise<string> {
  const path = `${xrdp.home}/${name}`;
  xrdp.runInSession(['sh', '-c', `head -c ${size} /dev/urandom > "$1"`, 'sh', path]);
  const sum = xrdp.runInSession(['sha256sum', path]).split(' ')[0];
  await xrdp.writeClipboardAs('text/uri-list', new TextEncoder().encode(`file://${path}\r\n`));
  return sum;
}

/** The audit entry of the last finished session through `rule`'s link. */
async function auditEntry(rule: FileTransferRule): Promise<AuditEntry | undefined> {
  const audit = await ok<AuditEntry[]>(pt.owner('GET', '/api/audit'));
  return audit.find((e) => e.action === 'connect' && e.resourceName === `rdp-files-${rule}` && e.outcome !== 'open');
}
const auditDetail = async (rule: FileTransferRule) => (await auditEntry(rule))?.detail ?? '';
/** The file columns of that entry: files and bytes each way, counted by the proxy. */
const auditFiles = async (rule: FileTransferRule) => (await auditEntry(rule))?.files;

test('a file copied on the machine is downloaded by the page, bytes intact, and the audit counts it', async ({ browser }) => {
  const { page, context } = await signIn(browser, 'both');
  const sum = await machineCopiesFile('report one.bin', 300_000);
  const files = page.getByRole('region', { name: 'Files' });
  const download = files.getByRole('button', { name: 'Download report one.bin' });
  await expect(download).toBeVisible({ timeout: 15_000 });
  await expect(files.getByText('293.0 KB')).toBeVisible();
  const [saved] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), download.click()]);
  expect(saved.suggestedFilename()).toBe('report one.bin');
  const bytes = readFileSync((await saved.path())!);
  expect(bytes.length).toBe(300_000);
  expect(createHash('sha256').update(bytes).digest('hex')).toBe(sum);
  await expect(files.getByText('Downloaded (293.0 KB).')).toBeVisible();
  await expectAccessible(page, 'the RDP desktop with its Files panel');

  await page.getByRole('button', { name: 'Disconnect', exact: true }).click();
  await expect.poll(() => auditFiles('both'), { timeout: 10_000 }).toEqual({ up: 0, down: 1, bytesUp: 0, bytesDown: 300_000, countedBy: 'proxy' });
  await context.close();
});

test("rule 'off': the page offers no upload and says why; the proxy keeps the machine's files from a page told otherwise", async ({ browser }) => {
  // The page as the link tells it: no Upload button, the rule as a sentence.
  {
    const { page, context } = await signIn(browser, 'off');
    await expect(page.getByRole('button', { name: 'Upload files' })).toHaveCount(0);
    await expect(page.getByText('This link does not allow files to or from the machine.')).toBeVisible();
    await page.getByRole('button', { name: 'Disconnect', exact: true }).click();
    await context.close();
  }
  // A page that believes files may cross: the machine's file list never reaches it.
  const { page, context } = await signIn(browser, 'off', { hideRule: true });
  await expect(page.getByRole('button', { name: 'Upload files' })).toBeVisible();
  await machineCopiesFile('secret.bin', 10_000);
  await page.waitForTimeout(SETTLE_MS);
  await expect(page.getByRole('button', { name: /^Download / })).toHaveCount(0);
  await page.getByRole('button', { name: 'Disconnect', exact: true }).click();
  await expect.poll(() => auditDetail('off'), { timeout: 10_000 }).toMatch(/file-transfer rule held back \d+ file messages? from the machine/);
  expect(await auditFiles('off')).toEqual({ up: 0, down: 0, bytesUp: 0, bytesDown: 0, countedBy: 'proxy' });
  await context.close();
});

/** The paths the machine's clipboard offers as text/uri-list, once it offers any. */
async function machineClipboardPaths(): Promise<string[]> {
  let paths: string[] = [];
  await expect.poll(() => {
    try {
      if (!xrdp.clipboardTargets().includes('text/uri-list')) return 0;
      paths = xrdp.readClipboardAs('text/uri-list').toString('utf8').split(/\r?\n/).filter(Boolean)
        .map((u) => decodeURIComponent(new URL(u).pathname));
      return paths.length;
    } catch {
      return 0;
    }
  }, { timeout: 15_000 }).toBeGreaterThan(0);
  return paths;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
function randomFile(size: number): Buffer {
  return Buffer.from(Array.from({ length: size }, (_, i) => (i * 7919 + (i >> 8) * 31) & 0xff));
}

test.describe('upload to the machine', () => {
  test.skip(!!noFuse, `chansrv cannot mount pasted files on this machine: ${noFuse}`);

  test('files chosen on the page are pasted on the machine, bytes intact, and the audit counts them', async ({ browser }) => {
    const { page, context } = await signIn(browser, 'both');
    const one = randomFile(200_000);
    const two = randomFile(1_234);
    await xrdp.writeClipboard('machine text before'); // no file list left from an earlier test
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Upload files' }).click();
    await (await chooser).setFiles([
      { name: 'upload one.bin', mimeType: 'application/octet-stream', buffer: one },
      { name: 'two.txt', mimeType: 'text/plain', buffer: two },
    ]);
    const files = page.getByRole('region', { name: 'Files' });
    await expect(files.getByText(/On the machine's clipboard \(195\.3 KB\): paste it in a folder there\./)).toBeVisible();

    const paths = await machineClipboardPaths();
    expect(paths.map((p) => p.split('/').pop())).toEqual(['upload one.bin', 'two.txt']);
    for (const [i, want] of [one, two].entries()) {
      expect(xrdp.runInSessionMounts(['sha256sum', paths[i]]).split(' ')[0]).toBe(sha256(want));
    }
    await expect(files.getByText('Pasted on the machine (195.3 KB).')).toBeVisible({ timeout: 10_000 });

    // A drop on the desktop does the same.
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['dropped ✓'], 'dropped.txt', { type: 'text/plain' }));
      const stage = document.querySelector('.rdp-stage')!;
      stage.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      stage.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await expect.poll(async () => (await machineClipboardPaths()).map((p) => p.split('/').pop()), { timeout: 15_000 }).toEqual(['dropped.txt']);
    const [dropped] = await machineClipboardPaths();
    expect(xrdp.runInSessionMounts(['cat', dropped])).toBe('dropped ✓');

    await page.getByRole('button', { name: 'Disconnect', exact: true }).click();
    // 200 000 + 1 234 bytes chosen, and "dropped ✓" (11 bytes of UTF-8) dropped.
    await expect.poll(() => auditFiles('both'), { timeout: 10_000 }).toEqual({ up: 3, down: 0, bytesUp: 201_245, bytesDown: 0, countedBy: 'proxy' });
    await context.close();
  });

  test("rule 'download': the page offers no upload; a page told otherwise cannot put files on the machine", async ({ browser }) => {
    {
      const { page, context } = await signIn(browser, 'download');
      await expect(page.getByRole('button', { name: 'Upload files' })).toHaveCount(0);
      await expect(page.getByText('This link does not allow sending files to the machine.')).toBeVisible();
      await page.getByRole('button', { name: 'Disconnect', exact: true }).click();
      await context.close();
    }
    const { page, context } = await signIn(browser, 'download', { hideRule: true });
    await xrdp.writeClipboard('machine text before');
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Upload files' }).click();
    await (await chooser).setFiles([{ name: 'forbidden.bin', mimeType: 'application/octet-stream', buffer: randomFile(5_000) }]);
    await page.waitForTimeout(SETTLE_MS);
    expect(xrdp.clipboardTargets()).not.toContain('text/uri-list');
    expect(xrdp.runInSessionMounts(['sh', '-c', 'find ~/thinclient_drives -name forbidden.bin 2>/dev/null || true']).trim()).toBe('');
    await page.getByRole('button', { name: 'Disconnect', exact: true }).click();
    await expect.poll(() => auditDetail('download'), { timeout: 10_000 }).toMatch(/file-transfer rule held back \d+ file messages? to the machine/);
    expect(await auditFiles('download')).toEqual({ up: 0, down: 0, bytesUp: 0, bytesDown: 0, countedBy: 'proxy' });
    await context.close();
  });
});
