import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { precompressPlugin } from './src/sw/precompress-plugin.ts';
import { serviceWorkerPlugin } from './src/sw/vite-plugin.ts';

// One config for the SPA build and for vitest.
// base './' keeps every asset URL relative, so the built site works from any path on any static host.
export default defineConfig({
  base: './',
  // serviceWorkerPlugin: builds src/sw/sw.ts into sw.js with the list of files to precache;
  // precompressPlugin: .br and .gz copies the proxy serves as they are.
  plugins: [svelte(), serviceWorkerPlugin(), precompressPlugin()],
  build: {
    outDir: 'dist',
    target: 'es2022',
    // Source maps double what a static host stores and help nobody who visits; POSTERN_SOURCEMAP=1 builds them.
    sourcemap: process.env.POSTERN_SOURCEMAP === '1',
    // kB. The largest chunk is the RDP client (@devolutions/iron-remote-desktop-rdp, about 6 MB with its
    // WebAssembly inlined as base64; 1.6 MB as brotli): loaded only once a visitor chooses RDP.
    chunkSizeWarningLimit: 6500,
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
