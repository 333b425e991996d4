// Helpers for the key-vault browser tests: driving #/keys, reading this origin's IndexedDB raw (to prove a
// failed action changed nothing), and saving downloads where ssh-keygen can read them.
import { expect, type Download, type Locator, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';

/** The panel of one vault on #/keys (a region named by its heading). */
export function vaultPanel(page: Page, name: string): Locator {
  return page.getByRole('region', { name, exact: true });
}

/** One key's card inside a vault panel. */
export function keyCard(panel: Locator, name: string): Locator {
  return panel.getByRole('article', { name, exact: true });
}

export async function createVault(page: Page, name: string, passphrase: string): Promise<Locator> {
  await page.getByLabel('Vault name').fill(name);
  await page.getByLabel('New vault passphrase').fill(passphrase);
  await page.getByLabel('Repeat the passphrase').fill(passphrase);
  await page.getByRole('button', { name: 'Create vault' }).click();
  await expect(page.getByText(`The vault "${name}" is ready and unlocked.`)).toBeVisible();
  const panel = vaultPanel(page, name);
  await expect(panel.getByText('Unlocked', { exact: true })).toBeVisible();
  return panel;
}

export async function generateKey(panel: Locator, name: string, type = 'Ed25519 (recommended)', comment = ''): Promise<Locator> {
  await panel.getByRole('radio', { name: type }).check();
  await panel.getByLabel('Name for the new key').fill(name);
  await panel.getByLabel('Comment (optional, shown in authorized_keys)').fill(comment);
  await panel.getByRole('button', { name: 'Generate key' }).click();
  const card = keyCard(panel, name);
  await expect(card).toBeVisible({ timeout: 30_000 });
  return card;
}

export async function importPastedKey(panel: Locator, name: string, keyText: string, passphrase = ''): Promise<void> {
  await panel.getByRole('radio', { name: 'Paste it' }).check();
  await panel.getByLabel('Private key to import').fill(keyText);
  await panel.getByLabel('Name for the imported key').fill(name);
  await panel.getByLabel('Passphrase of the key file (if it has one)').fill(passphrase);
  await panel.getByRole('button', { name: 'Import key' }).click();
}

/** The public key line a key card shows. */
export function publicKeyOf(card: Locator): Promise<string> {
  return card.getByLabel('Public key (authorized_keys line)').inputValue();
}

/** Saves a download into `dir` with owner-only permissions (ssh-keygen refuses readable private keys). */
export async function saveDownload(download: Download, dir: string): Promise<string> {
  const path = join(dir, download.suggestedFilename());
  await download.saveAs(path);
  chmodSync(path, 0o600);
  return path;
}

/** What OpenSSH itself derives from a private key file: `ssh-keygen -y -P <passphrase> -f <file>`. */
export function sshKeygenPublic(path: string, passphrase: string): string {
  return execFileSync('ssh-keygen', ['-y', '-P', passphrase, '-f', path], { encoding: 'utf8' }).trim();
}

/**
 * Every record of the vault stores, as hex, read straight from IndexedDB in the page. Comparing two dumps
 * shows whether anything at all changed.
 */
export function dumpVaultStores(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((ok, fail) => {
      const r = indexedDB.open('postern');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    const all = (store: string) =>
      new Promise<unknown[]>((ok, fail) => {
        const r = db.transaction(store).objectStore(store).getAll();
        r.onsuccess = () => ok(r.result);
        r.onerror = () => fail(r.error);
      });
    const hex = (v: unknown): unknown =>
      v instanceof Uint8Array ? Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('') : v;
    const rows = [...(await all('vaults')), ...(await all('vaultSecrets'))].map((r) =>
      Object.fromEntries(Object.entries(r as object).map(([k, v]) => [k, hex(v)])),
    );
    db.close();
    return JSON.stringify(rows);
  });
}
