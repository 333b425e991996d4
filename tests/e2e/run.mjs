// `npm run test:e2e`: the Playwright suite with its config, passing any extra arguments through.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const r = spawnSync('npx', ['playwright', 'test', '-c', join(here, 'playwright.config.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: join(here, '../..'),
});
process.exit(r.status ?? 1);
