// The encrypted key vault, key generation and the known-hosts page, in real Chromium against the real
// proxy; keys are made by ssh-keygen at test time and downloads are checked by ssh-keygen; the last tests
// sign in to a real OpenSSH sshd with a key taken from a vault.
import { expect, test } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sshd } from '../support/sshd';
import { addResource, createLinks, setFeature, signInAs, startPostern, type Postern } from './postern';
import { makeExtraKeys, PROMPT, runInTerminal, startSshdWithKeys, waitForTerminal, type ExtraKeys } from './sshd-fixture';
import {
  createVault,
  dumpVaultStores,
  generateKey,
  importPastedKey,
  keyCard,
  publicKeyOf,
  saveDownload,
  sshKeygenPublic,
  vaultPanel,
} from './vault-helpers';

const VAULT_PASS = 'vault passphrase for e2e';
let pt: Postern;
let sshd: Sshd;
let keys: ExtraKeys;
let dir: string;
let pinnedToken = '';
let tofuToken = '';

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'postern-e2e-vault-'));
  keys = makeExtraKeys();
  sshd = await startSshdWithKeys(keys);
  pt = await startPostern();
  await setFeature(pt, true);
  const pinned = await addResource(pt, 'vault-box', { ssh: [sshd.port] });
  await pt.owner('PUT', `/api/resources/${pinned.id}`, {
    name: 'vault-box', address: '127.0.0.1', ports: { ssh: [sshd.port] }, sshHostKeyFingerprint: sshd.hostFingerprints.ed25519,
  });
  const tofu = await addResource(pt, 'tofu-vault-box', { ssh: [sshd.port] });
  [{ token: pinnedToken }] = await createLinks(pt, [pinned.id]);
  [{ token: tofuToken }] = await createLinks(pt, [tofu.id]);
});

