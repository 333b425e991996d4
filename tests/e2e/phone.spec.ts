// Postern on a phone (390×844, touch): the link page, the terminal and every console page fit the width
// (the page never scrolls sideways; wide tables scroll inside their own box), toolbars wrap, and the
// terminal's columns fit the screen. Real Chromium, the real proxy, a real OpenSSH sshd.
import { expect, test, type Page } from '@playwright/test';
import { signInAs } from './postern';
import { sshLinkForFile } from './ssh-link';
import { fillAndConnect, PROMPT, waitForTerminal } from './sshd-fixture';

const stage = sshLinkForFile('a-machine-with-a-rather-long-name-for-a-phone');

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });

/** How far the page itself scrolls sideways (0 when everything fits), and the widest element that sticks out. */
function overflow(page: Page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    let widest = '';
    let right = width;
    for (const el of document.querySelectorAll<HTMLElement>('body *')) {
      // Inside a box that scrolls or clips on its own, sticking out is that box's business.
      let clipped = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        if (getComputedStyle(p).overflowX !== 'visible') clipped = true;
      }
      const r = el.getBoundingClientRect();
      if (!clipped && r.width > 0 && r.right > right + 0.5) {
        right = r.right;
        widest = `${el.tagName.toLowerCase()}.${el.className} (right edge ${Math.round(r.right)} px)`;
      }
    }
    return { scroll: document.documentElement.scrollWidth - width, widest };
  });
}

async function fits(page: Page, where: string) {
  const o = await overflow(page);
  expect(o, `${where}: the page scrolls sideways`).toEqual({ scroll: 0, widest: '' });
}

test('the link page and the terminal fit a phone, and the terminal\'s columns fit the screen', async ({ page }) => {
  await page.goto(`${stage.pt.url}/#/l/${stage.token}`);
  await expect(page.getByRole('heading', { name: /Sign in to/ })).toBeVisible();
  await fits(page, 'link page');

  await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
  await fits(page, 'terminal page');
  // Every toolbar control is on screen (wrapped, not pushed off the right edge).
  for (const control of [page.getByRole('searchbox', { name: 'Find in terminal' }), page.getByRole('button', { name: 'Full screen' }),
    page.getByRole('button', { name: 'Disconnect' }), page.getByRole('switch', { name: /Share clipboard/ })]) {
    const b = (await control.boundingBox())!;
    expect(b.x, `${control}`).toBeGreaterThanOrEqual(0);
    expect(b.x + b.width, `${control}`).toBeLessThanOrEqual(390);
  }
  // The terminal's rows end inside the screen, and the shell was told a width that fits it.
  const screen = (await page.locator('.xterm-screen').boundingBox())!;
  expect(screen.x + screen.width).toBeLessThanOrEqual(390);
  await page.keyboard.type('echo cols=$(tput cols)');
  await page.keyboard.press('Enter');
  const [, cols] = await waitForTerminal(page, /^cols=(\d+)$/m);
  expect(Number(cols)).toBeGreaterThanOrEqual(30);
  expect(Number(cols)).toBeLessThanOrEqual(Math.floor(390 / 7));
});

test('every console page fits a phone', async ({ page }) => {
  await signInAs(page, stage.pt, 'owner');
  for (const [section, heading] of [['resources', 'Resources'], ['links', 'Shareable links'], ['sessions', 'Live sessions'], ['users', 'Users'],
    ['audit', 'Audit'], ['settings', 'Settings']]) {
    await page.goto(`${stage.pt.url}/#/console/${section}`);
    await expect(page.getByRole('heading', { name: heading, exact: true }).first()).toBeVisible();
    await fits(page, `console ${section}`);
  }
});
