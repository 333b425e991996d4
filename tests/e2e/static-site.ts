// A built Postern site on a plain static file server, at a sub-path, the way someone hosts it
// without the proxy: Python's http.server on a free loopback port, serving a temp folder whose
// some/path/ holds a copy of the build. It can be stopped and started again on the same port
// (same origin, so the same service worker), and the copy edited in between.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild } from '../support/processes';
import { ROOT } from '../support/proxy';

export const SUB_PATH = '/some/path/';

export interface StaticSite {
  /** The site's address, ending in SUB_PATH. */
  url: string;
  /** The folder served at SUB_PATH (edit it to publish a "new version"). */
  dir: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

function serve(root: string, port: number): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    // -u: unbuffered, so the "Serving HTTP on ... port N" line arrives at once.
    const child = spawn('python3', ['-u', '-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', root], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Serving HTTP on \S+ port (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`python3 -m http.server exited (${code}) before serving:\n${out}`)));
  });
}

/**
 * Copies `dist` to <tmp>/some/path/ and serves <tmp> on a free port. With `config`, the copy's
 * config.json says that instead (`{ proxy: null }`: the offline demo).
 */
export async function startStaticSite(dist: string, config?: object): Promise<StaticSite> {
  const root = mkdtempSync(join(tmpdir(), 'postern-static-'));
  const dir = join(root, ...SUB_PATH.split('/').filter(Boolean));
  cpSync(dist, dir, { recursive: true });
  if (config) writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  let running = await serve(root, 0);
  const port = running.port;
  let child: ChildProcess | undefined = running.child;
  return {
    url: `http://127.0.0.1:${port}${SUB_PATH}`,
    dir,
    async stop() {
      if (child) await stopChild(child);
      child = undefined;
    },
    async start() {
      if (child) return;
      running = await serve(root, port);
      child = running.child;
    },
    async dispose() {
      if (child) await stopChild(child);
      child = undefined;
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * Builds the test harness pages (tests/e2e/harness, with Vite, as the SPA is built) and serves them as
 * a static site; a spec opens `${url}?page=<name>`. Disposing it also removes the build.
 */
export async function startHarnessSite(): Promise<StaticSite> {
  const out = mkdtempSync(join(tmpdir(), 'postern-harness-'));
  const harness = join(ROOT, 'tests/e2e/harness');
  const r = spawnSync('npx', ['vite', 'build', harness, '--config', join(harness, 'vite.config.ts'), '--outDir', out], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`building the test harness failed (exit ${r.status})`);
  const site = await startStaticSite(out);
  return {
    ...site,
    async dispose() {
      await site.dispose();
      rmSync(out, { recursive: true, force: true });
    },
  };
}