test.afterAll(async () => {
  await pt?.stop();
  await sshd?.stop();
  keys?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the vault and known-hosts pages are reachable from the home page', async ({ page }) => {
  await page.goto(`${pt.url}/#/`);
  await page.getByRole('link', { name: 'Key vaults' }).click();
  await expect(page.getByRole('heading', { name: 'Key vaults', level: 1 })).toBeVisible();
  await page.getByRole('navigation', { name: 'This browser' }).getByRole('link', { name: 'Known hosts' }).click();
  await expect(page.getByRole('heading', { name: 'Known hosts', level: 1 })).toBeVisible();
  await expect(page).toHaveURL(/#\/known-hosts$/);
});

test('the console top bar links to key vaults and known hosts', async ({ page }) => {
  await signInAs(page, pt, 'reader');
  const nav = page.getByRole('navigation', { name: 'Console' });
  await nav.getByRole('link', { name: 'Key vaults' }).click();
  await expect(page.getByRole('heading', { name: 'Key vaults', level: 1 })).toBeVisible();
  await page.goBack();
  await nav.getByRole('link', { name: 'Known hosts' }).click();
  await expect(page.getByRole('heading', { name: 'Known hosts', level: 1 })).toBeVisible();
});

test('create a vault; import an encrypted key; generate, copy, export, rename and delete keys', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto(`${pt.url}/#/keys`);
  await expect(page.getByText('This browser has no key vaults yet.')).toBeVisible();

  // A mismatched repeat is refused beside the form and nothing typed is lost.
  await page.getByLabel('Vault name').fill('Work');
  await page.getByLabel('New vault passphrase').fill(VAULT_PASS);
  await page.getByLabel('Repeat the passphrase').fill(VAULT_PASS + 'x');
  await page.getByRole('button', { name: 'Create vault' }).click();
  await expect(page.getByRole('alert')).toHaveText('The two passphrases are different. Type the same one twice.');
  await expect(page.getByLabel('Vault name')).toHaveValue('Work');
  const panel = await createVault(page, 'Work', VAULT_PASS);

  // Import the ssh-keygen'd encrypted ed25519 key: first without its passphrase, then with it.
  await importPastedKey(panel, 'laptop', keys.ed25519Encrypted);
  await expect(panel.getByRole('alert')).toContainText('passphrase');
  await expect(panel.getByLabel('Private key to import')).toHaveValue(keys.ed25519Encrypted);
  await panel.getByLabel('Passphrase of the key file (if it has one)').fill(keys.passphrase);
  await panel.getByRole('button', { name: 'Import key' }).click();
  const laptop = keyCard(panel, 'laptop');
  await expect(laptop).toBeVisible();
  const laptopPub = readFileSync(join(keys.dir, 'id_ed25519_enc.pub'), 'utf8').trim();
  expect(await publicKeyOf(laptop)).toBe(laptopPub);

  // Generate an ECDSA key and copy its public key.
  const generated = await generateKey(panel, 'generated', 'ECDSA P-256', 'gen@e2e');
  const pub = await publicKeyOf(generated);
  expect(pub).toMatch(/^ecdsa-sha2-nistp256 AAAA[\w+/=]+ gen@e2e$/);
  await generated.getByRole('button', { name: 'Copy public key' }).click();
  await expect(generated.getByText('Copied')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(pub);

  // Export it with a passphrase; OpenSSH reads the downloaded file with that passphrase.
  await generated.getByRole('button', { name: 'Export…' }).click();
  await generated.getByLabel('Passphrase for the exported file (optional)').fill('export pass');
  const [download] = await Promise.all([page.waitForEvent('download'), generated.getByRole('button', { name: 'Download key file' }).click()]);
  const exported = await saveDownload(download, dir);
  expect(readFileSync(exported, 'utf8')).toContain('-----BEGIN OPENSSH PRIVATE KEY-----');
  expect(sshKeygenPublic(exported, 'export pass')).toBe(pub);

  // Rename: a taken name is refused in a sentence and the typed name stays; a free one re-seals.
  await generated.getByRole('button', { name: 'Rename…' }).click();
  await generated.getByLabel('New name').fill('laptop');
  await generated.getByRole('button', { name: 'Save name' }).click();
  await expect(generated.getByRole('alert')).toHaveText('This vault already has a key named "laptop". Choose another name.');
  await expect(generated.getByLabel('New name')).toHaveValue('laptop');
  await generated.getByLabel('New name').fill('deploy');
  await generated.getByRole('button', { name: 'Save name' }).click();
  const deploy = keyCard(panel, 'deploy');
  await expect(deploy).toBeVisible();
  await expect(keyCard(panel, 'generated')).toHaveCount(0);
  expect(await publicKeyOf(deploy)).toBe(pub);

  // Delete asks first.
  await deploy.getByRole('button', { name: 'Delete…' }).click();
  await expect(deploy.getByRole('group')).toContainText('Delete the key "deploy" from this vault? This cannot be undone.');
  await deploy.getByRole('button', { name: 'Delete the key' }).click();
  await expect(keyCard(panel, 'deploy')).toHaveCount(0);

  // Every control on the page has a name (its visible label): no unnamed textbox, button, radio or list box.
  await laptop.getByRole('button', { name: 'Export…' }).click();
  const snapshot = await page.locator('main').ariaSnapshot();
  expect(snapshot).toContain('textbox "Passphrase for the exported file (optional)"');
  expect(snapshot).not.toMatch(/- (textbox|button|combobox|radio|checkbox|spinbutton)(\s*\[[^\]]*\])?\s*(:.*)?$/m);

  // After a reload the vault is locked and lists its keys' names only.
  await page.reload();
  const again = vaultPanel(page, 'Work');
  await expect(again.getByText('Locked', { exact: true })).toBeVisible();
  await expect(again.getByRole('list', { name: 'Keys in Work' })).toHaveText('laptop');
  await expect(again.getByRole('article')).toHaveCount(0);
});

test('a wrong vault passphrase says so and changes nothing; lock, unlock and auto-lock', async ({ page }) => {
  await page.clock.install();
  await page.goto(`${pt.url}/#/keys`);
  const panel = await createVault(page, 'Locks', VAULT_PASS);
  await generateKey(panel, 'k1');
  await panel.getByRole('button', { name: 'Lock now' }).click();
  await expect(panel.getByText('Locked', { exact: true })).toBeVisible();

  const before = await dumpVaultStores(page);
  await panel.getByLabel('Vault passphrase').fill('not the passphrase');
  await panel.getByRole('button', { name: 'Unlock' }).click();
  await expect(panel.getByRole('alert')).toHaveText('The passphrase is wrong.');
  await expect(panel.getByLabel('Vault passphrase')).toHaveValue('not the passphrase');
  await expect(panel.getByText('Locked', { exact: true })).toBeVisible();
  expect(await dumpVaultStores(page)).toBe(before);

  await panel.getByLabel('Vault passphrase').fill(VAULT_PASS);
  await panel.getByRole('button', { name: 'Unlock' }).click();
  await expect(keyCard(panel, 'k1')).toBeVisible();

  // Auto-lock after the configured idle time (time is moved by Playwright's clock, not waited for).
  await panel.getByLabel('Lock after this many idle minutes').fill('1');
  await panel.getByRole('button', { name: 'Save auto-lock' }).click();
  await expect(panel.getByText('This vault now locks after 1 minute without use.')).toBeVisible();
  await page.clock.runFor(30_000);
  await expect(panel.getByText('Unlocked', { exact: true })).toBeVisible();
  await page.clock.runFor(31_000);
  await expect(panel.getByText('Locked', { exact: true })).toBeVisible();
  await expect(keyCard(panel, 'k1')).toHaveCount(0);

  // A locked vault can still be deleted (a forgotten passphrase must not leave it stuck), after asking.
  await panel.getByRole('button', { name: 'Delete vault…' }).click();
  await expect(panel.getByRole('group')).toContainText('Delete the vault "Locks" and its 1 key from this browser? This cannot be undone');
  await panel.getByRole('button', { name: 'Delete the vault' }).click();
  await expect(page.getByText('This browser has no key vaults yet.')).toBeVisible();
  expect(await dumpVaultStores(page)).toBe('[]');
});

