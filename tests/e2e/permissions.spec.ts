// Roles: the console reflects them (controls disabled with a visible reason); the proxy enforces them (403).
import { expect, test } from '@playwright/test';
import { addResource, createLinks, row, setFeature, signInAs, startPostern, type Postern } from './postern';

let pt: Postern;
let resourceId = '';
let token = '';
test.beforeAll(async () => {
  pt = await startPostern();
  await setFeature(pt, true);
  resourceId = (await addResource(pt, 'shared-box')).id;
  token = (await createLinks(pt, [resourceId]))[0].token;
});
test.afterAll(async () => {
  await pt?.stop();
});

test('a reader can view and use links, but cannot create or delete them', async ({ page }) => {
  const reader = await signInAs(page, pt, 'reader');

  await test.step('the console disables what a reader may not do, and says why', async () => {
    await page.getByRole('link', { name: 'Shareable links' }).click();
    await expect(row(page, 'shared-box')).toContainText('Active');
    await expect(page.getByRole('button', { name: 'Copy link to shared-box' })).toBeEnabled();

    await expect(page.getByRole('button', { name: '+ Add' })).toBeDisabled();
    await expect(page.getByText('Your role (reader) cannot create links.')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Delete', exact: true })).toBeDisabled();
    await expect(page.getByText('Your role (reader) cannot delete links by resource.')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Delete by token' })).toBeDisabled();
    await expect(page.getByText('Your role (reader) cannot delete links by token.')).toBeVisible();
    await expect(page.getByRole('switch', { name: 'Shareable links' })).toBeDisabled();

    await page.getByRole('link', { name: 'Resources' }).click();
    await expect(page.getByRole('button', { name: '+ Add resource' })).toBeDisabled();
    await expect(page.getByText('Your role (reader) cannot manage resources.').first()).toBeVisible();
    await expect(page.getByRole('button', { name: 'Delete shared-box' })).toBeDisabled();
    // Using a resource is reading: Connect stays available.
    await page.getByRole('link', { name: 'Connect to shared-box' }).click();
    await expect(page.getByRole('heading', { name: 'Sign in to shared-box' })).toBeVisible();

    await page.getByRole('link', { name: 'Users' }).click();
    await expect(page.getByText('Your role (reader) cannot manage users.')).toBeVisible();
    await page.getByRole('link', { name: 'Audit' }).click();
    await expect(page.getByText('Your role (reader) cannot read the audit trail.')).toBeVisible();
  });

  await test.step('the proxy refuses the same actions with 403 when called directly', async () => {
    const create = await reader.api('POST', '/api/links', { resourceIds: [resourceId] });
    expect(create.status).toBe(403);
    expect(create.body.error.message).toMatch(/\w+/);
    expect((await reader.api('POST', '/api/links/delete-by-resource', { resourceIds: [resourceId] })).status).toBe(403);
    expect((await reader.api('POST', '/api/links/delete-by-token', { tokens: [token] })).status).toBe(403);
    expect((await reader.api('PUT', '/api/settings', { shareableLinks: false })).status).toBe(403);
    expect((await reader.api('POST', '/api/resources', { name: 'x', address: 'x', ports: { ssh: [22] } })).status).toBe(403);
    // …and nothing changed.
    const links = await reader.api('GET', '/api/links');
    expect(links.status).toBe(200);
    expect(links.body).toHaveLength(1);
  });
});

test('a contributor may create and delete links but not manage resources or users', async ({ page }) => {
  await signInAs(page, pt, 'contributor');
  await page.getByRole('link', { name: 'Shareable links' }).click();
  await expect(page.getByRole('button', { name: '+ Add' })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Delete by token' })).toBeEnabled();
  await expect(page.getByRole('switch', { name: 'Shareable links' })).toBeDisabled();
  await expect(page.getByText('Your role (contributor) cannot turn shareable links on or off.')).toBeVisible();

  await page.getByRole('button', { name: '+ Add' }).click();
  const panel = page.getByRole('form', { name: 'Create shareable links' });
  await panel.getByRole('checkbox', { name: 'shared-box' }).check();
  await panel.getByRole('button', { name: 'Apply' }).click();
  await expect(row(page, 'shared-box')).toHaveCount(2);

  await page.getByRole('link', { name: 'Resources' }).click();
  await expect(page.getByRole('button', { name: '+ Add resource' })).toBeDisabled();
  await expect(page.getByText('Your role (contributor) cannot manage resources.').first()).toBeVisible();
});

test('an owner adds a user and gets a one-time sign-in link that works once', async ({ page, browser }) => {
  await signInAs(page, pt, 'owner');
  await page.getByRole('link', { name: 'Users' }).click();
  const form = page.getByRole('form', { name: 'Add a user' });
  await form.getByLabel('Name').fill('Dana');
  await form.getByLabel('Role').selectOption('contributor');
  await form.getByRole('button', { name: 'Add user' }).click();
  const url = await page.getByText(/#\/signin\//).textContent();
  expect(url).toContain(`${pt.url}/#/signin/`);
  await expect(row(page, 'Dana')).toBeVisible();

  const ctx = await browser.newContext();
  const dana = await ctx.newPage();
  await dana.goto(url!.trim());
  await expect(dana.getByText('Signed in as Dana (contributor)')).toBeVisible();
  await dana.goto(url!.trim());
  await expect(dana.getByRole('heading', { name: 'Sign-in failed' })).toBeVisible();

  // The owner lowers Dana's role; Dana's console reflects it on the next sync.
  await page.getByLabel('Role of Dana').selectOption('reader');
  await expect(page.getByLabel('Role of Dana')).toHaveValue('reader');
  await page.reload();
  await expect(page.getByLabel('Role of Dana')).toHaveValue('reader');
  await dana.goto(`${pt.url}/#/console/links`);
  await expect(dana.getByText('Signed in as Dana (reader)')).toBeVisible();
  await expect(dana.getByRole('button', { name: '+ Add' })).toBeDisabled();

  // Signing out forgets the session in this browser.
  await dana.getByRole('button', { name: 'Sign out' }).click();
  await expect(dana.getByRole('heading', { name: 'You are not signed in' })).toBeVisible();
  await dana.reload();
  await expect(dana.getByRole('heading', { name: 'You are not signed in' })).toBeVisible();
  await ctx.close();
});
