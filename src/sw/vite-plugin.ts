/// <reference types="node" />
// Build step for the service worker (used by vite.config.ts, at build time only): emits
// src/sw/sw.ts as dist/sw.js beside index.html, then writes into it the files to precache, in two
// stages, and a version derived from their contents, so every build that changes anything gets a
// new sw.js, which is how browsers notice an update.
//
// The stages (docs: src/sw/sw.ts):
//   shell  what the home page and the link page need to show and run their form: index.html, the
//          entry chunk, the two pages' chunks with every chunk they import statically, their CSS and
//          the public files (not the SSH worker: Connect starts it, and it is cached as it loads). Precached at install, so it never competes with a visitor's Connect.
//   demo   the offline demo's services and machine (src/demo/services.ts, machine.ts, their static imports
//          and the machine's worker, which opening a demo link starts), also at install
//          but only where config.json says there is no proxy (the demo is then the link page's back end).
//   rest   everything else (the SSH and RDP chunks and workers, the console, the vault pages):
//          precached once a session is up and the page is idle.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

const HERE = dirname(fileURLToPath(import.meta.url));
const SW_SOURCE = resolve(HERE, 'sw.ts');
const SRC = resolve(HERE, '..');
const PLACEHOLDER = /(["'`])__POSTERN_SW_MANIFEST__\1/;
/** Fetched fresh (config.json) or the worker itself: never precached. */
const NEVER_PRECACHE = new Set(['sw.js', 'config.json']);
/** Bigger files (the RDP client, IronRDP with its WebAssembly inlined) are cached when first used instead of precached. */
const MAX_PRECACHE_BYTES = 2 * 1024 * 1024;
/** The pages a first visit may open before any session: their code is the shell. */
const SHELL_PAGES = [resolve(SRC, 'HomePage.svelte'), resolve(SRC, 'link/LinkRoute.svelte')];
const DEMO_SERVICES = resolve(SRC, 'demo/services.ts');
/** The demo's machine: seeding the demo's records loads it and starts its worker, so both are in the demo stage. */
const DEMO_MACHINE = resolve(SRC, 'demo/machine.ts');

/** What sw.ts reads: the build's version and its files in precache stages, paths relative to the site. */
export interface SwManifest {
  version: string;
  shell: string[];
  demo: string[];
  rest: string[];
}

/** The part of a Rollup output chunk this step reads. */
export interface ChunkFacts {
  type: 'chunk';
  isEntry: boolean;
  facadeModuleId: string | null;
  imports: string[];
  viteMetadata?: { importedCss: Set<string>; importedAssets: Set<string> };
}
export type BundleItem = ChunkFacts | { type: 'asset' };

/**
 * `roots` and every file they load statically: imported chunks and their CSS. Assets they only name
 * (a worker's `new URL(…, import.meta.url)`, the WebAssembly) load on demand, so they are not followed.
 */
export function staticClosure(bundle: Record<string, BundleItem>, roots: string[]): Set<string> {
  const out = new Set<string>();
  const visit = (name: string) => {
    if (out.has(name)) return;
    out.add(name);
    const item = bundle[name];
    if (item?.type !== 'chunk') return;
    for (const css of item.viteMetadata?.importedCss ?? []) out.add(css);
    for (const dep of item.imports) visit(dep);
  };
  roots.forEach(visit);
  return out;
}

/**
 * Splits the files to precache into the stages above. `files` are the bundle's and the public
 * folder's files that may be precached, with their contents (for the version).
 */
export function precacheStages(bundle: Record<string, BundleItem>, files: Array<[string, string | Uint8Array]>): SwManifest {
  const chunks = Object.entries(bundle).filter((e): e is [string, ChunkFacts] => e[1].type === 'chunk');
  const entries = chunks.filter(([name, c]) => c.isEntry && name !== 'sw.js').map(([name]) => name);
  const pages = chunks.filter(([, c]) => c.facadeModuleId && SHELL_PAGES.includes(c.facadeModuleId)).map(([name]) => name);
  if (entries.length === 0 || pages.length !== SHELL_PAGES.length) {
    throw new Error(`postern-sw: the entry chunk or a shell page's chunk is missing (found ${[...entries, ...pages].join(', ') || 'none'})`);
  }
  const shellSet = staticClosure(bundle, [...entries, ...pages]);
  const chunkOf = (id: string) => chunks.find(([, c]) => c.facadeModuleId === id);
  const machine = chunkOf(DEMO_MACHINE);
  const demoSet = staticClosure(bundle, [chunkOf(DEMO_SERVICES), machine].flatMap((c) => (c ? [c[0]] : [])));
  for (const worker of machine?.[1].viteMetadata?.importedAssets ?? []) demoSet.add(worker);
  const stage = (name: string) => (name in bundle && !shellSet.has(name) && name !== 'index.html' ? (demoSet.has(name) ? 'demo' : 'rest') : 'shell');

  const kept = files
    .filter(([name, content]) => !NEVER_PRECACHE.has(name) && content.length <= MAX_PRECACHE_BYTES)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const hash = createHash('sha256');
  for (const [name, content] of kept) hash.update(name).update('\0').update(content).update('\0');
  const manifest: SwManifest = { version: hash.digest('hex').slice(0, 16), shell: ['./'], demo: [], rest: [] };
  // Public files (the favicon) are not in the bundle: they belong to the shell.
  for (const [name] of kept) manifest[stage(name)].push(name);
  return manifest;
}

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
      let manifest: SwManifest;
      try {
        manifest = precacheStages(bundle as unknown as Record<string, BundleItem>, files);
      } catch (e) {
        return this.error(e instanceof Error ? e.message : String(e));
      }
      const sw = bundle['sw.js'];
      if (!sw || sw.type !== 'chunk' || !PLACEHOLDER.test(sw.code)) return this.error('postern-sw: sw.js or its manifest placeholder is missing from the bundle');
      sw.code = sw.code.replace(PLACEHOLDER, JSON.stringify(JSON.stringify(manifest)));
    },
  };
}