test('a vault exported to a file opens in another browser profile with the same passphrase', async ({ page, browser }) => {
  await page.goto(`${pt.url}/#/keys`);
  const panel = await createVault(page, 'Travel', VAULT_PASS);
  const pub = await publicKeyOf(await generateKey(panel, 'travel-key', 'Ed25519 (recommended)', 'travel@e2e'));
  const [download] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'Export vault' }).click()]);
  const file = await saveDownload(download, dir);
  const text = readFileSync(file, 'utf8');
  expect(JSON.parse(text)).toMatchObject({ format: 'postern-vault', version: 1, name: 'Travel' });
  expect(text).not.toContain('travel@e2e'); // the comment lives inside the sealed key only

  const other = await browser.newContext();
  try {
    const page2 = await other.newPage();
    await page2.goto(`${pt.url}/#/keys`);
    await expect(page2.getByText('This browser has no key vaults yet.')).toBeVisible();

    // A damaged copy is refused at the door.
    const damaged = JSON.parse(text);
    damaged.header = damaged.header.slice(0, 20) + (damaged.header[20] === 'A' ? 'B' : 'A') + damaged.header.slice(21);
    writeFileSync(join(dir, 'damaged.json'), JSON.stringify(damaged));
    await page2.getByLabel('Vault file (from "Export vault")').setInputFiles(join(dir, 'damaged.json'));
    await expect(page2.getByRole('alert')).toHaveText("This vault's data has been altered or damaged; nothing was decrypted.");

    await page2.getByLabel('Vault file (from "Export vault")').setInputFiles(file);
    await expect(page2.getByText('Imported the vault "Travel". Unlock it with the passphrase it was created with.')).toBeVisible();
    const imported = vaultPanel(page2, 'Travel');
    await expect(imported.getByText('Locked', { exact: true })).toBeVisible();
    await expect(imported.getByRole('list', { name: 'Keys in Travel' })).toHaveText('travel-key');
    await imported.getByLabel('Vault passphrase').fill(VAULT_PASS);
    await imported.getByRole('button', { name: 'Unlock' }).click();
    expect(await publicKeyOf(keyCard(imported, 'travel-key'))).toBe(pub);
  } finally {
    await other.close();
  }
});

test('sign in on a link page with "A private key from a vault" and run a command', async ({ page }) => {
  await page.goto(`${pt.url}/#/keys`);
  const panel = await createVault(page, 'SSH keys', VAULT_PASS);
  await importPastedKey(panel, 'e2e-ed25519', keys.ed25519Encrypted, keys.passphrase);
  await expect(keyCard(panel, 'e2e-ed25519')).toBeVisible();

  // A fresh page load: the vault is locked again, and the link page unlocks it.
  await page.goto(`${pt.url}/#/l/${pinnedToken}`);
  await page.reload();
  await page.getByLabel('Username').fill(sshd.fixture.user);
  await page.getByRole('radio', { name: 'A private key from a vault' }).check();
  await expect(page.getByLabel('Vault', { exact: true })).toHaveValue(/[0-9a-f]{32}/);
  await expect(page.getByLabel('Key from the vault')).toHaveValue('e2e-ed25519');
  await page.getByLabel('Vault passphrase').fill('wrong passphrase');
  await page.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByRole('alert')).toHaveText('The passphrase is wrong.');
  await expect(page.getByLabel('Username')).toHaveValue(sshd.fixture.user);

  await page.getByLabel('Vault passphrase').fill(VAULT_PASS);
  await page.getByRole('button', { name: 'Connect' }).click();
  await waitForTerminal(page, PROMPT);
  await runInTerminal(page, 'echo "vault-$((20+22))"');
  await waitForTerminal(page, /^vault-42$/m);
});

