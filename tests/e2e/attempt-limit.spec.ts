// Past the per-address attempt limit the proxy refuses tunnels before any WebSocket exists, which a
// page sees only as a failed WebSocket; SSH and RDP alike then ask the proxy why and show its sentence
// instead of "can't reach the proxy". The limit is lowered here; the bucket itself is unit-tested.
import { expect, test } from '@playwright/test';
import { freePort } from '../support/ports';
import { addResource, createLinks, setFeature, startPostern, type Postern } from './postern';
import { fillAndConnect } from './sshd-fixture';

let pt: Postern;
let token = '';
let closedPort = 0;
const LIMITED = /^Too many attempts from your address\. Try again in \d+ seconds?\.$/;

test.beforeAll(async () => {
  pt = await startPostern({ env: { POSTERN_ATTEMPT_BURST: '4', POSTERN_ATTEMPTS_PER_MINUTE: '1' } });
  await setFeature(pt, true);
  closedPort = await freePort();
  const r = await addResource(pt, 'busy-box', { ssh: [closedPort], rdp: [closedPort] });
  [{ token }] = await createLinks(pt, [r.id]);
});
test.afterAll(async () => {
  await pt?.stop();
});

test('past the limit, SSH and RDP say that there were too many attempts, and when to try again', async ({ page }) => {
  await page.goto(`${pt.url}/#/l/${token}`); // the link look-up takes an attempt too
  const nothingListening = /^The connection was refused by "busy-box" port \d+: nothing is listening there\.$/;
  // Each Connect takes one attempt: the machine's answer until the bucket is empty, then the proxy's refusal.
  const said: string[] = [];
  for (let i = 0; i < 6 && !LIMITED.test(said.at(-1) ?? ''); i++) {
    await fillAndConnect(page, { username: 'someone', password: 'secret' });
    await expect(page.getByRole('alert')).toHaveText(new RegExp(`${nothingListening.source}|${LIMITED.source}`));
    said.push(await page.getByRole('alert').innerText());
    await page.getByRole('alert').evaluate((e) => e.remove()); // so the next answer is a new one
  }
  expect(said.at(-1)).toMatch(LIMITED);
  expect(said.length).toBeGreaterThan(1);
  for (const s of said.slice(0, -1)) expect(s).toMatch(nothingListening);

  await page.getByRole('radio', { name: 'RDP', exact: true }).check();
  await page.getByLabel('Password', { exact: true }).fill('secret');
  await page.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByRole('alert')).toHaveText(LIMITED);
});
