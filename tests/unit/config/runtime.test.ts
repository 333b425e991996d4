// The runtime config loader against a real HTTP server on loopback serving config.json under a
// sub-path, as a static host would.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiBase, hasProxy, loadRuntimeConfig, parseProxy, wsBase } from '../../../src/config/runtime';

let server: Server;
let base: string;
/** What the server answers for /site/config.json: [status, body]. */
let answer: [number, string] = [200, '{}'];
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    if (req.url === '/site/config.json') {
      res.writeHead(answer[0], { 'Content-Type': 'application/json' });
      res.end(answer[1]);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/site/index.html`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function load(storage: { getItem(k: string): string | null } | null = null) {
  return loadRuntimeConfig({ base, storage });
}

describe('apiBase and wsBase', () => {
  test('follow the loaded proxy: https becomes wss, http becomes ws', async () => {
    answer = [200, '{ "proxy": "https://proxy.example/pt/" }'];
    await load();
    expect(apiBase()).toBe('https://proxy.example/pt/api/');
    expect(new URL('ws/relay', wsBase()).href).toBe('wss://proxy.example/pt/ws/relay');
    answer = [200, '{}'];
    await load();
    expect(wsBase()).toBe(base.replace('http:', 'ws:').replace('index.html', ''));
  });

  test('with no proxy they refuse with a sentence', async () => {
    answer = [200, '{ "proxy": null }'];
    await load();
    expect(hasProxy()).toBe(false);
    expect(() => apiBase()).toThrow('This site is configured without a Postern proxy (demo only).');
  });
});

describe('loadRuntimeConfig', () => {
  test('"" means the proxy that serves the site, at the site\'s own path', async () => {
    answer = [200, '{ "proxy": "" }'];
    expect(await load()).toEqual({ proxy: base.replace('index.html', ''), source: 'file' });
    expect(seen.at(-1)).toBe('/site/config.json');
  });

  test('an absolute proxy URL, and a relative one read against config.json', async () => {
    answer = [200, '{ "proxy": "https://proxy.example/pt" }'];
    expect((await load()).proxy).toBe('https://proxy.example/pt/');
    answer = [200, '{ "proxy": "../gateway/" }'];
    expect((await load()).proxy).toBe(base.replace('site/index.html', 'gateway/'));
  });

  test('null means no proxy: a static demo site', async () => {
    answer = [200, '{ "proxy": null }'];
    expect(await load()).toEqual({ proxy: null, source: 'file' });
  });

  test('no config.json (404) gives the same-origin default without a problem', async () => {
    answer = [404, 'not found'];
    expect(await load()).toEqual({ proxy: base.replace('index.html', ''), source: 'default' });
  });

  test('a broken file falls back to the default and says what is wrong', async () => {
    answer = [200, '{ proxy: nope'];
    expect(await load()).toMatchObject({ source: 'default', problem: { kind: 'config-invalid', message: 'config.json is not valid JSON.' } });
    answer = [200, '{ "proxy": "ftp://x/" }'];
    expect((await load()).problem?.message).toBe('config.json: "proxy" must start with https:// or http://, not ftp:.');
    answer = [200, '{ "proxy": 42 }'];
    expect((await load()).problem?.message).toBe('config.json: "proxy" must be a URL, "" (this site) or null (no proxy).');
  });

  test('a proxy chosen in the console wins over the file', async () => {
    answer = [200, '{ "proxy": "" }'];
    const storage = { getItem: (k: string) => (k === 'postern.proxy' ? JSON.stringify('https://other.example/') : null) };
    expect(await load(storage)).toEqual({ proxy: 'https://other.example/', source: 'override' });
  });
});

test('parseProxy refuses credentials and query strings, naming the field', () => {
  expect(() => parseProxy('https://u:p@x/', 'https://site/', 'config.json')).toThrow('config.json: "proxy" must be a plain address');
  expect(() => parseProxy('https://x/?a=1', 'https://site/', 'config.json')).toThrow('without ?query');
});
