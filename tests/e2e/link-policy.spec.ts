// Link policies end to end (issue 12, first slice): an admin creates a link with a label, an expiry
// and a use limit in the console, sees them in the list, and edits it; a single-use link works once
// over SSH (a real sshd) and then its page explains why not; expired, outside-hours and locked links
// explain themselves; an access code is generated, shown once and asked for first. The
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

test("a link outside its hours says when it opens next, in the admin's time zone", async ({ page }) => {
  const day = (new Date().getUTCDay() + 3) % 7;
  const link = await linkTo('hours-box', { hours: { timeZone: 'Europe/Berlin', windows: [{ days: [day], from: '09:00', to: '10:00' }] } });
  await page.goto(`${pt.url}/#/l/${link.token}`);
  await expect(page.getByRole('heading', { name: 'This link is closed right now' })).toBeVisible();
  await expect(page.getByText(/^This link works only at set hours\. It opens next on .* 09:00 \(Europe\/Berlin\)\.$/)).toBeVisible();
});

test('an access code generated in the console is shown once, asked for first on the link page, and a wrong one is said beside its field', async ({ page, browser }) => {
  const r = await addResource(pt, 'code-box', { ssh: [sshd.port] });
  await ok(pt.owner('PUT', `/api/resources/${r.id}`, {
    name: 'code-box', address: '127.0.0.1', ports: { ssh: [sshd.port] }, sshHostKeyFingerprint: sshd.hostFingerprints.ed25519,
  }));
  await signInAs(page, pt, 'owner');
  await page.getByRole('link', { name: 'Shareable links' }).click();
  await page.getByRole('button', { name: '+ Add' }).click();
  const panel = page.getByRole('form', { name: 'Create shareable links' });
  await panel.getByRole('checkbox', { name: 'code-box' }).check();
  await panel.getByRole('checkbox', { name: 'Ask for an access code' }).check();
  // A typed code with a character codes cannot hold is refused beside the field.
  await panel.getByLabel('Access code', { exact: true }).fill('AB#CDEFG');
  await panel.getByRole('button', { name: 'Apply' }).click();
  await expect(panel.getByRole('alert')).toHaveText('"#" cannot be in an access code: use only letters A–Z and digits.');
  await panel.getByRole('button', { name: 'Generate' }).click();
  await expect(panel.getByLabel('Access code', { exact: true })).toHaveValue(/^[A-HJKMNP-Z2-9]{8}$/);
  await panel.getByRole('button', { name: 'Apply' }).click();
  const shown = page.getByTestId('created-code');
  await expect(shown).toHaveText(/^[A-HJKMNP-Z2-9]{8}$/);
  const code = (await shown.textContent())!;
  await page.getByRole('button', { name: 'Done' }).click();
  const listed = row(page, 'code-box');
  await expect(listed).toContainText('Code');

  const link = (await ok<Link[]>(pt.owner('GET', '/api/links'))).find((l) => l.resourceName === 'code-box')!;
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto(`${pt.url}/#/l/${link.token}`);
  await expect(visitor.getByRole('heading', { name: 'This link asks for an access code' })).toBeVisible();
  await expect(visitor.getByText('code-box')).toHaveCount(0);
  const field = visitor.getByLabel('Access code', { exact: true });
  await expect(field).toBeFocused();
  await field.fill('AAAAAAAA');
  await visitor.getByRole('button', { name: 'Continue' }).click();
  await expect(visitor.getByRole('alert')).toHaveText('That access code is not right. 4 more tries before the link locks for a while.');
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  // Typed as people type it: lower case, with a dash.
  await field.fill(`${code.slice(0, 4).toLowerCase()}-${code.slice(4)}`);
  await visitor.getByRole('button', { name: 'Continue' }).click();
  await fillAndConnect(visitor, { username: sshd.fixture.user, password: sshd.fixture.password });
  await waitForTerminal(visitor, PROMPT);
  await visitor.context().close();
});