test('known hosts: a trusted host key is listed, and removing it makes the next connection ask again', async ({ page }) => {
  await page.goto(`${pt.url}/#/known-hosts`);
  await expect(page.getByText('This browser has not trusted any SSH host keys yet.')).toBeVisible();

  // Trust the key through a real connection.
  await page.goto(`${pt.url}/#/l/${tofuToken}`);
  await page.getByLabel('Username').fill(sshd.fixture.user);
  await page.getByLabel('Password', { exact: true }).fill(sshd.fixture.password);
  await page.getByRole('button', { name: 'Connect' }).click();
  const dialog = page.getByRole('dialog', { name: 'First connection to tofu-vault-box' });
  await dialog.getByRole('button', { name: 'Trust' }).click();
  await waitForTerminal(page, PROMPT);
  await page.getByRole('button', { name: 'Disconnect' }).click();

  await page.goto(`${pt.url}/#/known-hosts`);
  const row = page.getByRole('row').filter({ hasText: 'tofu-vault-box' });
  await expect(row).toContainText('ssh-ed25519');
  await expect(row).toContainText(sshd.hostFingerprints.ed25519);
  await expect(row).toContainText(String(sshd.port));
  await expect(row).toContainText('A shared link');
  await expect(row.getByRole('time')).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT/);

  // Replace explains itself, then forgets the key.
  await row.getByRole('button', { name: 'Replace…' }).click();
  const confirm = page.getByRole('group', { name: 'Confirm replacing' });
  await expect(confirm).toContainText('you will be shown the key the server presents and asked whether to trust it');
  await confirm.getByRole('button', { name: 'Forget it and ask on the next connection' }).click();
  await expect(page.getByRole('status')).toContainText('Forgot the old key of "tofu-vault-box"');
  await expect(page.getByRole('row').filter({ hasText: 'tofu-vault-box' })).toHaveCount(0);

  // The next connection asks again; trust it, then remove it from the list.
  await page.goto(`${pt.url}/#/l/${tofuToken}`);
  await page.getByLabel('Username').fill(sshd.fixture.user);
  await page.getByLabel('Password', { exact: true }).fill(sshd.fixture.password);
  await page.getByRole('button', { name: 'Connect' }).click();
  await dialog.getByRole('button', { name: 'Trust' }).click();
  await waitForTerminal(page, PROMPT);
  await page.getByRole('button', { name: 'Disconnect' }).click();
  await page.goto(`${pt.url}/#/known-hosts`);
  await page.getByRole('row').filter({ hasText: 'tofu-vault-box' }).getByRole('button', { name: 'Remove…' }).click();
  await page.getByRole('group', { name: 'Confirm removing' }).getByRole('button', { name: 'Remove the key' }).click();
  await expect(page.getByText('This browser has not trusted any SSH host keys yet.')).toBeVisible();
});

test('the known-hosts page lists an entry put in IndexedDB through the page, and removes it after asking', async ({ page }) => {
  await page.goto(`${pt.url}/#/known-hosts`);
  await expect(page.getByText('This browser has not trusted any SSH host keys yet.')).toBeVisible();
  await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((ok, fail) => {
      const r = indexedDB.open('postern');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    await new Promise<void>((ok, fail) => {
      const tx = db.transaction('knownHosts', 'readwrite');
      tx.objectStore('knownHosts').put({
        resourceKey: 'resource:r-42:2222', keyType: 'ecdsa-sha2-nistp256', fingerprint: 'SHA256:' + 'x'.repeat(43),
        firstSeen: '2024-05-06T07:08:09.000Z', resourceName: 'db-server', port: 2222,
      });
      tx.oncomplete = () => ok();
      tx.onerror = () => fail(tx.error);
    });
    db.close();
  });
  await page.reload();
  const row = page.getByRole('row').filter({ hasText: 'db-server' });
  await expect(row).toContainText('2222');
  await expect(row).toContainText('The console');
  await expect(row).toContainText('ecdsa-sha2-nistp256');
  await expect(row).toContainText('SHA256:' + 'x'.repeat(43));
  await expect(row.getByRole('time')).toHaveAttribute('datetime', '2024-05-06T07:08:09.000Z');
  await row.getByRole('button', { name: 'Remove…' }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: 'Remove…' }).click();
  await page.getByRole('button', { name: 'Remove the key' }).click();
  await expect(page.getByText('This browser has not trusted any SSH host keys yet.')).toBeVisible();
});
