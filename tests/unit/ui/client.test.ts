// The API client against a real HTTP server on loopback: status codes, JSON errors, and "offline".
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, ApiError, OfflineError } from '../../../src/api/client';

let server: Server;
let base: string;
const seen: { method?: string; url?: string; auth?: string; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
      const json = (status: number, v: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(v));
      };
      if (req.url === '/api/me') return json(200, { user: { name: 'Ann' } });
      if (req.url === '/api/link-info') return json(410, { error: { code: 'resource-deleted', message: 'The machine was removed.' } });
      if (req.url === '/api/resources') return json(400, { error: { code: 'bad-request', message: 'Bad port.', field: 'ports' } });
      if (req.url === '/api/session') return void res.writeHead(204).end();
      if (req.url === '/api/html') return void res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>');
      if (req.url === '/api/boom') return void res.writeHead(500).end('oops');
      res.writeHead(404, { 'Content-Type': 'text/html' }).end('<h1>Not found</h1>');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('ApiClient', () => {
  it('sends the bearer token and parses JSON', async () => {
    const api = new ApiClient({ baseUrl: base, getToken: () => 'sekrit' });
    expect(await api.me()).toEqual({ user: { name: 'Ann' } });
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/api/me', auth: 'Bearer sekrit' });
  });

  it('turns error bodies into ApiError with status, code, sentence and field', async () => {
    const api = new ApiClient({ baseUrl: base });
    const e1 = await api.linkInfo('t').catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(ApiError);
    expect(e1).toMatchObject({ status: 410, code: 'resource-deleted', message: 'The machine was removed.' });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: '{"token":"t"}', auth: undefined });
    const e2 = await api.createResource({ name: 'x', address: 'y', ports: {} }).catch((e: unknown) => e);
    expect(e2).toMatchObject({ status: 400, code: 'bad-request', field: 'ports' });
  });

  it('accepts 204 with no body', async () => {
    await expect(new ApiClient({ baseUrl: base }).signOut()).resolves.toBeUndefined();
  });

  it('treats a page that is not the API as offline: static host 404s, HTML, refused connections', async () => {
    const api = new ApiClient({ baseUrl: base });
    await expect(api.request('GET', 'nothing-here')).rejects.toBeInstanceOf(OfflineError);
    await expect(api.request('GET', 'html')).rejects.toBeInstanceOf(OfflineError);
    const closed = new ApiClient({ baseUrl: 'http://127.0.0.1:1/api/' });
    const e = await closed.me().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OfflineError);
    expect((e as OfflineError).code).toBe('offline');
  });

  it('reports an unexpected 500 as an ApiError with a sentence', async () => {
    const e = await new ApiClient({ baseUrl: base }).request('GET', 'boom').catch((x: unknown) => x);
    expect(e).toMatchObject({ status: 500, code: 'internal' });
    expect((e as Error).message).toMatch(/unexpected error \(HTTP 500\)/);
  });
});
