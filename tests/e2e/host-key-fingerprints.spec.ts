// The admin sees each resource's SSH host key in the console once this browser has seen it: the owner
// connects from the console's Connect page to a real OpenSSH sshd, trusts its key, and the Resources list
// then shows it as OpenSSH writes it ("ED25519 SHA256:…"), equal to what `ssh-keygen -lf` says of the key the
// sshd presents (read with ssh-keyscan). Real Chromium, the real proxy, a real sshd.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startSshd, type Sshd } from '../support/sshd';
import { addResource, signInAs, startPostern, type Postern } from './postern';
import { fillAndConnect, PROMPT, waitForTerminal } from './sshd-fixture';

let sshd: Sshd;
let pt: Postern;
test.beforeAll(async () => {
  sshd = await startSshd();
  pt = await startPostern();
});
test.afterAll(async () => {
  await pt?.stop();
  await sshd?.stop();
});

/** `ssh-keygen -lf` of each host key the sshd presents, as "ED25519 SHA256:…" (ssh-keyscan reads them off the wire). */
function keygenFingerprints(port: number): string[] {
  const scanned = execFileSync('ssh-keyscan', ['-p', String(port), '127.0.0.1'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const listed = execFileSync('ssh-keygen', ['-l', '-f', '-'], { input: scanned, encoding: 'utf8' });
  // "256 SHA256:abc… [127.0.0.1]:port (ED25519)"
  return listed.trim().split('\n').map((line) => {
    const m = /^\d+ (SHA256:\S+) .*\((\w+)\)$/.exec(line);
    if (!m) throw new Error(`ssh-keygen printed an unexpected line: ${line}`);
    return `${m[2]} ${m[1]}`;
  });
}

test('the Resources list shows the host key trusted from the console, as ssh-keygen -lf prints it, with Copy', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await addResource(pt, 'keyed-box', { ssh: [sshd.port] });
  await signInAs(page, pt, 'owner');
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'keyed-box' }) });
  await expect(row.getByText('None seen from this browser yet')).toBeVisible();

  await row.getByRole('link', { name: 'Connect to keyed-box' }).click();
  await fillAndConnect(page, { username: sshd.fixture.user, password: sshd.fixture.password });
  await page.getByRole('dialog', { name: 'First connection to keyed-box' }).getByRole('button', { name: 'Trust' }).click();
  await waitForTerminal(page, PROMPT);

  await page.goto(`${pt.url}/#/console/resources`);
  const shown = row.getByTestId('seen-host-key');
  await expect(shown).toHaveCount(1);
  const text = (await shown.innerText()).trim();
  const fromKeygen = keygenFingerprints(sshd.port);
  expect(fromKeygen, `ssh-keygen -lf of the sshd's keys: ${fromKeygen.join(', ')}`).toContain(text);
  // The same key the fixture made for the sshd (ssh-keygen -lf of its host_ed25519.pub), when ed25519 was chosen.
  if (text.startsWith('ED25519 ')) expect(text).toBe(`ED25519 ${sshd.hostFingerprints.ed25519}`);
  await expect(row.getByText(`Seen on port ${sshd.port}:`)).toBeVisible();

  await row.getByRole('button', { name: /^Copy the \w+ host key fingerprint of keyed-box, port \d+$/ }).click();
  await expect(row.getByRole('status')).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(text.split(' ')[1]);

  // The resource form says where to find the fingerprint on the machine.
  await row.getByRole('button', { name: 'Edit keyed-box' }).click();
  await expect(page.getByLabel('Pinned SSH host key fingerprint (optional)')).toHaveAccessibleDescription(
    /ssh-keygen -lf \/etc\/ssh\/ssh_host_ed25519_key\.pub prints it/,
  );
});

/** A certificate made now, and its fingerprint as `openssl x509 -fingerprint -sha256` prints it. */
function opensslCertificate(): { printed: string; canonical: string } {
  const dir = mkdtempSync(join(tmpdir(), 'postern-rdp-cert-'));
  try {
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'key.pem'),
      '-out', cert, '-days', '1', '-subj', '/CN=rdp-box'], { stdio: 'ignore' });
    const printed = execFileSync('openssl', ['x509', '-in', cert, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' }).trim();
    const hex = /=((?:[0-9A-F]{2}:){31}[0-9A-F]{2})$/.exec(printed)![1];
    return { printed, canonical: `sha256:${hex.replaceAll(':', '').toLowerCase()}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('an RDP certificate pinned by pasting openssl\'s output shows in the Resources list, with Copy', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await addResource(pt, 'rdp-box', { rdp: [3389] });
  await signInAs(page, pt, 'owner');
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'rdp-box' }) });
  await expect(row.getByText('RDP certificate: none yet; the first connection pins it.')).toBeVisible();

  const { printed, canonical } = opensslCertificate();
  await row.getByRole('button', { name: 'Edit rdp-box' }).click();
  const field = page.getByLabel('Pinned RDP certificate fingerprint (optional)');
  await expect(field).toHaveAccessibleDescription(/openssl x509 -in cert\.pem -noout -fingerprint -sha256 prints it/);
  await field.fill(printed);
  await page.getByRole('button', { name: 'Save changes' }).click();

  await expect(row.getByTestId('rdp-cert')).toHaveText(canonical);
  await row.getByRole('button', { name: 'Copy the RDP certificate fingerprint of rdp-box' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(canonical);
});
