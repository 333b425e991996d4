// Shareable links from the console: create for all, delete by resource and by token, a deleted resource's
// link, and the feature switched off. Each test arranges its records through the API and acts in the UI.
import { expect, test, type Browser } from '@playwright/test';
import { addResource, createLinks, row, setFeature, signInAs, startPostern, type Postern } from './postern';

let pt: Postern;
test.beforeAll(async () => {
  pt = await startPostern();
});
test.afterAll(async () => {
  await pt?.stop();
});
test.beforeEach(async () => {
  await setFeature(pt, true);
});

/** Opens a link as a visitor would: a new browser context that never saw Postern. */
async function visit(browser: Browser, url: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  return { page, close: () => context.close() };
}

const linkOf = (token: string) => `${pt.url}/#/l/${token}`;

test('create links for all resources, then delete by resource', async ({ page }) => {
  const names = ['all-alpha', 'all-beta', 'all-gamma'];
  for (const n of names) await addResource(pt, n);
  await signInAs(page, pt, 'owner');
  await page.getByRole('link', { name: 'Shareable links' }).click();

  await page.getByRole('button', { name: '+ Add' }).click();
  const panel = page.getByRole('form', { name: 'Create shareable links' });
  await panel.getByRole('checkbox', { name: 'Select all' }).check();
  for (const n of names) await expect(panel.getByRole('checkbox', { name: n })).toBeChecked();
  await panel.getByRole('button', { name: 'Apply' }).click();
  await expect(panel).toBeHidden();
  // Focus goes back to the button that opened the panel, not to the page's body.
  await expect(page.getByRole('button', { name: '+ Add' })).toBeFocused();
  for (const n of names) await expect(row(page, n)).toContainText('Active');

  const del = page.getByRole('button', { name: 'Delete', exact: true });
  await expect(del).toBeDisabled();
  await expect(page.getByText('Select links to delete them by resource.')).toBeVisible();
  await page.getByRole('checkbox', { name: 'Select link to all-alpha' }).check();
  await page.getByRole('checkbox', { name: 'Select link to all-beta' }).check();
  await del.click();
  await expect(page.getByText('Delete every link to all-alpha, all-beta?')).toBeVisible();
  await page.getByRole('button', { name: 'Delete links' }).click();
  await expect(page.getByText('Deleted 2 links.')).toBeVisible();
  await expect(row(page, 'all-alpha')).toHaveCount(0);
  await expect(row(page, 'all-beta')).toHaveCount(0);
  await expect(row(page, 'all-gamma')).toContainText('Active');

  // A reload shows the same: the proxy, not the page, is the source of truth.
  await page.reload();
  await expect(row(page, 'all-gamma')).toContainText('Active');
  await expect(row(page, 'all-alpha')).toHaveCount(0);
});

test('delete by token: full URLs or bare tokens, one per line; the link then explains it is gone', async ({ page, browser }) => {
  const a = await addResource(pt, 'tok-one');
  const b = await addResource(pt, 'tok-two');
  const [la, lb] = await createLinks(pt, [a.id, b.id]);
  await signInAs(page, pt, 'contributor');
  await page.getByRole('link', { name: 'Shareable links' }).click();
  await page.getByRole('button', { name: 'Delete by token' }).click();
  const panel = page.getByRole('form', { name: 'Delete links by token' });
  const box = panel.getByLabel('Links or tokens, one per line');

  await box.fill('this is not a token');
  await panel.getByRole('button', { name: 'Delete these links' }).click();
  await expect(panel.getByRole('alert')).toHaveText('"this is not a token" is not a link or a token.');
  await expect(box).toHaveValue('this is not a token');

  await box.fill(`${linkOf(la.token)}\n\n${lb.token}\n`);
  await panel.getByRole('button', { name: 'Delete these links' }).click();
  await expect(panel.getByText('Deleted 2 links.')).toBeVisible();
  await expect(row(page, 'tok-one')).toHaveCount(0);
  await expect(row(page, 'tok-two')).toHaveCount(0);

  const v = await visit(browser, linkOf(la.token));
  await expect(v.page.getByRole('heading', { name: 'This link does not exist' })).toBeVisible();
  await expect(v.page.getByRole('button', { name: 'Connect' })).toHaveCount(0);
  await v.close();
});

test('a link whose resource was deleted stays listed as "Resource deleted" and explains itself', async ({ page, browser }) => {
  const r = await addResource(pt, 'doomed-box');
  const [link] = await createLinks(pt, [r.id]);
  await signInAs(page, pt, 'owner');

  await page.getByRole('button', { name: 'Delete doomed-box' }).click();
  await page.getByRole('button', { name: 'Yes, delete doomed-box' }).click();
  await expect(page.getByRole('row', { name: /doomed-box/ })).toHaveCount(0);

  await page.getByRole('link', { name: 'Shareable links' }).click();
  await expect(row(page, 'doomed-box')).toContainText('Resource deleted');
  // A link that cannot connect is not offered for copying; a live one shows how its URL starts.
  await expect(row(page, 'doomed-box')).toContainText('No longer connects');
  await expect(page.getByRole('button', { name: 'Copy link to doomed-box' })).toHaveCount(0);
  const live = await addResource(pt, 'kept-box');
  const [kept] = await createLinks(pt, [live.id]);
  await page.reload();
  await expect(row(page, 'kept-box')).toContainText(`…/#/l/${kept.token.slice(0, 6)}…`);
  await expect(row(page, 'kept-box')).not.toContainText(kept.token);

  const v = await visit(browser, linkOf(link.token));
  await expect(v.page.getByRole('heading', { name: 'The machine behind this link was removed' })).toBeVisible();
  await expect(v.page.getByText(/has been deleted, so the link no longer connects\./)).toBeVisible();
  await expect(v.page.getByText(/no longer connect/)).toHaveCount(1);
  await v.close();

  // The admin may keep it for the audit trail, or delete it.
  await page.getByRole('checkbox', { name: 'Select link to doomed-box' }).check();
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await page.getByRole('button', { name: 'Delete links' }).click();
  await expect(page.getByText('Deleted 1 link.')).toBeVisible();
  await expect(row(page, 'doomed-box')).toHaveCount(0);
});

test('with the feature switched off, links cannot be created and an open link explains why', async ({ page, browser }) => {
  const r = await addResource(pt, 'switch-box');
  const [link] = await createLinks(pt, [r.id]);
  await signInAs(page, pt, 'owner');
  await page.getByRole('link', { name: 'Shareable links' }).click();

  const sw = page.getByRole('switch', { name: 'Shareable links' });
  await expect(sw).toBeChecked();
  await sw.uncheck();
  await expect(page.getByText('Off: links cannot be created, and existing links do not connect.')).toBeVisible();
  await expect(page.getByRole('button', { name: '+ Add' })).toBeDisabled();
  await expect(page.getByText('Shareable links are turned off. Turn them on in Settings to create links.')).toBeVisible();
  // Existing links stay listed.
  await expect(row(page, 'switch-box')).toBeVisible();

  const v = await visit(browser, linkOf(link.token));
  await expect(v.page.getByRole('heading', { name: 'Shareable links are turned off' })).toBeVisible();
  await expect(v.page.getByLabel('Username')).toHaveCount(0);

  await sw.check();
  await expect(page.getByRole('button', { name: '+ Add' })).toBeEnabled();
  await v.page.reload();
  await expect(v.page.getByRole('heading', { name: 'Sign in to switch-box' })).toBeVisible();
  await v.close();
});
