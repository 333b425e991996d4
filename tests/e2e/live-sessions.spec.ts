// Live sessions in the console, end to end: a visitor's SSH session through a link (real Chromium, the
// real proxy, a real OpenSSH sshd) is listed on the console's Live sessions page, and a contributor's
// Disconnect ends it: the visitor's terminal says an administrator ended it. A reader sees the list
// but may not disconnect.
import { expect, test } from '@playwright/test';
import type { Sshd } from '../support/sshd';
import { addResource, createLinks, ok, row, setFeature, signInAs, startPostern, type Postern } from './postern';
import { fillAndConnect, makeExtraKeys, PROMPT, startSshdWithKeys, waitForTerminal, type ExtraKeys } from './sshd-fixture';

let pt: Postern;
let sshd: Sshd;
let keys: ExtraKeys;
let token = '';

test.beforeAll(async () => {
  keys = makeExtraKeys();
  sshd = await startSshdWithKeys(keys);
  pt = await startPostern();
  await setFeature(pt, true);
  const r = await addResource(pt, 'live-box', { ssh: [sshd.port] });
  await ok(pt.owner('PUT', `/api/resources/${r.id}`, {
    name: 'live-box', address: '127.0.0.1', ports: { ssh: [sshd.port] }, sshHostKeyFingerprint: sshd.hostFingerprints.ed25519,
  }));
  token = (await createLinks(pt, [r.id]))[0].token;
});
test.afterAll(async () => {
  await pt?.stop();
  await sshd?.stop();
  keys?.remove();
});

test('a live SSH session is listed, and Disconnect ends it with the sentence in the terminal', async ({ page, browser }) => {
  await page.goto(`${pt.url}/#/l/${token}`);
  await fillAndConnect(page, { username: sshd.fixture.user, password: sshd.fixture.password });
  await waitForTerminal(page, PROMPT);

  const readerContext = await browser.newContext();
  const reader = await readerContext.newPage();
  await signInAs(reader, pt, 'reader');
  await reader.goto(`${pt.url}/#/console/sessions`);
  await expect(row(reader, 'live-box')).toContainText('Link visitor');
  await expect(reader.getByText('Your role (reader) cannot disconnect live sessions: that takes an owner or a contributor.')).toBeVisible();
  await expect(reader.getByRole('button', { name: /^Disconnect/ })).toBeDisabled();
  await readerContext.close();

  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signInAs(admin, pt, 'contributor');
  await admin.goto(`${pt.url}/#/console/sessions`);
  const listed = row(admin, 'live-box');
  await expect(listed).toContainText('Link visitor');
  await expect(listed).toContainText('SSH');
  await expect(listed).toContainText(String(sshd.port));
  await listed.getByRole('checkbox').check();
  await admin.getByRole('button', { name: 'Disconnect (1)' }).click();
  await expect(admin.getByRole('status').filter({ hasText: 'Disconnected 1 session.' })).toBeVisible();
  await expect(admin.getByText('Nobody is connected right now.')).toBeVisible();

  await waitForTerminal(page, /An administrator ended this session\./);
  await adminContext.close();
});
