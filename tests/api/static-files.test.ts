// The built site as the proxy serves it: the build's .br or .gz copy when the browser takes it (the
// smallest first), the file itself otherwise, and caching by name: content-hashed assets forever,
// everything else revalidated.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type ProxyProcess } from '../support/proxy.ts';

let proxy: ProxyProcess;
let site: string;
const script = Buffer.from('export const answer = 42;\n'.repeat(200));
const wasm = Buffer.alloc(5000, 7);

beforeAll(async () => {
  site = mkdtempSync(join(tmpdir(), 'postern-site-'));
  mkdirSync(join(site, 'assets'));
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>Postern</title>');
  writeFileSync(join(site, 'config.json'), '{}');
  writeFileSync(join(site, 'assets', 'app-abc123.js'), script);
  writeFileSync(join(site, 'assets', 'app-abc123.js.br'), brotliCompressSync(script));
  writeFileSync(join(site, 'assets', 'app-abc123.js.gz'), gzipSync(script));
  writeFileSync(join(site, 'assets', 'ironrdp-def456.wasm'), wasm);
  writeFileSync(join(site, 'assets', 'ironrdp-def456.wasm.gz'), gzipSync(wasm)); // no .br copy for this one
  proxy = await startProxy({ staticDir: site });
});
afterAll(async () => {
  await proxy?.stop();
  rmSync(site, { recursive: true, force: true });
});

function get(path: string, acceptEncoding?: string, method = 'GET') {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((ok, fail) => {
    const req = http.request(`${proxy.url}${path}`, { method, headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('static files', () => {
  it('sends the brotli copy to a browser that takes it, with its own length', async () => {
    const r = await get('/assets/app-abc123.js', 'gzip, deflate, br, zstd');
    expect(r.headers['content-encoding']).toBe('br');
    expect(r.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(Number(r.headers['content-length'])).toBe(r.body.length);
    expect(r.body.length).toBeLessThan(script.length / 10);
    expect(brotliDecompressSync(r.body)).toEqual(script);
    expect(r.headers.vary).toBe('accept-encoding');
  });

  it('falls back to gzip, then to the file itself', async () => {
    const gz = await get('/assets/app-abc123.js', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body)).toEqual(script);
    const wasmGz = await get('/assets/ironrdp-def456.wasm', 'br, gzip');
    expect(wasmGz.headers['content-encoding']).toBe('gzip');
    expect(wasmGz.headers['content-type']).toBe('application/wasm');
    const plain = await get('/assets/app-abc123.js', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toEqual(script);
    const refused = await get('/assets/app-abc123.js', 'br;q=0, gzip;q=0');
    expect(refused.headers['content-encoding']).toBeUndefined();
  });

  it('answers HEAD with the headers of what GET would send', async () => {
    const r = await get('/assets/app-abc123.js', 'br', 'HEAD');
    expect(r.body.length).toBe(0);
    expect(r.headers['content-encoding']).toBe('br');
    expect(Number(r.headers['content-length'])).toBe(brotliCompressSync(script).length);
  });

  it('caches hashed assets for good and revalidates index.html and config.json', async () => {
    expect((await get('/assets/app-abc123.js', 'br')).headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await get('/')).headers['cache-control']).toBe('no-cache');
    expect((await get('/config.json')).headers['cache-control']).toBe('no-cache');
  });
});
