// Builds the SPA once for the whole run, into its own folder so a developer's dist/ is left alone.
import { spawnSync } from 'node:child_process';
import { E2E_DIST, ROOT } from './postern';

export default function globalSetup(): void {
  const r = spawnSync('npx', ['vite', 'build', '--outDir', E2E_DIST, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error(`vite build failed (exit ${r.status})`);
}
