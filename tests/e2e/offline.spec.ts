// Local first: when the proxy goes away the console keeps showing what it saved, says so, and disables changes.
import { expect, test } from '@playwright/test';
import { addResource, row, setFeature, signInAs, startPostern, createLinks, type Postern } from './postern';

let pt: Postern;
test.beforeAll(async () => {
  pt = await startPostern();
  await setFeature(pt, true);
  const r = await addResource(pt, 'cached-box');
  await createLinks(pt, [r.id]);
});
test.afterAll(async () => {
  await pt?.stop();
});

test('with the proxy gone, the console shows saved records read-only', async ({ page }) => {
  await signInAs(page, pt, 'owner');
  await expect(row(page, 'cached-box')).toBeVisible();
  await page.getByRole('link', { name: 'Shareable links' }).click();
  await expect(row(page, 'cached-box')).toContainText('Active');

  await pt.stop();
  await page.getByRole('link', { name: 'Resources' }).click();
  await expect(page.getByRole('alert').filter({ hasText: "Can't reach the Postern proxy — showing saved records, read-only" })).toBeVisible();
  await expect(row(page, 'cached-box')).toBeVisible();
  await expect(page.getByRole('button', { name: '+ Add resource' })).toBeDisabled();
  await expect(page.getByText("Changes are disabled while the Postern proxy can't be reached.").first()).toBeVisible();

  await page.getByRole('link', { name: 'Shareable links' }).click();
  await expect(row(page, 'cached-box')).toContainText('Active');
  await expect(page.getByRole('button', { name: '+ Add' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Delete by token' })).toBeDisabled();
});
