// Starts the real proxy (`tsx proxy/main.ts`) as a child process on a free loopback port with a
// temporary data folder, and gives tests its URL, the first owner's sign-in URL and its output.
// With POSTERN_TEST_DATABASE=postgres in the environment, every proxy started here without its own
// databaseUrl gets a fresh PostgreSQL database instead (one throwaway cluster per test file), so any
// API or end-to-end test file runs against PostgreSQL unchanged.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startPostgres, type PostgresCluster } from './postgres.ts';
import { stopChild } from './processes.ts';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface ProxyProcess {
  url: string;
  ownerSigninUrl: string;
  dataDir: string;
  /** The PostgreSQL database it keeps state in, if any (else SQLite in dataDir). */
  databaseUrl?: string;
  /** Everything the proxy printed so far (stdout and stderr). */
  output(): string;
  /** Sends a signal (SIGKILL: no chance to clean up) and waits for the process to exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

export interface ProxyOptions {
  env?: Record<string, string>;
  args?: string[];
  /** Serve the built SPA from this folder ('' for API only). */
  staticDir?: string;
  /** Reuse a data folder (to restart a proxy on the same database). */
  dataDir?: string;
  /** Keep state in this PostgreSQL database (passed as --database-url) instead of SQLite. */
  databaseUrl?: string;
  /** Wait for the first owner's sign-in URL (default: on a fresh data folder). A second proxy on a
   *  database another proxy already set up prints none. */
  waitForSignin?: boolean;
}

let testCluster: Promise<PostgresCluster> | undefined;
/** In POSTERN_TEST_DATABASE=postgres mode, each data folder has its own database, kept across restarts. */
const testDatabases = new Map<string, string>();

async function testDatabaseFor(dataDir: string): Promise<string> {
  const known = testDatabases.get(dataDir);
  if (known) return known;
  testCluster ??= startPostgres();
  const url = await (await testCluster).createDatabase({ password: `pw-${Math.random().toString(36).slice(2)}` });
  testDatabases.set(dataDir, url);
  return url;
}

export async function startProxy(opts: ProxyOptions = {}): Promise<ProxyProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'postern-proxy-'));
  const ownDatabase = opts.databaseUrl ?? opts.env?.POSTERN_DATABASE_URL;
  const databaseUrl = opts.databaseUrl ??
    (!ownDatabase && process.env.POSTERN_TEST_DATABASE === 'postgres' ? await testDatabaseFor(dataDir) : undefined);
  const args = ['--import', 'tsx', 'proxy/main.ts', '--host', '127.0.0.1', '--port', '0', '--data', dataDir,
    '--static', opts.staticDir ?? '', ...(databaseUrl ? ['--database-url', databaseUrl] : []), ...(opts.args ?? [])];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    // Tests and benchmarks open many tunnels from one address; a test of the limits sets its own.
    env: { POSTERN_ATTEMPT_BURST: '1000000', ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));

  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`proxy did not start:\n${out}`)), 30_000);
    const check = () => {
      const m = /listening on (http\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => fail(new Error(`proxy exited with ${code}:\n${out}`)));
  });
  // The sign-in URL is printed right after the listening line on a fresh database.
  if (opts.waitForSignin ?? !opts.dataDir) {
    for (let i = 0; i < 100 && !/#\/signin\//.test(out); i++) await new Promise((r) => setTimeout(r, 50));
  }
  const signin = /(http\S+#\/signin\/\S+)/.exec(out)?.[1] ?? '';

  const kill = (signal: NodeJS.Signals) => stopChild(child, signal);
  return {
    url,
    ownerSigninUrl: signin,
    dataDir,
    databaseUrl,
    output: () => out,
    kill,
    stop: async () => {
      await kill('SIGTERM');
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A tiny API client for tests: JSON in, { status, body } out. */
export function apiClient(base: string, token?: string) {
  return async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(base + path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
}

/** Signs in with a one-time URL and returns a client carrying the session token. */
export async function signIn(base: string, signinUrl: string) {
  const signinToken = signinUrl.slice(signinUrl.indexOf('#/signin/') + 9);
  const r = await apiClient(base)('POST', '/api/session', { signinToken });
  if (r.status !== 201) throw new Error(`sign-in failed: ${JSON.stringify(r.body)}`);
  return { token: r.body.token as string, me: r.body.me, call: apiClient(base, r.body.token) };
}
