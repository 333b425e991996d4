/// <reference types="node" />
// Build step for the service worker (used by vite.config.ts, at build time only): emits
// src/sw/sw.ts as dist/sw.js beside index.html, then writes into it the list of files to precache
// and a version derived from their contents, so every build that changes anything gets a new
// sw.js, which is how browsers notice an update.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

const SW_SOURCE = resolve(dirname(fileURLToPath(import.meta.url)), 'sw.ts');
const PLACEHOLDER = /(["'`])__POSTERN_SW_MANIFEST__\1/;
/** Fetched fresh (config.json) or the worker itself: never precached. */
const NEVER_PRECACHE = new Set(['sw.js', 'config.json']);
/** Bigger files (the RDP WebAssembly) are cached when first used instead of on every install. */
const MAX_PRECACHE_BYTES = 2 * 1024 * 1024;

function publicFiles(dir: string): Array<[string, Buffer]> {
  if (!dir || !existsSync(dir)) return [];
  const out: Array<[string, Buffer]> = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push([relative(dir, full).split(sep).join('/'), readFileSync(full)]);
    }
  };
  walk(dir);
  return out;
}

export function serviceWorkerPlugin(): Plugin {
  let publicDir = '';
  return {
    name: 'postern-sw',
    apply: 'build',
    // After Vite's own plugins, so index.html and the worker bundles are already in the bundle.
    enforce: 'post',
    configResolved(config) {
      publicDir = config.publicDir;
    },
    buildStart() {
      this.emitFile({ type: 'chunk', id: SW_SOURCE, fileName: 'sw.js' });
    },
    generateBundle(_options, bundle) {
      const files: Array<[string, string | Uint8Array]> = [];
      for (const [name, item] of Object.entries(bundle)) {
        if (name.endsWith('.map')) continue;
        files.push([name, item.type === 'chunk' ? item.code : item.source]);
      }
      for (const [name, content] of publicFiles(publicDir)) if (!(name in bundle)) files.push([name, content]);
      const kept = files
        .filter(([name, content]) => !NEVER_PRECACHE.has(name) && content.length <= MAX_PRECACHE_BYTES)
        .sort(([a], [b]) => (a < b ? -1 : 1));
      const hash = createHash('sha256');
      for (const [name, content] of kept) hash.update(name).update('\0').update(content).update('\0');
      const manifest = { version: hash.digest('hex').slice(0, 16), precache: ['./', ...kept.map(([name]) => name)] };
      const sw = bundle['sw.js'];
      if (!sw || sw.type !== 'chunk' || !PLACEHOLDER.test(sw.code)) return this.error('postern-sw: sw.js or its manifest placeholder is missing from the bundle');
      sw.code = sw.code.replace(PLACEHOLDER, JSON.stringify(JSON.stringify(manifest)));
    },
  };
}
