// The offline demo in real Chromium: the built site on a plain static file server with
// { "proxy": null } and no proxy anywhere. As the owner, create a link for the built-in Demo
// machine in the console; as a reader, see why creating and deleting are off; open the link, sign
// in with demo/demo and run a command in the in-page SSH server. Then with the network gone after
// that first visit, reload (the service worker serves the app) and do it again. RDP explains itself.
// A new user's one-time sign-in link works in the same browser, once.
import { expect, test, type Page } from '@playwright/test';
import { E2E_DIST } from './postern';
import { controlled, fullyPrecached } from './service-worker';
import { fillAndConnect, runInTerminal, waitForTerminal } from './sshd-fixture';
import { demoTokens } from './demo-links';
import { startStaticSite, type StaticSite } from './static-site';

let site: StaticSite;
test.beforeAll(async () => {
  site = await startStaticSite(E2E_DIST, { proxy: null });
});
test.afterAll(async () => {
  await site?.dispose();
});

/** Opens a link, signs in as the demo user and runs a command; the output is the demo shell's. */
async function signInAndEcho(page: Page, token: string): Promise<void> {
  await page.goto(`${site.url}#/l/${token}`);
  await expect(page.getByRole('heading', { name: 'Sign in to Demo machine' })).toBeVisible();
  await expect(page.getByText('Sign in to the Demo machine as demo with the password demo.')).toBeVisible();
  await fillAndConnect(page, { username: 'demo', password: 'demo' });
  await waitForTerminal(page, /demo@postern-demo:~\$/); // typing before the shell is up would be lost
  await runInTerminal(page, 'echo hello-demo');
  // The command line echoed back, then its output on a line of its own.
  await waitForTerminal(page, /echo hello-demo\s*\n\s*hello-demo\s*\n/);
}

test('create a link as owner, see the reader\'s limits, open it and run a command; then again offline', async ({ page, context }) => {
  await page.goto(`${site.url}#/console/resources`);
  await expect(page.getByText('Demo', { exact: true })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'Demo machine' })).toBeVisible();

  await page.getByRole('link', { name: 'Shareable links' }).click();
  await page.getByRole('button', { name: '+ Add' }).click();
  const panel = page.getByRole('form', { name: 'Create shareable links' });
  await panel.getByRole('checkbox', { name: 'Demo machine' }).check();
  await panel.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('button', { name: 'Copy link to Demo machine' })).toBeVisible();

  // The reader may look, not change: the buttons are off and say why.
  await page.getByLabel('View the console as').selectOption('reader');
  await expect(page.getByRole('button', { name: '+ Add' })).toBeDisabled();
  await expect(page.getByText('Your role (reader) cannot create links.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Delete by token' })).toBeDisabled();
  await expect(page.getByText('Your role (reader) cannot delete links by token.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Users' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Copy link to Demo machine' })).toBeVisible(); // still listed

  const token = (await demoTokens(page))['Demo machine'];
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  await signInAndEcho(page, token);

  // Once the session is up the service worker stores the rest of the app (its second stage); when it
  // has, take the network away entirely and do it all again.
  await controlled(page);
  await fullyPrecached(page);
  await site.stop();
  await context.setOffline(true);
  await page.reload();
  await signInAndEcho(page, token);
  await context.setOffline(false);
  await site.start();
});

test('choosing RDP in the demo explains that it needs a proxy, and loads no WebAssembly', async ({ page }) => {
  const wasm: string[] = [];
  // IronRDP's WebAssembly is inlined in its own chunk (iron-remote-desktop-rdp-*.js).
  page.on('request', (r) => void (/\.wasm$|\/iron-remote-desktop-rdp-[\w-]+\.js$/.test(r.url()) && wasm.push(r.url())));
  await page.goto(`${site.url}#/console/resources`);
  await page.getByLabel('View the console as').selectOption('owner');
  await page.getByRole('link', { name: 'Connect to Office desktop' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to Office desktop' })).toBeVisible();
  const sentence = /RDP needs a Postern proxy: the proxy makes the connection to the desktop, and this demo runs without one\./;
  await expect(page.getByText(sentence)).toBeVisible();
  // Having said why, the form offers no Connect for it.
  await page.getByLabel('Username').fill('someone');
  await page.getByLabel('Password', { exact: true }).fill('secret');
  await expect(page.getByRole('button', { name: 'Connect' })).toBeDisabled();
  expect(wasm).toEqual([]);
});

test('a new user\'s one-time sign-in link works in the demo, once', async ({ page }) => {
  await page.goto(`${site.url}#/console/users`);
  await page.getByLabel('View the console as').selectOption('owner');
  await page.getByLabel('Name').fill('Nadia');
  await page.getByLabel('Role', { exact: true }).selectOption('reader');
  await page.getByRole('button', { name: 'Add user' }).click();
  const notice = page.getByRole('status').filter({ hasText: 'One-time sign-in link for Nadia' });
  const url = (await notice.locator('code').innerText()).trim();
  expect(url).toMatch(/#\/signin\/[A-Za-z0-9_-]{43}$/);

  // Opening it makes this browser Nadia (a reader): the console says who, and why she cannot add links.
  await page.goto(url);
  await expect(page.getByRole('heading', { name: 'Resources' })).toBeVisible();
  await expect(page.getByLabel('View the console as')).toHaveValue('reader');
  await page.getByRole('link', { name: 'Shareable links' }).click();
  await expect(page.getByText('Your role (reader) cannot create links.')).toBeVisible();
  await expect(page.getByText('(Nadia)')).toBeVisible();

  // A second use is refused with the proxy's sentence.
  await page.goto(url);
  await expect(page.getByRole('alert')).toHaveText('This sign-in link is not valid: it was already used, has expired, or is mistyped. Ask an owner for a new one.');
});

test("the demo ends a live session by the link's rules, as the proxy does: deleted in another tab, it ends with the sentence", async ({ page, context }) => {
  await page.goto(`${site.url}#/console/links`);
  await page.getByLabel('View the console as').selectOption('owner');
  await page.getByRole('button', { name: '+ Add' }).click();
  const panel = page.getByRole('form', { name: 'Create shareable links' });
  await panel.getByRole('checkbox', { name: 'Demo machine' }).check();
  await panel.getByLabel('End idle sessions after (minutes)').fill('30');
  await panel.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('button', { name: 'Copy link to Demo machine' }).first()).toBeVisible();
  const token = (await demoTokens(page))['Demo machine'];

  const visitor = await context.newPage();
  await signInAndEcho(visitor, token);
  await expect(visitor.getByRole('note')).toHaveText('A session with no typing or clicking for 30 minutes ends.');

  // The owner deletes the link by its token in the console tab.
  await page.getByRole('button', { name: 'Delete by token' }).click();
  await page.getByLabel('Links or tokens, one per line').fill(token);
  await page.getByRole('button', { name: 'Delete these links' }).click();
  await waitForTerminal(visitor, /This link does not exist\. It may have been deleted, or mistyped\./);
});
