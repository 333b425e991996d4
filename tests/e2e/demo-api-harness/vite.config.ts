// Builds the demo API harness page (see main.ts) for demo-api.spec.ts.
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  logLevel: 'warn',
  worker: { format: 'es' },
  build: { target: 'es2022', emptyOutDir: true },
});
