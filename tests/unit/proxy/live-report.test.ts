// A proxy's report of its live sessions to the store: soon after one opens or closes, at once when
// asked (flush, before a listing), and withdrawn when the proxy stops.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { reportLiveSessions, type LiveReport } from '../../../proxy/sessions/live-report.ts';
import { LiveSessions } from '../../../proxy/sessions/live-sessions.ts';
import { SqliteStore } from '../../../proxy/store/sqlite.ts';

let store: SqliteStore;
let live: LiveSessions;
let report: LiveReport;
const errors: unknown[] = [];

const facts = {
  actor: 'ann', resourceId: 'r1', resourceName: 'box', protocol: 'ssh' as const, port: 22,
  clientAddress: '192.0.2.9', startedAt: '2026-01-01T00:00:00.000Z',
};

beforeEach(() => {
  store = new SqliteStore(':memory:');
  live = new LiveSessions();
  report = reportLiveSessions(store, live, (e) => errors.push(e));
});
afterEach(async () => {
  await report.stop();
  await store.close();
  expect(errors).toEqual([]);
});

async function listedSoon(n: number) {
  for (let i = 0; i < 100 && (await store.liveSessions.list()).length !== n; i++) await new Promise((r) => setTimeout(r, 10));
  return store.liveSessions.list();
}

it('reports a session soon after it opens, and its going soon after it closes', async () => {
  let up = 3;
  const close = live.add({ resourceId: 'r1', facts, bytes: () => ({ bytesUp: up, bytesDown: 4 }), end: () => {} });
  const [s] = await listedSoon(1);
  expect(s).toMatchObject({ ...facts, bytesUp: 3, bytesDown: 4, proxyId: report.proxyId });
  up = 10;
  await report.flush();
  expect((await store.liveSessions.list())[0].bytesUp).toBe(10);
  close();
  expect(await listedSoon(0)).toEqual([]);
});

it('withdraws its sessions when the proxy stops', async () => {
  live.add({ resourceId: 'r1', facts, end: () => {} });
  await report.flush();
  expect(await store.liveSessions.list()).toHaveLength(1);
  await report.stop();
  expect(await store.liveSessions.list()).toEqual([]);
});
