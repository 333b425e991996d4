import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { serviceWorkerPlugin } from './src/sw/vite-plugin';

// One config for the SPA build and for vitest.
// base './' keeps every asset URL relative, so the built site works from any path on any static host.
export default defineConfig({
  base: './',
  // serviceWorkerPlugin: builds src/sw/sw.ts into sw.js with the list of files to precache.
  plugins: [svelte(), serviceWorkerPlugin()],
  build: {
    outDir: 'dist',
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
  },
  worker: { format: 'es' },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/ws': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/api/**/*.test.ts', 'tests/interop/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
