// The link's file-transfer rule through the API, on SQLite and on PostgreSQL: stored as sent (both ways
// stored as nothing, so existing links keep both ways), refused with a sentence naming the field,
// edited with an audit row, learnt by the link page, carried by the defaults for new links, and an
// edit that narrows it ends the link's live sessions while one that widens it does not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE, type AuditEntry, type Link } from '../../src/shared/api.ts';
import { apiClient } from '../support/proxy.ts';
import { policyProxyForFile, type PolicyProxy } from '../support/policy-proxy.ts';
import { startPostgres, type PostgresCluster } from '../support/postgres.ts';
import { openRelay, within } from '../support/relay-client.ts';

const NARROWED = "The link's file-transfer rule was narrowed, so the session was ended. Connect again to continue under the new rule.";
const BAD = 'The file-transfer rule must be both, upload, download or off.';

let cluster: PostgresCluster | undefined;
const postgresEnv: Record<string, string> = {};
beforeAll(async () => {
  cluster = await startPostgres();
  postgresEnv.POSTERN_DATABASE_URL = await cluster.createDatabase();
});
afterAll(async () => {
  await cluster?.stop();
});

const stores: [string, PolicyProxy][] = [['SQLite', policyProxyForFile()], ['PostgreSQL', policyProxyForFile({ env: postgresEnv })]];

describe.each(stores)('the file-transfer rule on %s', (store, stage) => {
  const newLink = async (policy: Record<string, unknown>): Promise<Link> => {
    const r = await stage.owner.call('POST', '/api/links', { resourceIds: [stage.resourceId], policy });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body[0];
  };
  const linkInfo = async (link: Link) => (await apiClient(stage.proxy.url)('POST', '/api/link-info', { token: link.token })).body;
  const connect = (link: Link) => openRelay(stage.proxy.url, `protocol=ssh&port=${stage.echoPort}`, ['binary', `postern.link.${link.token}`]);

  it('is stored as sent, both ways as nothing, and the link page learns it when it narrows both ways', async () => {
    const plain = await newLink({});
    expect(plain.policy).toEqual({});
    expect(await linkInfo(plain)).not.toHaveProperty('fileTransfer');
    const both = await newLink({ fileTransfer: 'both' });
    expect(both.policy).toEqual({});
    for (const rule of ['upload', 'download', 'off'] as const) {
      const link = await newLink({ fileTransfer: rule, clipboard: 'off' });
      expect(link.policy).toEqual({ fileTransfer: rule, clipboard: 'off' });
      expect((await linkInfo(link)).fileTransfer).toBe(rule);
      const listed = (await stage.owner.call('GET', '/api/links')).body.find((l: Link) => l.id === link.id);
      expect(listed.policy.fileTransfer).toBe(rule);
    }
    if (store === 'PostgreSQL') {
      // It is this proxy's database that holds it, in the policy's jsonb.
      const database = new URL(postgresEnv.POSTERN_DATABASE_URL).pathname.slice(1);
      const rows = await cluster!.query(`SELECT policy->>'fileTransfer' AS rule FROM links WHERE policy ? 'fileTransfer'`, [], database);
      expect(rows.rows.map((r) => r.rule).sort()).toEqual(['download', 'off', 'upload']);
    }
  });

  it('refuses a value that is not a rule, with a sentence naming the field, and creates nothing', async () => {
    const before = (await stage.owner.call('GET', '/api/links')).body.length;
    for (const bad of ['sideways', 'UPLOAD', 3, false, ['off']]) {
      const r = await stage.owner.call('POST', '/api/links', { resourceIds: [stage.resourceId], policy: { fileTransfer: bad } });
      expect(r.status).toBe(400);
      expect(r.body.error).toEqual({ code: 'bad-request', field: 'fileTransfer', message: BAD });
    }
    expect((await stage.owner.call('GET', '/api/links')).body.length).toBe(before);
  });

  it('an edit changes it and writes an audit row; a bad edit changes nothing', async () => {
    const link = await newLink({ fileTransfer: 'download', label: 'vendor' });
    const edited = await stage.owner.call('PUT', `/api/links/${link.id}`, { policy: { fileTransfer: 'off' } });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body.policy).toEqual({ fileTransfer: 'off' });
    const audit: AuditEntry[] = (await stage.owner.call('GET', '/api/audit?limit=50')).body;
    expect(audit.filter((e) => e.action === 'link.update' && e.linkId === link.id)).toHaveLength(1);

    const bad = await stage.owner.call('PUT', `/api/links/${link.id}`, { policy: { fileTransfer: 'everything' } });
    expect(bad.body.error).toEqual({ code: 'bad-request', field: 'fileTransfer', message: BAD });
    const after = (await stage.owner.call('GET', '/api/links')).body.find((l: Link) => l.id === link.id);
    expect(after.policy).toEqual({ fileTransfer: 'off' });
    expect((await stage.owner.call('GET', '/api/audit?limit=50')).body
      .filter((e: AuditEntry) => e.action === 'link.update' && e.linkId === link.id)).toHaveLength(1);

    expect((await stage.owner.call('PUT', `/api/links/${link.id}`, { policy: { fileTransfer: 'both' } })).body.policy).toEqual({});
    expect(await linkInfo(link)).not.toHaveProperty('fileTransfer');
  });

  it('the defaults for new links carry it, and refuse a bad one', async () => {
    const saved = await stage.owner.call('PUT', '/api/settings', { linkDefaults: { fileTransfer: 'upload' } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect((await stage.owner.call('GET', '/api/me')).body.settings.linkDefaults).toEqual({ fileTransfer: 'upload' });
    const bad = await stage.owner.call('PUT', '/api/settings', { linkDefaults: { fileTransfer: 'sometimes' } });
    expect(bad.body.error).toEqual({ code: 'bad-request', field: 'fileTransfer', message: BAD });
    expect((await stage.owner.call('GET', '/api/me')).body.settings.linkDefaults).toEqual({ fileTransfer: 'upload' });
    await stage.owner.call('PUT', '/api/settings', { linkDefaults: {} });
  });

  it('widening the rule keeps a live session; narrowing it ends the session with a sentence', async () => {
    const link = await newLink({ fileTransfer: 'download' });
    const relay = connect(link);
    await within(5_000, relay.opened);
    await within(5_000, relay.echoes('hello'));
    expect((await stage.owner.call('PUT', `/api/links/${link.id}`, { policy: { fileTransfer: 'both' } })).status).toBe(200);
    const ended = await Promise.race([relay.closed.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 2_000))]);
    expect(ended).toBe(false);
    await within(5_000, relay.echoes('still here'));
    expect((await stage.owner.call('PUT', `/api/links/${link.id}`, { policy: { fileTransfer: 'upload' } })).status).toBe(200);
    expect(await within(5_000, relay.closed)).toEqual({ code: CLOSE.forbidden, reason: NARROWED });
  });
});
