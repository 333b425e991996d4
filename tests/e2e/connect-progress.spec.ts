// Where the connection's progress list appears when the visitor presses Connect: on screen, every step,
// at 1280×800 and on a phone (390×844, where Connect sits below the fold and the page was scrolled to it).
// Two ways the list stays up: a machine that accepts the connection and says nothing (the client waits for
// its greeting), and a real OpenSSH sshd whose host key is not pinned (the connection waits at the host-key
// question). Real Chromium, the real proxy.
import { createServer, type Server, type Socket } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import type { Link } from '../../src/shared/api';
import { startSshd, type Sshd } from '../support/sshd';
import { addResource, ok, setFeature, startPostern, type Postern } from './postern';
import { fillAndConnect, PROMPT, waitForTerminal } from './sshd-fixture';

let sshd: Sshd;
let pt: Postern;
let silent: Server;
const held: Socket[] = [];
const tokens = { sshd: '', silent: '' };

async function linkTo(name: string, port: number): Promise<string> {
  const r = await addResource(pt, name, { ssh: [port] });
  const [link] = await ok<Link[]>(pt.owner('POST', '/api/links', { resourceIds: [r.id] }));
  return link.token;
}

test.beforeAll(async () => {
  sshd = await startSshd();
  silent = createServer((socket) => held.push(socket.on('error', () => undefined)));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  pt = await startPostern();
  await setFeature(pt, true);
  tokens.sshd = await linkTo('progress-box', sshd.port);
  tokens.silent = await linkTo('silent-box', (silent.address() as { port: number }).port);
});
test.afterAll(async () => {
  for (const s of held) s.destroy();
  silent?.close();
  await pt?.stop();
  await sshd?.stop();
});

/** Each step of the list with its box, in the window's coordinates. */
async function stepBoxes(page: Page) {
  const steps = page.getByRole('region', { name: 'Connection progress' }).getByRole('listitem');
  await expect(steps.first()).toBeVisible();
  const out: { text: string; top: number; bottom: number; left: number; right: number }[] = [];
  for (const step of await steps.all()) {
    const b = await step.boundingBox();
    if (!b) throw new Error(`step "${await step.innerText()}" has no box`);
    out.push({ text: (await step.innerText()).trim(), top: b.y, bottom: b.y + b.height, left: b.x, right: b.x + b.width });
  }
  return out;
}

function expectOnScreen(steps: Awaited<ReturnType<typeof stepBoxes>>, size: { width: number; height: number }) {
  expect(steps.length, 'the list shows the connection steps').toBeGreaterThanOrEqual(4);
  for (const s of steps) {
    expect.soft(s.top, `"${s.text}" starts below the window's top`).toBeGreaterThanOrEqual(0);
    expect.soft(s.bottom, `"${s.text}" ends above the window's bottom`).toBeLessThanOrEqual(size.height);
    expect.soft(s.left, `"${s.text}" starts inside the window's left edge`).toBeGreaterThanOrEqual(0);
    expect.soft(s.right, `"${s.text}" ends inside the window's right edge`).toBeLessThanOrEqual(size.width);
  }
}

for (const size of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
  test.describe(`at ${size.width}×${size.height}`, () => {
    test.use({ viewport: size });

    test('while the machine has not answered, every step is on screen and nothing covers it', async ({ page }) => {
      await page.goto(`${pt.url}/#/l/${tokens.silent}`);
      await fillAndConnect(page, { username: 'anyone', password: 'anything' });
      expectOnScreen(await stepBoxes(page), size);
      // The topmost element at each step's centre is that step (not the form it replaced, not the corner).
      const covered = await page.evaluate(() =>
        [...document.querySelectorAll('[aria-label="Connection progress"] li')].flatMap((li) => {
          const r = li.getBoundingClientRect();
          const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
          return top && li.contains(top) ? [] : [`"${li.textContent?.trim()}" is under ${top?.tagName ?? 'nothing'}.${top?.className ?? ''}`];
        }));
      expect(covered).toEqual([]);
    });

    test('at the host-key question of a real sshd the steps are on screen, and Trust goes on to the shell', async ({ page }) => {
      await page.goto(`${pt.url}/#/l/${tokens.sshd}`);
      await fillAndConnect(page, { username: sshd.fixture.user, password: sshd.fixture.password });
      const question = page.getByRole('dialog', { name: 'First connection to progress-box' });
      await expect(question).toBeVisible();
      expectOnScreen(await stepBoxes(page), size);
      await question.getByRole('button', { name: 'Trust' }).click();
      await waitForTerminal(page, PROMPT);
    });
  });
}
