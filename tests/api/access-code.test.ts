// Access codes through the proxy: set on create and edit (only a slow hash is kept), asked for on the
// link page's look-up and on every tunnel, and the two lockouts (per address, per link) by the proxy's
// clock, which POSTERN_TEST_CLOCK_FILE moves: nothing here sleeps through a lockout.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Link } from '../../src/shared/api.ts';
import { LOCKOUT } from '../../src/shared/rules/policy.ts';
import { apiClient } from '../support/proxy.ts';
import { policyProxyForFile } from '../support/policy-proxy.ts';
import { openRelay, within } from '../support/relay-client.ts';

const stage = policyProxyForFile({ args: ['--client-address-header', 'X-Forwarded-For', '--trusted-proxies', '127.0.0.1'] });
let addressCounter = 0;
/** A fresh client address each time (the proxy believes X-Forwarded-For from 127.0.0.1 here). */
const newAddress = () => `198.51.100.${++addressCounter}`;

async function newLink(extra: Record<string, unknown> = {}): Promise<Link> {
  const r = await stage.owner.call('POST', '/api/links', { resourceIds: [stage.resourceId], ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body[0];
}

const lookUp = (link: Link, accessCode: unknown, address = newAddress()) =>
  apiClient(stage.proxy.url)('POST', '/api/link-info', { token: link.token, ...(accessCode === undefined ? {} : { accessCode }) }, {
    'x-forwarded-for': address,
  });
const connect = (link: Link, code?: string, address = newAddress()) =>
  openRelay(stage.proxy.url, `protocol=ssh&port=${stage.echoPort}`, ['binary', `postern.link.${link.token}${code ? `.${code}` : ''}`], {
    'x-forwarded-for': address,
  });
const listed = async (link: Link): Promise<Link> => (await stage.owner.call('GET', '/api/links')).body.find((l: Link) => l.id === link.id);

describe('access codes', () => {
  it('refuses a missing or malformed code on create with a sentence beside the field, and creates nothing', async () => {
    const before = (await stage.owner.call('GET', '/api/links')).body.length;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ policy: { accessCode: true } }, /^Type an access code, or generate one\.$/],
      [{ accessCode: 'ABC' }, /has 6 to 10 characters/],
      [{ accessCode: 'ABCD_000' }, /"_" cannot be in an access code/],
      [{ accessCode: 42 }, /Type an access code/],
    ];
    for (const [extra, message] of cases) {
      const r = await stage.owner.call('POST', '/api/links', { resourceIds: [stage.resourceId], ...extra });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'bad-request', field: 'accessCode', message: expect.stringMatching(message) });
    }
    const flag = await stage.owner.call('POST', '/api/links', { resourceIds: [stage.resourceId], policy: { accessCode: 'yes' } });
    expect(flag.body.error).toMatchObject({ field: 'policy.accessCode' });
    expect((await stage.owner.call('GET', '/api/links')).body).toHaveLength(before);
  });

  it('keeps only a slow hash: the code is in no answer, no audit entry and not in the database file', async () => {
    const link = await newLink({ label: 'vendor', accessCode: 'kx7m-q2pz' });
    expect(link.policy).toEqual({ accessCode: true });
    expect(await listed(link)).toMatchObject({ policy: { accessCode: true }, status: 'active' });
    const everything = JSON.stringify([(await stage.owner.call('GET', '/api/links')).body, (await stage.owner.call('GET', '/api/audit')).body]);
    expect(everything).not.toMatch(/KX7MQ2PZ|kx7m/i);
    expect(everything).not.toContain('scrypt');
    if (stage.proxy.databaseUrl) return; // PostgreSQL: no file to read here
    const db = readdirSync(stage.dataDir).filter((n) => /\.db(-wal)?$/.test(n)).map((f) => readFileSync(join(stage.dataDir, f)).toString('latin1')).join('');
    expect(db).toMatch(/scrypt\$16384\$8\$1\$/);
    expect(db).not.toContain('KX7MQ2PZ');
  });

  it('asks for the code before saying anything about the machine; a wrong one says how many tries are left; case and dashes do not matter', async () => {
    const link = await newLink({ accessCode: 'KX7MQ2PZ' });
    const address = newAddress();
    const asked = await lookUp(link, undefined, address);
    expect(asked.status).toBe(403);
    expect(asked.body.error).toMatchObject({ code: 'access-code-required', message: expect.stringMatching(/asks for an access code/) });
    expect(JSON.stringify(asked.body)).not.toContain('echo-box');
    const wrong = await lookUp(link, 'KX7MQ2PA', address);
    expect(wrong.status).toBe(403);
    expect(wrong.body.error).toMatchObject({ code: 'wrong-access-code', message: `That access code is not right. ${LOCKOUT.perAddress - 1} more tries before the link locks for a while.` });
    expect(JSON.stringify(wrong.body)).not.toContain('echo-box');
    const right = await lookUp(link, 'kx7m-q2pz', address);
    expect(right.status).toBe(200);
    expect(right.body).toMatchObject({ resourceName: 'echo-box' });
    // Malformed codes are wrong codes, never a crash: too long, not a string, odd characters.
    for (const odd of ['x'.repeat(10_000), 'ÄÖÜ漢字🙂', '../../etc']) {
      expect((await lookUp(link, odd)).body.error.code).toBe('wrong-access-code');
    }
    expect((await lookUp(link, { code: 1 })).body.error.code).toBe('access-code-required');
  });

  it('a tunnel needs the code too: none or a wrong one is refused before any byte is relayed; the right one relays', async () => {
    const link = await newLink({ accessCode: 'KX7MQ2PZ' });
    expect((await within(5_000, connect(link).refused)).status).toBe(403);
    expect((await within(5_000, connect(link, 'KX7MQ2PA').refused)).status).toBe(403);
    const check = await apiClient(stage.proxy.url)('POST', '/api/tunnel-check', {
      credential: `postern.link.${link.token}.WRONGCODE`, protocol: 'ssh', port: stage.echoPort,
    }, { 'x-forwarded-for': newAddress() });
    expect(check.body.error).toMatchObject({ code: 'wrong-access-code' });
    const ok = await apiClient(stage.proxy.url)('POST', '/api/tunnel-check', {
      credential: `postern.link.${link.token}.KX7MQ2PZ`, protocol: 'ssh', port: stage.echoPort,
    }, { 'x-forwarded-for': newAddress() });
    expect(ok.status).toBe(204);
    const relay = connect(link, 'KX7MQ2PZ');
    await within(5_000, relay.opened);
    await within(5_000, relay.echoes('hello'));
    relay.ws.close();
  });

  it(`locks an address after ${LOCKOUT.perAddress} wrong codes (other addresses still get in), until the window passes`, async () => {
    const link = await newLink({ accessCode: 'KX7MQ2PZ' });
    const guesser = newAddress();
    for (let i = 1; i < LOCKOUT.perAddress; i++) expect((await lookUp(link, 'AAAAAAAA', guesser)).body.error.code).toBe('wrong-access-code');
    const last = await lookUp(link, 'AAAAAAAA', guesser);
    expect(last.status).toBe(423);
    expect(last.body.error).toMatchObject({ code: 'link-locked', message: expect.stringMatching(/came from your address.*15 more minutes/) });
    // Even the right code is refused from there now, on the look-up and on a tunnel.
    expect((await lookUp(link, 'KX7MQ2PZ', guesser)).status).toBe(423);
    expect((await within(5_000, connect(link, 'KX7MQ2PZ', guesser).refused)).status).toBe(423);
    expect((await lookUp(link, 'KX7MQ2PZ')).status).toBe(200);
    stage.setClock(LOCKOUT.windowMs + 1_000);
    expect((await lookUp(link, 'KX7MQ2PZ', guesser)).status).toBe(200);
  });

  it(`locks the link after ${LOCKOUT.perLink} wrong codes from any addresses; the list says Locked; an owner unlocks it`, async () => {
    const link = await newLink({ accessCode: 'KX7MQ2PZ' });
    for (let i = 1; i < LOCKOUT.perLink; i++) expect((await lookUp(link, 'AAAAAAAA')).body.error.code).toBe('wrong-access-code');
    const last = await lookUp(link, 'AAAAAAAA');
    expect(last.body.error).toMatchObject({ code: 'link-locked', message: expect.stringMatching(/tried on this link.*can unlock it/) });
    expect((await lookUp(link, 'KX7MQ2PZ')).body.error.code).toBe('link-locked');
    const locked = await listed(link);
    expect(locked.status).toBe('locked');
    expect(locked.wrongCodes).toHaveLength(LOCKOUT.perLink);
    const audit = (await stage.owner.call('GET', '/api/audit?limit=50')).body as { action: string; outcome: string; count?: number }[];
    expect(audit.some((e) => e.action === 'link.lookup' && e.outcome === 'wrong-code')).toBe(true);
    expect(audit.some((e) => e.action === 'link.lookup' && e.outcome === 'locked')).toBe(true);

    const unlocked = await stage.owner.call('PUT', `/api/links/${link.id}`, { unlock: true });
    expect(unlocked.body).toMatchObject({ status: 'active' });
    expect(unlocked.body.wrongCodes).toBeUndefined();
    expect((await lookUp(link, 'KX7MQ2PZ')).status).toBe(200);
  });

  it('an edit sets a new code (the old one stops working), keeps it, or removes it; asking for a code needs one', async () => {
    const link = await newLink({ accessCode: 'KX7MQ2PZ' });
    const plain = await newLink();
    const needs = await stage.owner.call('PUT', `/api/links/${plain.id}`, { policy: { accessCode: true } });
    expect(needs.body.error).toMatchObject({ code: 'bad-request', field: 'accessCode' });

    expect((await stage.owner.call('PUT', `/api/links/${link.id}`, { accessCode: 'NEWKEY99' })).status).toBe(200);
    expect((await lookUp(link, 'KX7MQ2PZ')).body.error.code).toBe('wrong-access-code');
    expect((await lookUp(link, 'NEWKEY99')).status).toBe(200);

    const kept = await stage.owner.call('PUT', `/api/links/${link.id}`, { label: 'renamed', policy: { maxUses: 3, accessCode: true } });
    expect(kept.body).toMatchObject({ label: 'renamed', policy: { maxUses: 3, accessCode: true } });
    expect((await lookUp(link, 'NEWKEY99')).status).toBe(200);

    const removed = await stage.owner.call('PUT', `/api/links/${link.id}`, { policy: { maxUses: 3 } });
    expect(removed.body.policy).toEqual({ maxUses: 3 });
    expect((await lookUp(link, undefined)).status).toBe(200);
  });
});
