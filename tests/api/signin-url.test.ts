// The owner's one-time URL cannot be lost for good: `--signin-url NAME` prints a fresh one while Postern
// runs (it never listens, so the running port is no obstacle, and it names that port), and a restart
// before anyone signed in prints one again.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.ts';
import { apiClient, ROOT, startProxy, type ProxyProcess } from '../support/proxy.ts';

const started: ProxyProcess[] = [];
afterAll(async () => {
  for (const p of started) await p.stop();
});

function signinUrlCommand(proxy: ProxyProcess, port: number, name = 'owner') {
  const args = ['--import', 'tsx', 'proxy/main.ts', '--data', proxy.dataDir, '--port', String(port),
    ...(proxy.databaseUrl ? ['--database-url', proxy.databaseUrl] : []), '--signin-url', name];
  return spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
}

const tokenOf = (url: string) => url.slice(url.indexOf('#/signin/') + 9);
const signIn = (base: string, url: string) => apiClient(base)('POST', '/api/session', { signinToken: tokenOf(url) });

describe('the owner URL', () => {
  it('is printed again by --signin-url while Postern runs, with the running port, and works once', async () => {
    const port = await freePort();
    const proxy = await startProxy({ args: ['--port', String(port)] });
    started.push(proxy);
    const r = signinUrlCommand(proxy, port);
    expect(r.stderr).not.toMatch(/EADDRINUSE/);
    expect(r.status).toBe(0);
    const url = /(http\S+#\/signin\/\S+)/.exec(r.stdout)?.[1] ?? '';
    expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/#/signin/`));
    expect((await signIn(proxy.url, url)).status).toBe(201);
    expect((await signIn(proxy.url, url)).status).toBe(401);
    const unknown = signinUrlCommand(proxy, port, 'nobody');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/There is no user named "nobody"\./);
  });

  it('is printed again at start while nobody has signed in, and not after', async () => {
    // A data folder of our own: a proxy started without one deletes its folder when it stops.
    const dataDir = mkdtempSync(join(tmpdir(), 'postern-signin-'));
    const first = await startProxy({ dataDir, waitForSignin: true });
    expect(first.output()).toMatch(/First start: open this one-time URL to sign in as the owner:/);
    await first.stop();
    const again = await startProxy({ dataDir, databaseUrl: first.databaseUrl, waitForSignin: true });
    started.push(again);
    expect(again.output()).toMatch(/Nobody has signed in yet: open this one-time URL to sign in as owner:/);
    expect((await signIn(again.url, again.ownerSigninUrl)).status).toBe(201);
    await again.stop();
    const later = await startProxy({ dataDir, databaseUrl: first.databaseUrl, waitForSignin: false });
    started.push(later);
    await new Promise((r) => setTimeout(r, 300)); // the line would follow "listening" at once
    expect(later.output()).not.toMatch(/#\/signin\//);
  });
});
