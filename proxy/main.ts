// Entry point: `tsx proxy/main.ts [--port 8080] [--data ./data] …` (see config.ts and the README).
import { issueSigninUrl } from './api/session-routes.ts';
import { loadConfig } from './config.ts';
import { startServer } from './server.ts';
import { SqliteStore } from './store/sqlite.ts';
import { join } from 'node:path';

async function main() {
  const { config, command } = loadConfig(process.argv.slice(2), process.env);
  const store = new SqliteStore(join(config.dataDir, 'postern.db'));

  const running = await startServer(config, store);
  const { services } = running;

  if (command.signinFor) {
    const user = (await store.listUsers()).find((u) => u.name === command.signinFor);
    if (!user) throw new Error(`There is no user named "${command.signinFor}".`);
    console.log(`One-time sign-in URL for ${user.name}: ${await issueSigninUrl(services, user.id)}`);
    await running.close();
    await store.close();
    return;
  }

  console.log(`Postern is listening on ${running.url} (data in ${config.dataDir})`);
  if ((await store.countUsers()) === 0) {
    const owner = await store.createUser('owner', 'owner');
    console.log(`First start: open this one-time URL to sign in as the owner:\n  ${await issueSigninUrl(services, owner.id)}`);
  }

  const stop = async () => {
    await running.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  console.error(`Postern could not start: ${(e as Error).message}`);
  process.exit(1);
});
