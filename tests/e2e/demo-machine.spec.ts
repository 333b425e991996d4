// The demo machine in real Chromium: its Web Worker (built by Vite exactly as the SPA builds it),
// the MessagePort transport and the real SSH client core, with no network and no proxy. Password
// and key sign-in, a command's output, a wrong password's message, and a host key that stays the
// same across visits (kept in IndexedDB), so a known-hosts check never sees it "change".
import { expect, test, type Page } from '@playwright/test';
import { startHarnessSite, type StaticSite } from './static-site';

let site: StaticSite;
test.beforeAll(async () => {
  site = await startHarnessSite();
});
test.afterAll(async () => {
  await site?.dispose();
});

type Harness = {
  info(): Promise<{ hostKeyFingerprint: string; username: string; password: string }>;
  open(auth: 'password' | 'key', password?: string): Promise<{ fingerprint: string; cipher: string }>;
  run(command: string): Promise<string>;
  signInError(password: string): Promise<{ kind: string; message: string }>;
  close(): void;
};

async function load(page: Page): Promise<void> {
  await page.goto(`${site.url}?page=demo-machine`);
  await expect(page.locator('#status')).toHaveText('ready');
}

const call = <K extends keyof Harness>(page: Page, name: K, ...args: Parameters<Harness[K]>) =>
  page.evaluate(([n, a]) => (window as unknown as { harness: Record<string, (...x: unknown[]) => unknown> }).harness[n](...a), [name, args] as const) as Promise<
    Awaited<ReturnType<Harness[K]>>
  >;

test('password sign-in, commands (echo, stty size, seq), and the same host key after a reload', async ({ page }) => {
  await load(page);
  const info = await call(page, 'info');
  expect(info).toMatchObject({ username: 'demo', password: 'demo' });
  expect(info.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);

  const opened = await call(page, 'open', 'password');
  expect(opened.fingerprint).toBe(info.hostKeyFingerprint);
  expect(opened.cipher).toBe('aes128-gcm@openssh.com'); // the client's first choice, WebCrypto on both ends
  expect(await call(page, 'run', 'echo hi from the worker')).toBe('hi from the worker\r\n');
  expect(await call(page, 'run', 'stty size')).toBe('24 80\r\n');
  expect((await call(page, 'run', 'seq 20000')).trimEnd().split('\r\n').at(-1)).toBe('20000');
  await call(page, 'close');

  await load(page);
  expect((await call(page, 'info')).hostKeyFingerprint).toBe(info.hostKeyFingerprint);
});

test('a wrong password gets its own message; a generated key can be authorized and signs in', async ({ page }) => {
  await load(page);
  expect(await call(page, 'signInError', 'wrong')).toEqual({ kind: 'wrong-password', message: 'Wrong user name or password.' });
  await call(page, 'open', 'key');
  expect(await call(page, 'run', 'whoami')).toBe('demo\r\n');
  await call(page, 'close');
});
