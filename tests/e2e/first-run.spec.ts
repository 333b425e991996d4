// The first run, as an admin lives it: sign in with the URL the proxy printed, register a machine,
// switch shareable links on, create a link, copy it, and open it in a browser that never saw Postern.
import { expect, test } from '@playwright/test';
import { row, startPostern, type Postern } from './postern';

let pt: Postern;
test.beforeAll(async () => {
  pt = await startPostern({ ownerSession: false });
});
test.afterAll(async () => {
  await pt?.stop();
});

test('first owner signs in, registers a resource, enables links, creates, copies and opens one', async ({ page, browser }) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: pt.url });

  await test.step('sign in with the printed one-time URL', async () => {
    expect(pt.proxy.ownerSigninUrl).toContain(`${pt.url}/#/signin/`);
    await page.goto(pt.proxy.ownerSigninUrl);
    await expect(page.getByText('Signed in as owner (owner)')).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Resources' })).toBeVisible();
    // The one-time token does not stay in the address bar.
    expect(page.url()).not.toContain('/signin/');
  });

  await test.step('register a resource', async () => {
    await page.getByRole('button', { name: '+ Add resource' }).click();
    const form = page.getByRole('form', { name: 'Add a resource' });
    await form.getByLabel('Name', { exact: true }).fill('build-box');
    await form.getByLabel('Address (host name or IP)').fill('127.0.0.1');
    await expect(form.getByLabel('SSH ports')).toHaveValue('22');
    await expect(form.getByLabel('RDP ports')).toHaveValue('3389');
    await form.getByLabel('SSH ports').fill('22, 2222');
    await form.getByRole('button', { name: 'Add resource' }).click();
    await expect(form).toBeHidden();
    await expect(row(page, 'build-box')).toContainText('SSH 22, 2222');
    await expect(row(page, 'build-box')).toContainText('RDP 3389');
  });

  await test.step('edit it: the form starts from its values', async () => {
    await page.getByRole('button', { name: 'Edit build-box' }).click();
    const form = page.getByRole('form', { name: 'Edit build-box' });
    await expect(form.getByLabel('SSH ports')).toHaveValue('22, 2222');
    await form.getByLabel('RDP', { exact: true }).uncheck();
    await form.getByRole('button', { name: 'Save changes' }).click();
    await expect(form).toBeHidden();
    await expect(row(page, 'build-box')).not.toContainText('RDP');
    await page.getByRole('button', { name: 'Edit build-box' }).click();
    await form.getByLabel('RDP', { exact: true }).check();
    await form.getByRole('button', { name: 'Save changes' }).click();
    await expect(form).toBeHidden();
    await expect(row(page, 'build-box')).toContainText('RDP 3389');
    // Focus goes back to the row's Edit button, not to the page's body.
    await expect(page.getByRole('button', { name: 'Edit build-box' })).toBeFocused();
  });

  await test.step('a bad port is explained beside its field, and the draft is kept', async () => {
    await page.getByRole('button', { name: '+ Add resource' }).click();
    const form = page.getByRole('form', { name: 'Add a resource' });
    await form.getByLabel('Name', { exact: true }).fill('second-box');
    await form.getByLabel('Address (host name or IP)').fill('10.0.0.9');
    await form.getByLabel('RDP ports').fill('3389, 99999');
    await form.getByRole('button', { name: 'Add resource' }).click();
    await expect(form.getByRole('alert')).toHaveText('RDP ports: "99999" is not a port number (1–65535).');
    await expect(form.getByLabel('Name', { exact: true })).toHaveValue('second-box');
    await form.getByRole('button', { name: 'Cancel' }).click();
  });

  await test.step('links cannot be created until the feature is on', async () => {
    await page.getByRole('link', { name: 'Shareable links' }).click();
    const add = page.getByRole('button', { name: '+ Add' });
    await expect(add).toBeDisabled();
    await expect(page.getByText('Shareable links are turned off. Turn them on in Settings to create links.')).toBeVisible();
  });

  await test.step('enable the feature in Settings', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    const sw = page.getByRole('switch', { name: 'Shareable links' });
    await expect(sw).not.toBeChecked();
    await sw.check();
    await expect(sw).toBeChecked();
    await expect(page.getByText('On: links can be created and used.')).toBeVisible();
  });

  await test.step('create a link for the selected resource', async () => {
    await page.getByRole('link', { name: 'Shareable links' }).click();
    await page.getByRole('button', { name: '+ Add' }).click();
    const panel = page.getByRole('form', { name: 'Create shareable links' });
    await panel.getByRole('checkbox', { name: 'build-box' }).check();
    await panel.getByRole('button', { name: 'Apply' }).click();
    await expect(panel).toBeHidden();
    const link = row(page, 'build-box');
    await expect(link).toContainText('Active');
    await expect(link).toContainText('owner');
  });

  let copied = '';
  await test.step('copy the link', async () => {
    await page.getByRole('button', { name: 'Copy link to build-box' }).click();
    await expect(page.getByText('Copied')).toBeVisible();
    copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toMatch(new RegExp(`^${pt.url.replace(/[.]/g, '\\.')}/#/l/[A-Za-z0-9_-]{22,}$`));
  });

  await test.step('open it in a fresh browser context: the sign-in page names the machine', async () => {
    const visitor = await browser.newContext();
    try {
      const vp = await visitor.newPage();
      await vp.goto(copied);
      await expect(vp.getByRole('heading', { name: 'Sign in to build-box' })).toBeVisible();
      const toggle = vp.getByRole('switch', { name: 'Share clipboard (text and images)' });
      await expect(toggle).toBeVisible();
      const box = await toggle.boundingBox();
      expect(box && box.x < 80 && box.y < 80, 'the clipboard toggle sits in the top-left corner').toBe(true);
      await expect(vp.getByRole('radio', { name: 'SSH', exact: true })).toBeChecked();
      await expect(vp.getByRole('radio', { name: 'RDP', exact: true })).not.toBeChecked();
      await expect(vp.getByLabel('Port')).toHaveValue('22');
      await expect(vp.getByLabel('Username')).toBeVisible();
      await expect(vp.getByLabel('Password', { exact: true })).toBeVisible();
      await expect(vp.getByRole('button', { name: 'Connect' })).toBeEnabled();
    } finally {
      await visitor.close();
    }
  });
});
