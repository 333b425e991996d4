// The accessibility audit of the link page's RDP states (see accessibility.spec.ts): the desktop being
// reached and the live desktop with its toolbar, at 1280×800 and 390×844, against a real xrdp.
import { expect, test } from '@playwright/test';
import { expectAccessible } from './axe-audit';
import { openDesktop, xrdpLinkStage } from './rdp-stage';

const stage = xrdpLinkStage('rdp-box');

for (const size of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
  test(`at ${size.width}×${size.height}: the RDP desktop and its toolbar`, async ({ page }) => {
    await page.setViewportSize(size);
    await openDesktop(page, stage);
    await expect(page.getByRole('toolbar', { name: 'Desktop controls' })).toBeVisible();
    await expectAccessible(page, `link RDP desktop ${size.width}×${size.height}`);
    await page.getByRole('button', { name: 'Disconnect', exact: true }).click();
    await expect(page.getByRole('button', { name: 'Connect' })).toBeVisible();
    await expectAccessible(page, `link RDP after disconnect ${size.width}×${size.height}`);
  });
}
