/// <reference types="node" />
// Build step (used by vite.config.ts, at build time only): writes a brotli (.br) and a gzip (.gz) copy
// beside every compressible file of the built site, so the proxy (proxy/http/static.ts) serves them as
// they are, with no compression work per request. The RDP client (IronRDP, its WebAssembly inlined as
// base64) goes out at about a quarter of its size. A copy that would not be smaller is not written.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);
import type { Plugin, ResolvedConfig } from 'vite';

const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.wasm', '.svg', '.map', '.txt', '.webmanifest']);
/** Not worth a second copy. */
const MIN_BYTES = 1024;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

export function precompressPlugin(): Plugin {
  let outDir = '';
  return {
    name: 'postern-precompress',
    apply: 'build',
    configResolved(config: ResolvedConfig) {
      outDir = resolve(config.root, config.build.outDir);
    },
    // Compressed on libuv's threads, all files at once: brotli's best quality is slow on the 6 MB RDP client.
    async closeBundle() {
      await Promise.all(files(outDir).filter((f) => COMPRESSIBLE.has(extname(f))).map(async (file) => {
        const raw = readFileSync(file);
        if (raw.length < MIN_BYTES) return;
        const [br, gz] = await Promise.all([
          brotli(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
          gzipped(raw, { level: 9 }),
        ]);
        if (br.length < raw.length) writeFileSync(`${file}.br`, br);
        if (gz.length < raw.length) writeFileSync(`${file}.gz`, gz);
      }));
    },
  };
}
