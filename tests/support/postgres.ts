// Starts a throwaway PostgreSQL cluster for tests: Debian's server binaries (package `postgresql`),
// a fresh data folder in a temp dir, a free loopback port, and no unix socket outside that folder.
// As root the server runs as the `postgres` system user (it refuses to run as root). The superuser
// signs in without a password (trust, loopback only); roles made with a password must use it (SCRAM).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.ts';

const SUPERUSER = 'postern_admin';

export interface PostgresCluster {
  port: number;
  /** URL of a database as the superuser (no password). */
  url(database?: string): string;
  /** Creates an empty database; with a password, also a role that owns it and must sign in with that password. */
  createDatabase(opts?: { password?: string }): Promise<string>;
  /** Runs one statement as the superuser (on the `postgres` database unless told). */
  query(sql: string, params?: unknown[], database?: string): Promise<pg.QueryResult>;
  stop(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  if (!versions.length) throw new Error('PostgreSQL server binaries are missing: install them with `apt-get install -y postgresql`.');
  return join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

/** uid/gid of the postgres system user when we are root (the server will not run as root). */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

let counter = 0;

// $0 is the server binary, "$@" its arguments. SIGINT is PostgreSQL's "fast shutdown".
const WATCHDOG = `
"$0" "$@" &
pg=$!
trap 'kill -INT $pg 2>/dev/null' TERM
while kill -0 $pg 2>/dev/null; do
  if [ ! -d /proc/$WATCH_PID ]; then kill -INT $pg; wait $pg; rm -rf "$WATCH_DIR"; exit 0; fi
  sleep 0.2
done
wait $pg
`;

export async function startPostgres(): Promise<PostgresCluster> {
  const bin = binDir();
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'postern-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  execFileSync(join(bin, 'initdb'), ['-D', data, '-U', SUPERUSER, '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'],
    { ...user, stdio: 'pipe', cwd: dir });
  // Superuser by trust on loopback only; every other role by password.
  writeFileSync(join(data, 'pg_hba.conf'), [
    `local all ${SUPERUSER} trust`,
    `host all ${SUPERUSER} 127.0.0.1/32 trust`,
    'host all all 127.0.0.1/32 scram-sha-256',
    '',
  ].join('\n'));
  if (user) chownSync(join(data, 'pg_hba.conf'), user.uid, user.gid);

  const port = await freePort();
  // Durability is pointless for a throwaway cluster: skip fsync for speed. A small shell watchdog
  // runs the server: stop() sends it TERM; if the test process dies without stop() (vitest may kill
  // its workers), it notices, shuts the server down and removes the folder.
  const child: ChildProcess = spawn('/bin/sh', ['-c', WATCHDOG, join(bin, 'postgres'), '-D', data, '-p', String(port), '-k', dir,
    '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
    '-c', 'max_connections=200'], {
    ...user, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, WATCH_PID: String(process.pid), WATCH_DIR: dir },
  });
  let log = '';
  child.stderr!.on('data', (d) => (log = (log + d).slice(-20_000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));

  const url = (database = 'postgres') => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`;
  const query = async (sql: string, params: unknown[] = [], database?: string) => {
    const c = new pg.Client({ connectionString: url(database) });
    await c.connect();
    try {
      return await c.query(sql, params);
    } finally {
      await c.end();
    }
  };

  const giveUp = async (why: string): Promise<never> => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${why}:\n${log}`);
  };
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) await giveUp('PostgreSQL did not start');
    try {
      await query('SELECT 1');
      break;
    } catch (e) {
      if (i > 300) await giveUp(`PostgreSQL did not accept connections (${(e as Error).message})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return {
    port,
    url,
    query,
    async createDatabase(opts = {}) {
      const name = `postern_t${process.pid}_${++counter}`;
      if (opts.password === undefined) {
        await query(`CREATE DATABASE ${name}`);
        return url(name);
      }
      // Identifiers are ours; the password goes through a literal escaped by pg itself.
      await query(`CREATE ROLE ${name} LOGIN PASSWORD ${pg.escapeLiteral(opts.password)}`);
      await query(`CREATE DATABASE ${name} OWNER ${name}`);
      return `postgres://${name}:${encodeURIComponent(opts.password)}@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
