// Entry point: `tsx proxy/main.ts [--port 8080] [--data ./data] …` (see config.ts and the README).
import { issueSigninUrl } from './api/session-routes.ts';
import { loadConfig, type Config } from './config/config.ts';
import { keepServingThrough } from './ops/guard.ts';
import { startMetricsServer, type MetricsServer } from './ops/metrics.ts';
import { publicBase, signinUrlOf } from './http/public-url.ts';
import { followStoreChanges } from './sessions/live-sessions.ts';
import { startServer } from './server.ts';
import { redactDatabaseUrl } from './store/database-url.ts';
import { SqliteStore } from './store/sqlite.ts';
import { StoreConflict, type Store } from './store/store.ts';
import { join } from 'node:path';

/** SQLite in the data folder, or PostgreSQL when a database URL is set (several proxies may share it). */
async function openStore(config: Config): Promise<{ store: Store; where: string }> {
  if (config.databaseUrl) {
    const { PostgresStore } = await import('./store/postgres.ts');
    return { store: await PostgresStore.open(config.databaseUrl), where: `PostgreSQL ${redactDatabaseUrl(config.databaseUrl)}` };
  }
  return { store: new SqliteStore(join(config.dataDir, 'postern.db')), where: config.dataDir };
}

async function main() {
  const { config, command } = loadConfig(process.argv.slice(2), process.env);
  const { store, where } = await openStore(config);

  if (command.signinFor) {
    await printSigninUrl(config, store, command.signinFor).finally(() => store.close());
    return;
  }

  const running = await startServer(config, store);
  const { services } = running;
  keepServingThrough(services.ops.log);
  const unfollow = followStoreChanges(store, services.live);

  // Prometheus metrics on their own address only, never on the public port.
  let metricsServer: MetricsServer | undefined;
  if (config.metricsListen) metricsServer = await startMetricsServer(config.metricsListen, services.ops.metrics);

  console.log(`Postern is listening on ${running.url} (data in ${where})`);
  if (metricsServer) console.log(`Prometheus metrics at ${metricsServer.url}`);
  if ((await store.countUsers()) === 0) {
    // Two proxies starting at once on a new shared database both get here; one of them creates the owner.
    const owner = await store.createUser('owner', 'owner', 'postern').catch((e) => {
      if (e instanceof StoreConflict && e.code === 'duplicate') return undefined;
      throw e;
    });
    if (owner) {
      console.log(`First start: open this one-time URL to sign in as the owner:\n  ${await issueSigninUrl(services, owner.id)}`);
    }
  } else if (!(await store.anyoneSignedIn())) {
    // The first URL may have been lost with the terminal it was printed in: while nobody has used one, say a new one.
    const owner = (await store.listUsers()).find((u) => u.role === 'owner');
    if (owner) console.log(`Nobody has signed in yet: open this one-time URL to sign in as ${owner.name}:\n  ${await issueSigninUrl(services, owner.id)}`);
  }

  const stop = async () => {
    unfollow();
    await metricsServer?.close();
    await running.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/**
 * `--signin-url NAME`: a fresh one-time URL for a user of the Postern that runs with these settings.
 * It never listens (that Postern holds the port); the URL's address comes from the same settings.
 */
async function printSigninUrl(config: Config, store: Store, name: string): Promise<void> {
  const user = (await store.listUsers()).find((u) => u.name === name);
  if (!user) throw new Error(`There is no user named "${name}".`);
  const base = publicBase(config);
  if (!base) throw new Error('The settings do not say where Postern listens (--port 0); give --port or --public-url as the running Postern has them.');
  const url = await issueSigninUrl({ store, config, signinUrl: (token) => signinUrlOf(base, token) }, user.id);
  console.log(`One-time sign-in URL for ${user.name} (valid ${Math.round(config.signinTtlMs / 3600_000)} hours):\n  ${url}`);
}

main().catch((e) => {
  console.error(`Postern could not start: ${(e as Error).message}`);
  process.exit(1);
});