test('a link with an idle limit says so on its page, and the terminal says why the proxy ended the idle session', async ({ page }) => {
  const link = await linkTo('idle-box', { idleMinutes: 1, maxSessionMinutes: 120 });
  await page.goto(`${pt.url}/#/l/${link.token}`);
  await expect(page.getByRole('note')).toHaveText('A session lasts at most 2 hours. A session with no typing or clicking for 1 minute ends.');
  await fillAndConnect(page, { username: sshd.fixture.user, password: sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
  // The proxy samples input once a second: let it see the sign-in's bytes before its clock moves on.
  await new Promise((r) => setTimeout(r, 1_500));
  setClock(75_000);
  await waitForTerminal(page, /Nothing was typed or clicked for 1 minute, so the session was ended, as this link asks./);
});

test('an owner sets defaults for new links in Settings, and the new-link form starts with them', async ({ page }) => {
  await addResource(pt, 'defaults-box', { ssh: [22] });
  await signInAs(page, pt, 'owner');
  await page.getByRole('link', { name: 'Settings' }).click();
  const form = page.getByRole('form', { name: 'Defaults for new links' });
  await expect(form.getByLabel('Label')).toHaveCount(0);
  await form.getByLabel('Expires').selectOption('1d');
  await form.getByLabel('Use limit').selectOption('single');
  await form.getByLabel('End idle sessions after (minutes)').fill('abc');
  await form.getByRole('button', { name: 'Save defaults' }).click();
  await expect(form.getByRole('alert')).toHaveText('The idle limit must be a whole number of minutes from 1 to 1440.');
  await form.getByLabel('End idle sessions after (minutes)').fill('20');
  await form.getByLabel('Clipboard').selectOption('off');
  await form.getByRole('checkbox', { name: 'Ask for an access code' }).check();
  await form.getByRole('button', { name: 'Save defaults' }).click();
  await expect(form.getByRole('status')).toHaveText('Saved. New links start with these rules.');

  await page.reload();
  await page.getByRole('link', { name: 'Shareable links' }).click();
  await page.getByRole('button', { name: '+ Add' }).click();
  const panel = page.getByRole('form', { name: 'Create shareable links' });
  await expect(panel.getByLabel('Expires')).toHaveValue('1d');
  await expect(panel.getByLabel('Use limit')).toHaveValue('single');
  await expect(panel.getByLabel('End idle sessions after (minutes)')).toHaveValue('20');
  await expect(panel.getByLabel('Clipboard')).toHaveValue('off');
  await expect(panel.getByLabel('Access code', { exact: true })).toHaveValue(/^[A-HJKMNP-Z2-9]{8}$/);
  await ok(pt.owner('PUT', '/api/settings', { linkDefaults: {} }));
});

// Last in this file: it locks this browser's address out of links with a code for the window.
test('after too many wrong codes from one address, the link page says the link is locked for it', async ({ page }) => {
  const r = await addResource(pt, 'locked-box', { ssh: [sshd.port] });
  const [link] = await ok<Link[]>(pt.owner('POST', '/api/links', { resourceIds: [r.id], accessCode: 'GREAT234' }));
  // Wrong guesses from this machine's address (the browser's too) until the proxy locks it out.
  let status = 0;
  for (let i = 0; i < 5 && status !== 423; i++) {
    status = (await fetch(`${pt.url}/api/link-info`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: link.token, accessCode: 'WRONG2AA' }),
    })).status;
  }
  expect(status).toBe(423);
  // The page then says so before asking for any code.
  await page.goto(`${pt.url}/#/l/${link.token}`);
  await expect(page.getByRole('heading', { name: 'This link is locked for a while' })).toBeVisible();
  await expect(page.getByText(/^Too many wrong access codes came from your address, so links with a code refuse it for 15 more minutes\.$/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Try again' })).toBeVisible();
});
