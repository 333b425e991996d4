// The API router times every request by its route pattern (never the raw path) and logs an
// unexpected failure as one JSON line with no secret in it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../proxy/services/context.ts';
import { createApi } from '../../proxy/api/router.ts';
import { newToken } from '../../proxy/store/tokens.ts';
import { DEFAULTS } from '../../proxy/config/config.ts';
import { createOps, type Ops } from '../../proxy/ops/ops.ts';
import { LiveSessions } from '../../proxy/sessions/live-sessions.ts';

const secret = newToken();
const lines: string[] = [];
let ops: Ops;
let server: http.Server;
let base: string;

beforeAll(async () => {
  ops = createOps({ logLevel: 'info' }, { write: (s: string) => void lines.push(s) });
  // A store whose every call fails, with a token in its message (as a careless driver might put it).
  const store = new Proxy({}, { get: () => async () => { throw new Error(`store exploded near ${secret}`); } });
  const services = {
    store, config: { ...DEFAULTS }, live: new LiveSessions(), ops, signinUrl: (t: string) => `http://x/#/signin/${t}`,
  } as unknown as Services;
  const api = createApi(services);
  server = http.createServer((req, res) => void api(req, res, new URL(req.url ?? '/', 'http://proxy')));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server?.close(r)));

function count(text: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`postern_api_request_duration_seconds_count{${labels}} `));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('API metrics', () => {
  it('labels requests with the matched pattern, or unmatched', async () => {
    expect((await fetch(`${base}/api/health`)).status).toBe(200);
    expect((await fetch(`${base}/api/resources/res0123456789`, { method: 'DELETE' })).status).toBe(401);
    expect((await fetch(`${base}/api/resources/res0123456789`, { method: 'PATCH' })).status).toBe(405);
    expect((await fetch(`${base}/api/no/such/thing-42`)).status).toBe(404);
    const text = await ops.metrics.text();
    expect(count(text, 'method="GET",route="/api/health",status="200"')).toBe(1);
    expect(count(text, 'method="DELETE",route="/api/resources/:id",status="401"')).toBe(1);
    expect(count(text, 'method="PATCH",route="/api/resources/:id",status="405"')).toBe(1);
    expect(count(text, 'method="GET",route="unmatched",status="404"')).toBe(1);
    expect(text).not.toContain('res0123456789');
    expect(text).not.toContain('thing-42');
  });

  it('logs an internal failure once, by route pattern, without the secret', async () => {
    const res = await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${newToken()}` } });
    expect(res.status).toBe(500);
    expect((await res.json()).error.code).toBe('internal');
    const errors = lines.map((l) => JSON.parse(l)).filter((l) => l.event === 'internal-error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ level: 'error', where: 'API GET /api/me', error: { name: 'Error', message: 'store exploded near [redacted]' } });
    expect(lines.join('')).not.toContain(secret);
    expect(count(await ops.metrics.text(), 'method="GET",route="/api/me",status="500"')).toBe(1);
  });
});
