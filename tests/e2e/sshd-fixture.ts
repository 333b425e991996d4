// What the SSH browser tests (and bench/ssh.ts) stand on: a real OpenSSH sshd on loopback (tests/support/sshd.ts),
// extra user keys made by ssh-keygen at test time (an RSA key in PEM form, an encrypted ed25519 key), and
// helpers that drive the link page's form and read the xterm.js terminal.
import { expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshd, type Sshd, type SshdOptions } from '../support/sshd';

export interface ExtraKeys {
  dir: string;
  /** `ssh-keygen -m PEM -t rsa`: "-----BEGIN RSA PRIVATE KEY-----". */
  rsaPem: string;
  /** OpenSSH-format ed25519, encrypted (bcrypt-pbkdf + aes256-ctr) with `passphrase`. */
  ed25519Encrypted: string;
  passphrase: string;
  /** Their public halves, one per line, in a file sshd reads beside the user's own authorized_keys. */
  authorizedKeysFile: string;
  remove(): void;
}

/** Makes the extra key pairs in a fresh temp folder that the test user (not only root) can read. */
export function makeExtraKeys(): ExtraKeys {
  const dir = mkdtempSync(join(tmpdir(), 'postern-e2e-keys-'));
  chmodSync(dir, 0o755); // sshd reads authorized keys as the user
  const passphrase = `pass-${Math.random().toString(36).slice(2)}`;
  const keygen = (args: string[]) => execFileSync('ssh-keygen', ['-q', ...args]);
  keygen(['-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', '', '-C', 'e2e-rsa-pem', '-f', join(dir, 'id_rsa_pem')]);
  keygen(['-t', 'ed25519', '-N', passphrase, '-C', 'e2e-ed25519-enc', '-f', join(dir, 'id_ed25519_enc')]);
  const authorizedKeysFile = join(dir, 'authorized_keys');
  const pubs = ['id_rsa_pem.pub', 'id_ed25519_enc.pub'].map((f) => readFileSync(join(dir, f), 'utf8').trim());
  writeFileSync(authorizedKeysFile, pubs.join('\n') + '\n', { mode: 0o644 });
  return {
    dir,
    rsaPem: readFileSync(join(dir, 'id_rsa_pem'), 'utf8'),
    ed25519Encrypted: readFileSync(join(dir, 'id_ed25519_enc'), 'utf8'),
    passphrase,
    authorizedKeysFile,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * sshd_config lines that make sshd also accept the extra keys, without touching the shared test user's own
 * ~/.ssh/authorized_keys. startSshd puts these lines first, and sshd keeps the first value it reads for a
 * keyword; StrictModes is off because the file lives under /tmp, which is world-writable.
 */
export function extraKeysConfig(keys: ExtraKeys, more: string[] = []): string[] {
  return [...more, 'StrictModes no', `AuthorizedKeysFile .ssh/authorized_keys ${keys.authorizedKeysFile}`];
}

export async function startSshdWithKeys(keys: ExtraKeys, options: SshdOptions = {}): Promise<Sshd> {
  return startSshd({ extraConfig: extraKeysConfig(keys, options.extraConfig) });
}

// ---- driving the page ----

export type SignIn =
  | { username: string; password: string }
  | { username: string; keyText: string; passphrase?: string }
  | { username: string; keyFile: { name: string; text: string }; passphrase?: string };

/** Fills the link page's form and presses Connect. */
export async function fillAndConnect(page: Page, s: SignIn): Promise<void> {
  await page.getByLabel('Username').fill(s.username);
  if ('password' in s) {
    await page.getByRole('radio', { name: 'A password' }).check();
    await page.getByLabel('Password', { exact: true }).fill(s.password);
  } else if ('keyText' in s) {
    await page.getByRole('radio', { name: 'A pasted private key' }).check();
    await page.getByLabel('SSH private key', { exact: true }).fill(s.keyText);
  } else {
    await page.getByRole('radio', { name: 'A private key file' }).check();
    await page.getByLabel('SSH private key file').setInputFiles({
      name: s.keyFile.name,
      mimeType: 'application/octet-stream',
      buffer: Buffer.from(s.keyFile.text),
    });
    await expect(page.getByText(`Using ${s.keyFile.name}.`)).toBeVisible();
  }
  if (!('password' in s) && s.passphrase !== undefined) await page.getByLabel('Key passphrase (if the key has one)').fill(s.passphrase);
  await page.getByRole('button', { name: 'Connect' }).click();
}

/** What the terminal shows now (the visible rows of xterm.js's DOM renderer). */
export function terminalText(page: Page): Promise<string> {
  return page.locator('.xterm-rows').innerText();
}

/** Waits until the terminal shows text matching `pattern`, and returns the first match. */
export async function waitForTerminal(page: Page, pattern: RegExp): Promise<RegExpMatchArray> {
  let match: RegExpMatchArray | null = null;
  await expect
    .poll(async () => {
      match = (await terminalText(page)).replace(/\u00a0/g, ' ').match(pattern);
      return match !== null;
    }, { message: `terminal never showed ${pattern}` })
    .toBe(true);
  return match!;
}

/** Types a command line into the terminal (keyboard focus is in xterm.js's hidden textarea). */
export async function runInTerminal(page: Page, command: string): Promise<void> {
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');
}

/** The shell prompt of the test user: bash's default "user@host:~$ ". */
export const PROMPT = /postern-test@\S*:~\$/;
