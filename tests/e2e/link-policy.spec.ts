// Link policies end to end (issue 12, first slice): an admin creates a link with a label, an expiry
// and a use limit in the console, sees them in the list, and edits it; a single-use link works once
// over SSH (a real sshd) and then its page explains why not; an expired link's page says so. The
// proxy's clock is moved through POSTERN_TEST_CLOCK_FILE, so nothing waits for a policy's time.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Link } from '../../src/shared/api';
import type { Sshd } from '../support/sshd';
import { addResource, ok, row, setFeature, signInAs, startPostern, type Postern } from './postern';
import { fillAndConnect, makeExtraKeys, PROMPT, startSshdWithKeys, waitForTerminal, type ExtraKeys } from './sshd-fixture';

let pt: Postern;
let sshd: Sshd;
let keys: ExtraKeys;
const clockDir = mkdtempSync(join(tmpdir(), 'postern-e2e-clock-'));
const clockFile = join(clockDir, 'offset');
const setClock = (ms: number) => writeFileSync(clockFile, String(ms));
const HOUR = 3_600_000;

async function linkTo(name: string, policy: Record<string, unknown>, pinned = true): Promise<Link> {
  const r = await addResource(pt, name, { ssh: [sshd.port] });
  if (pinned) {
    await ok(pt.owner('PUT', `/api/resources/${r.id}`, {
      name, address: '127.0.0.1', ports: { ssh: [sshd.port] }, sshHostKeyFingerprint: sshd.hostFingerprints.ed25519,
    }));
  }
  const [link] = await ok<Link[]>(pt.owner('POST', '/api/links', { resourceIds: [r.id], policy }));
  return link;
}

test.beforeAll(async () => {
  setClock(0);
  keys = makeExtraKeys();
  sshd = await startSshdWithKeys(keys);
  pt = await startPostern({ env: { POSTERN_TEST_CLOCK_FILE: clockFile } });
  await setFeature(pt, true);
});
test.afterEach(() => setClock(0));
test.afterAll(async () => {
  await pt?.stop();
  await sshd?.stop();
  keys?.remove();
  rmSync(clockDir, { recursive: true, force: true });
});

test('create a link with a label, an expiry and a use limit in the console; errors sit beside their field; edit it', async ({ page }) => {
  await addResource(pt, 'policy-box', { ssh: [22] });
  await signInAs(page, pt, 'owner');
  await page.getByRole('link', { name: 'Shareable links' }).click();
  await page.getByRole('button', { name: '+ Add' }).click();
  const panel = page.getByRole('form', { name: 'Create shareable links' });
  await panel.getByRole('checkbox', { name: 'policy-box' }).check();
  await panel.getByLabel('Label').fill('for the vendor');

  // A past expiry is refused beside its field, and nothing else is lost.
  await panel.getByLabel('Expires').selectOption('at');
  await panel.getByLabel('Expiry date and time').fill('2020-01-01T10:00');
  await panel.getByRole('button', { name: 'Apply' }).click();
  await expect(panel.getByRole('alert')).toHaveText('Expiry must be in the future.');
  await expect(panel.getByLabel('Label')).toHaveValue('for the vendor');

  await panel.getByLabel('Expires').selectOption('1d');
  await panel.getByLabel('Use limit').selectOption('limit');
  await panel.getByLabel('Most sign-ins').fill('0');
  await panel.getByRole('button', { name: 'Apply' }).click();
  await expect(panel.getByRole('alert')).toHaveText('Use limit must be a whole number from 1 to 100000.');
  await panel.getByLabel('Use limit').selectOption('single');
  await panel.getByRole('button', { name: 'Apply' }).click();
  await expect(panel).toBeHidden();

  const r = row(page, 'policy-box');
  await expect(r).toContainText('for the vendor');
  await expect(r).toContainText('Active');
  await expect(r).toContainText(/2[34] h \d+ min/);
  await expect(r).toContainText('1 of 1');

  await r.getByRole('button', { name: 'Edit link to policy-box' }).click();
  const dialog = page.getByRole('form', { name: 'Edit the link to policy-box' });
  await expect(dialog.getByLabel('Label')).toHaveValue('for the vendor');
  await dialog.getByLabel('Label').fill('for the auditor');
  await dialog.getByLabel('Use limit').selectOption('limit');
  await dialog.getByLabel('Most sign-ins').fill('3');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(r).toContainText('for the auditor');
  await expect(r).toContainText('3 of 3');
  await page.reload();
  await expect(row(page, 'policy-box')).toContainText('for the auditor');
});

test('a single-use link works once over SSH, then its page says it was used', async ({ page, browser }) => {
  const link = await linkTo('once-box', { maxUses: 1 });
  await page.goto(`${pt.url}/#/l/${link.token}`);
  await expect(page.getByRole('note')).toHaveText('It can be used once more.');
  await fillAndConnect(page, { username: sshd.fixture.user, password: sshd.fixture.password });
  await waitForTerminal(page, PROMPT);

  const later = await browser.newContext();
  const again = await later.newPage();
  await again.goto(`${pt.url}/#/l/${link.token}`);
  await expect(again.getByRole('heading', { name: 'This link has been used up' })).toBeVisible();
  await expect(again.getByText('This link could be used once, and has been. Ask the person who shared it to renew it.')).toBeVisible();
  await later.close();
});

test("an expired link's page says it expired, by the proxy's clock", async ({ page }) => {
  const link = await linkTo('old-box', { expiresAt: new Date(Date.now() + HOUR).toISOString() });
  await page.goto(`${pt.url}/#/l/${link.token}`);
  await expect(page.getByRole('note')).toContainText('This link closes on');
  setClock(2 * HOUR);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'This link has expired' })).toBeVisible();
  await expect(page.getByText(/^This link expired on .*\. Ask the person who shared it for a new one\.$/)).toBeVisible();
});
