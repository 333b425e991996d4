// A proxy killed with SIGKILL in the middle of creating links leaves nothing half-done: every link
// that exists has its link.create audit row, every such row has its link, and batches are whole.
// The database is then read directly (SQLite file, or PostgreSQL under POSTERN_TEST_DATABASE=postgres).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../proxy/store/postgres.ts';
import { SqliteStore } from '../../proxy/store/sqlite.ts';
import type { Store } from '../../proxy/store/store.ts';
import { signIn, startProxy, type ProxyProcess } from '../support/proxy.ts';

const RESOURCES = 50;
const BATCHES = 20;
const env = { POSTERN_MAX_LINKS: '100000' };
let proxy: ProxyProcess;
let dataDir: string;
let token: string;

async function openStore(p: ProxyProcess): Promise<Store> {
  return p.databaseUrl ? PostgresStore.open(p.databaseUrl, { log: () => {} }) : new SqliteStore(join(p.dataDir, 'postern.db'));
}

beforeAll(async () => {
  proxy = await startProxy({ env });
  dataDir = proxy.dataDir;
  const owner = await signIn(proxy.url, proxy.ownerSigninUrl);
  token = owner.token;
  await owner.call('PUT', '/api/settings', { shareableLinks: true });
  for (let i = 0; i < RESOURCES; i++) {
    await owner.call('POST', '/api/resources', { name: `box-${i}`, address: '127.0.0.1', ports: { ssh: [22] } });
  }
});
afterAll(async () => {
  await proxy?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('kill -9 during batch link creation', () => {
  it('leaves every link with its audit row, and every batch whole, however often it happens', async () => {
    let before = 0;
    for (let round = 1; round <= 4; round++) {
      const { apiClient } = await import('../support/proxy.ts');
      const call = apiClient(proxy.url, token);
      // Twenty batches at once; the process dies as soon as `round` of them have been answered, so
      // the others are somewhere between their first insert and their last audit row.
      let answered = 0;
      const killed = new Promise<void>((ok) => {
        for (let i = 0; i < BATCHES; i++) {
          call('POST', '/api/links', { all: true }).then((r) => {
            expect(r.status).toBe(201);
            if (++answered === round) ok();
          }, () => {});
        }
      });
      await killed;
      await proxy.kill('SIGKILL');

      const store = await openStore(proxy);
      try {
        const links = await store.listLinks();
        const audit = await store.listAudit(1_000_000);
        const audited = new Set(audit.filter((e) => e.action === 'link.create').map((e) => e.linkId));
        expect(links.length, `round ${round}: links made before the kill`).toBeGreaterThanOrEqual(before + round * RESOURCES);
        expect(links.length % RESOURCES, `round ${round}: a batch was cut`).toBe(0);
        expect(links.filter((l) => !audited.has(l.id)).length, `round ${round}: links without their audit row`).toBe(0);
        expect(audited.size, `round ${round}: audit rows without their link`).toBe(links.length);
        before = links.length;
      } finally {
        await store.close();
      }
      proxy = await startProxy({ dataDir, env, waitForSignin: false });
    }
    // Not every batch finished in any round: the kills did land mid-way.
    expect(before).toBeLessThan(4 * BATCHES * RESOURCES);
  });
});
