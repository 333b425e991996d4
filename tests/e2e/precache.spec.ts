// The service worker's two stages as a first-time visitor meets them: opening a link stores only the
// link page's shell, so Connect does not compete with downloading the whole app; once the session is up
// and the page idle, the rest is stored, and the console then opens with the network gone.
// Prints the bytes stored before Connect and after the session (the latter is what was stored before
// Connect until the service worker had stages). Real Chromium, the real proxy, a real OpenSSH sshd.
import { gzipSync } from 'node:zlib';
import { expect, test } from '@playwright/test';
import { sshLinkForFile } from './ssh-link';
import { cachedFiles, COMPLETE_KEY, controlled, fullyPrecached, type CachedFile } from './service-worker';
import { fillAndConnect, PROMPT, waitForTerminal } from './sshd-fixture';

const stage = sshLinkForFile('cache-box');

function weight(files: CachedFile[]): string {
  const raw = files.reduce((n, f) => n + f.body.length, 0);
  const gz = files.reduce((n, f) => n + gzipSync(f.body, { level: 9 }).length, 0);
  return `${files.length} files, ${(raw / 1024).toFixed(1)} KB (${(gz / 1024).toFixed(1)} KB gzipped)`;
}

test('a first visit stores only the link page before Connect, and the rest once the session is up', async ({ page, context }) => {
  await page.goto(`${stage.pt.url}/#/l/${stage.token}`);
  await expect(page.getByRole('heading', { name: 'Sign in to cache-box' })).toBeVisible();
  await controlled(page);

  const before = await cachedFiles(page);
  const paths = before.map((f) => f.path);
  expect(paths).toEqual(expect.arrayContaining(['./', 'index.html', 'config.json']));
  expect(paths.some((p) => /^assets\/LinkRoute-.*\.js$/.test(p)), paths.join('\n')).toBe(true);
  // Nothing of the terminal, the RDP client, the SSH worker or the console yet.
  expect(paths.filter((p) => /^assets\/(backend|ui|worker|iron-remote-desktop-rdp|ConsoleApp)-/.test(p)), paths.join('\n')).toEqual([]);
  expect(paths).not.toContain(COMPLETE_KEY);

  await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
  await fullyPrecached(page);
  const after = await cachedFiles(page);
  const afterPaths = after.map((f) => f.path);
  for (const chunk of ['ConsoleApp', 'ui', 'VaultsPage']) {
    expect(afterPaths.some((p) => p.startsWith(`assets/${chunk}-`)), `${chunk} stored after the session`).toBe(true);
  }
  // The RDP client (6 MB with its WebAssembly inlined) is too big to precache: it is stored when first
  // used (tests/e2e/rdp.spec.ts).
  expect(afterPaths.filter((p) => p.startsWith('assets/iron-remote-desktop-rdp-'))).toEqual([]);
  // What the service worker would once store before Connect: everything but the marker and config.json.
  const app = after.filter((f) => f.path !== COMPLETE_KEY);
  console.log(`stored before Connect: ${weight(before)}`);
  console.log(`stored once the session is up (before two stages: all of it before Connect): ${weight(app)}`);
  expect(before.length).toBeLessThan(app.length);

  // The console, never opened in this browser, opens with the network gone.
  await context.setOffline(true);
  await page.goto(`${stage.pt.url}/#/console/resources`);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'You are not signed in' })).toBeVisible();
  await expect(page.getByText('This page could not be loaded')).toHaveCount(0);
  await context.setOffline(false);
});
