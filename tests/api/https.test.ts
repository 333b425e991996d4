// HTTPS and WSS when the proxy is given a certificate (made here, at test time).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startProxy, type ProxyProcess } from '../support/proxy.ts';

let dir: string;
let proxy: ProxyProcess;
let ca: Buffer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'postern-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  ca = readFileSync(join(dir, 'cert.pem'));
  proxy = await startProxy({ args: ['--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')] });
});
afterAll(async () => {
  await proxy?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('serves the API over HTTPS with HSTS, and prints an https sign-in URL', async () => {
  expect(proxy.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  expect(proxy.ownerSigninUrl).toMatch(/^https:\/\//);
  const res = await new Promise<{ status: number; hsts?: string; body: string }>((ok, fail) => {
    https.get(`${proxy.url}/api/health`, { ca }, (r) => {
      let body = '';
      r.on('data', (d) => (body += d));
      r.on('end', () => ok({ status: r.statusCode!, hsts: r.headers['strict-transport-security'] as string, body }));
    }).on('error', fail);
  });
  expect(res.status).toBe(200);
  expect(JSON.parse(res.body).ok).toBe(true);
  expect(res.hsts).toMatch(/max-age=/);
});

it('accepts WebSockets over WSS (and still checks the token before the upgrade)', async () => {
  // /ws/rdp admits first (IronRDP's token comes in its first message), so it opens over TLS.
  const rdp = new WebSocket(`${proxy.url.replace('https', 'wss')}/ws/rdp`, ['binary'], { ca });
  await new Promise<void>((ok, fail) => { rdp.once('open', () => ok()); rdp.once('error', fail); });
  rdp.close();
  const ws = new WebSocket(`${proxy.url.replace('https', 'wss')}/ws/relay?protocol=ssh&port=22`, ['binary'], { ca });
  ws.on('error', () => {});
  const refused = await new Promise<{ status: number; body: string }>((ok) => ws.once('unexpected-response', (_q, r) => {
    let body = '';
    r.on('data', (d: Buffer) => (body += d));
    r.on('end', () => ok({ status: r.statusCode ?? 0, body }));
  }));
  expect(refused.status).toBe(401);
  expect(refused.body).toMatch(/no link or sign-in token/);
});
