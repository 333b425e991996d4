// The link page as a visitor meets it: every control labelled, choices limited to what the resource allows,
// mistakes explained beside the control, and nothing typed lost when something fails.
import { expect, test } from '@playwright/test';
import { addResource, createLinks, setFeature, startPostern, type Postern } from './postern';

let pt: Postern;
let url = '';
test.beforeAll(async () => {
  pt = await startPostern();
  await setFeature(pt, true);
  const r = await addResource(pt, 'visitor-box', { ssh: [2222, 22], rdp: [3389] });
  url = `${pt.url}/#/l/${(await createLinks(pt, [r.id]))[0].token}`;
});
test.afterAll(async () => {
  await pt?.stop();
});

test('the form offers what the resource allows and explains what is missing', async ({ page }) => {
  await page.goto(url);
  await expect(page.getByRole('heading', { name: 'Sign in to visitor-box' })).toBeVisible();
  await expect(page).toHaveTitle('visitor-box · Postern');

  // Ports in the admin's order; the first is the default.
  const port = page.getByLabel('Port');
  await expect(port).toHaveValue('2222');
  await expect(port.getByRole('option')).toHaveText(['2222', '22']);

  await page.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByText('Enter the username to sign in as.')).toBeVisible();
  await expect(page.getByText('Enter the password.')).toBeVisible();
  await expect(page.getByLabel('Username')).toHaveAttribute('aria-invalid', 'true');

  await page.getByRole('radio', { name: 'A pasted private key' }).check();
  await page.getByLabel('Username').fill('alice');
  await page.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByText('Paste your SSH private key.')).toBeVisible();
  await expect(page.getByLabel('SSH private key', { exact: true })).toBeVisible();
  await expect(page.getByLabel('Key passphrase (if the key has one)')).toBeVisible();

  await page.getByRole('radio', { name: 'A private key file' }).check();
  // A file far too big to be a key is said beside the field, and Connect says it again (not "choose a file").
  await page.getByLabel('SSH private key file').setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(5 << 20) });
  const tooLarge = '"photo.jpg" is 5120 KB, too large to be an SSH private key.';
  await expect(page.getByText(tooLarge)).toBeVisible();
  await page.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByText(tooLarge)).toBeVisible();
  await expect(page.getByText('Choose the file that holds your SSH private key.')).toHaveCount(0);
  await page.getByLabel('SSH private key file').setInputFiles({
    name: 'id_ed25519',
    mimeType: 'text/plain',
    buffer: Buffer.from('-----BEGIN OPENSSH PRIVATE KEY-----\nnot really\n-----END OPENSSH PRIVATE KEY-----\n'),
  });
  await expect(page.getByText('Using id_ed25519. The key stays in this browser.')).toBeVisible();

  // RDP: its own port list, and a password only.
  await page.getByRole('radio', { name: 'RDP', exact: true }).check();
  await expect(port).toHaveValue('3389');
  await expect(page.getByRole('radio', { name: 'A password' })).toHaveCount(0);
  await expect(page.getByLabel('Password', { exact: true })).toBeVisible();
  await expect(page.getByLabel('Username')).toHaveValue('alice');
});

test('Connect asks the injected protocol backend and keeps the form when it fails', async ({ page }) => {
  // visitor-box points at 127.0.0.1:2222, where nothing listens: the SSH client explains, the form stays.
  await page.goto(url);
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password', { exact: true }).fill('secret');
  await page.getByRole('switch', { name: 'Share clipboard (text and images)' }).check();
  await page.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByRole('alert')).toContainText('"visitor-box" port 2222');
  await expect(page.getByLabel('Username')).toHaveValue('alice');
  await expect(page.getByLabel('Password', { exact: true })).toHaveValue('secret');
  await expect(page.getByRole('switch', { name: 'Share clipboard (text and images)' })).toBeChecked();
  await expect(page.getByRole('button', { name: 'Connect' })).toBeEnabled();
});

test('a link that does not exist explains itself instead of showing a form', async ({ page }) => {
  await page.goto(`${pt.url}/#/l/${'A'.repeat(43)}`);
  await expect(page.getByRole('heading', { name: 'This link does not exist' })).toBeVisible();
  await expect(page.getByText('Ask the person who shared it with you for a new link.')).toBeVisible();
  await expect(page.getByLabel('Username')).toHaveCount(0);
});

test('the page holds no inline script and the proxy sends a strict policy', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  const res = await page.goto(url);
  expect(res?.headers()['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval'");
  await expect(page.getByRole('heading', { name: 'Sign in to visitor-box' })).toBeVisible();
  expect(await page.locator('script:not([src])').count()).toBe(0);
  expect(violations).toEqual([]);
});

test('the link page loads at most 150 KB of gzipped JavaScript before a protocol is chosen', async ({ page }) => {
  const scripts: Promise<Buffer>[] = [];
  page.on('response', (r) => {
    if (r.request().resourceType() === 'script') scripts.push(r.body());
  });
  await page.goto(url);
  await expect(page.getByRole('heading', { name: 'Sign in to visitor-box' })).toBeVisible();
  const { gzipSync } = await import('node:zlib');
  const bodies = await Promise.all(scripts);
  const gz = bodies.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0);
  console.log(`link page: ${bodies.length} scripts, ${(gz / 1024).toFixed(1)} KB gzipped`);
  expect(gz).toBeLessThanOrEqual(150 * 1024);
});
