// The stage for link-policy API tests: a proxy whose clock the test moves (POSTERN_TEST_CLOCK_FILE, see
// proxy/clock.ts), signed in as its owner, shareable links on, and one resource pointing at an echo
// service. Registers its own hooks: the clock is reset after each test and removed after the file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { signIn, startProxy, type ProxyOptions, type ProxyProcess } from './proxy.ts';
import { echoServerForFile } from './relay-client.ts';

export interface PolicyProxy {
  readonly proxy: ProxyProcess;
  readonly owner: Awaited<ReturnType<typeof signIn>>;
  /** The resource for the echo service. */
  readonly resourceId: string;
  readonly echoPort: number;
  /** Folder of this file's proxy data (SQLite) and its clock file. */
  readonly dataDir: string;
  /** Moves the proxy's clock `ms` ahead of the real time. */
  setClock(ms: number): void;
}

export function policyProxyForFile(options: Pick<ProxyOptions, 'args' | 'env'> = {}): PolicyProxy {
  const echo = echoServerForFile();
  const dataDir = mkdtempSync(join(tmpdir(), 'postern-policy-'));
  const clockFile = join(dataDir, 'clock-offset');
  const setClock = (ms: number) => writeFileSync(clockFile, String(ms));
  let started: { proxy: ProxyProcess; owner: Awaited<ReturnType<typeof signIn>>; resourceId: string } | undefined;

  beforeAll(async () => {
    setClock(0);
    const proxy = await startProxy({
      ...options, dataDir, waitForSignin: true, env: { ...options.env, POSTERN_TEST_CLOCK_FILE: clockFile },
    });
    const owner = await signIn(proxy.url, proxy.ownerSigninUrl);
    await owner.call('PUT', '/api/settings', { shareableLinks: true });
    const r = await owner.call('POST', '/api/resources', { name: 'echo-box', address: '127.0.0.1', ports: { ssh: [echo.port] } });
    started = { proxy, owner, resourceId: r.body.id };
  });
  afterEach(() => setClock(0));
  afterAll(async () => {
    await started?.proxy.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const get = () => {
    if (!started) throw new Error('the policy proxy has not started yet');
    return started;
  };
  return {
    get proxy() { return get().proxy; },
    get owner() { return get().owner; },
    get resourceId() { return get().resourceId; },
    get echoPort() { return echo.port; },
    dataDir,
    setClock,
  };
}
