// The link limit (lowered to 3 here): past it the API's sentence is shown where the admin pressed Apply,
// nothing is half-created, and the selection is kept.
import { expect, test } from '@playwright/test';
import { addResource, row, setFeature, signInAs, startPostern, type Postern } from './postern';

const MAX = 3;
let pt: Postern;
test.beforeAll(async () => {
  pt = await startPostern({ env: { POSTERN_MAX_LINKS: String(MAX) } });
  await setFeature(pt, true);
  for (const n of ['lim-1', 'lim-2', 'lim-3', 'lim-4']) await addResource(pt, n);
});
test.afterAll(async () => {
  await pt?.stop();
});

test(`the link past the limit of ${MAX} is refused with a clear error, and nothing is half-created`, async ({ page }) => {
  await signInAs(page, pt, 'owner');
  await page.getByRole('link', { name: 'Shareable links' }).click();
  await page.getByRole('button', { name: '+ Add' }).click();
  const panel = page.getByRole('form', { name: 'Create shareable links' });
  const apply = panel.getByRole('button', { name: 'Apply' });

  // Four at once would pass the limit: none is created.
  await panel.getByRole('checkbox', { name: 'Select all' }).check();
  await apply.click();
  await expect(panel.getByRole('alert')).toContainText(`at most ${MAX} links`);
  await expect(panel.getByRole('checkbox', { name: 'lim-4' })).toBeChecked();
  await expect(page.getByText('No shareable links yet.')).toBeVisible();

  // Three fit.
  await panel.getByRole('checkbox', { name: 'lim-4' }).uncheck();
  await expect(panel.getByRole('checkbox', { name: 'Select all' })).not.toBeChecked();
  await apply.click();
  await expect(panel).toBeHidden();
  for (const n of ['lim-1', 'lim-2', 'lim-3']) await expect(row(page, n)).toContainText('Active');

  // The fourth does not.
  await page.getByRole('button', { name: '+ Add' }).click();
  await panel.getByRole('checkbox', { name: 'lim-4' }).check();
  await apply.click();
  await expect(panel.getByRole('alert')).toContainText(`at most ${MAX} links`);
  await expect(row(page, 'lim-4')).toHaveCount(0);
  await expect(page.getByRole('row')).toHaveCount(1 + MAX);
});
