// Builds the test harness pages (see main.ts) for demo-api.spec.ts and demo-machine.spec.ts.
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  logLevel: 'warn',
  worker: { format: 'es' },
  build: { target: 'es2022', emptyOutDir: true },
});
