// A resource's address against a real proxy: every kind of refusal is a 400 naming the field with the
// rule's sentence (src/shared/rules/address.ts), on create and on edit, and nothing is stored; the accepted
// forms are stored as the proxy dials them (an IPv6 literal without its brackets).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, startProxy, type ProxyProcess } from '../support/proxy.ts';

let proxy: ProxyProcess;
let owner: Awaited<ReturnType<typeof signIn>>;

beforeAll(async () => {
  proxy = await startProxy();
  owner = await signIn(proxy.url, proxy.ownerSigninUrl);
});
afterAll(async () => {
  await proxy?.stop();
});

let n = 0;
const resource = (address: unknown) => ({ name: `box-${++n}`, address, ports: { ssh: [22] } });

const refused: [unknown, RegExp][] = [
  ['10.0.0.1:22', /^Address: remove the port \(22\); ports are set per protocol below\.$/],
  ['[2001:db8::1]:3389', /^Address: remove the port \(3389\)/],
  [':::::', /^Address: ::::: is not an IPv6 address: it has "::" more than once/],
  ['1:2:3:4:5:6:7:8:9', /is not an IPv6 address: it has 9 groups/],
  ['10.0.0.256', /^Address: 256 in 10\.0\.0\.256 is more than 255\.$/],
  ['010.0.0.1', /has a leading zero/],
  ['1.2.3', /is an IPv4 address in a shortened form/],
  ['0.0.0.0', /is the unspecified address and names no machine/],
  ['[10.0.0.1]', /brackets are only for IPv6 addresses/],
  ['http://db.internal', /^Address: remove the scheme \(http:\/\/\)/],
  ['root@db.internal', /remove the user name \(root@\)/],
  ['db.internal/x', /remove the path \(\/x\)/],
  ['db_1.internal', /may hold only letters, digits, hyphens and dots, not "_"/],
  ['bücher.example', /in its ASCII form \(xn--…\)/],
  ['-db.internal', /may not start or end with a hyphen/],
  [`${'a'.repeat(64)}.example`, /at most 63/],
  ['', /^Address is required\.$/],
  [42, /^Address is required\.$/],
];

describe('resource addresses', () => {
  it('refuses each bad address with 400, the field and a sentence, on create and on edit, storing nothing', async () => {
    const kept = await owner.call('POST', '/api/resources', resource('db.internal'));
    expect(kept.status).toBe(201);
    for (const [address, message] of refused) {
      for (const r of [
        await owner.call('POST', '/api/resources', resource(address)),
        await owner.call('PUT', `/api/resources/${kept.body.id}`, resource(address)),
      ]) {
        expect(r.status, String(address)).toBe(400);
        expect(r.body.error.field, String(address)).toBe('address');
        expect(r.body.error.message, String(address)).toMatch(message);
      }
    }
    const list = (await owner.call('GET', '/api/resources')).body;
    expect(list.map((r: { address: string }) => r.address)).toEqual(['db.internal']);
    expect((await owner.call('DELETE', `/api/resources/${kept.body.id}`)).status).toBe(204);
  });

  it('stores host names and IP literals as the proxy dials them', async () => {
    const cases: [string, string][] = [
      ['192.0.2.10', '192.0.2.10'],
      [' db.internal. ', 'db.internal.'],
      ['2001:db8::1', '2001:db8::1'],
      ['[2001:db8::2]', '2001:db8::2'],
      ['::ffff:192.0.2.10', '::ffff:192.0.2.10'],
    ];
    for (const [address, stored] of cases) {
      const r = await owner.call('POST', '/api/resources', resource(address));
      expect(r.status, address).toBe(201);
      expect(r.body.address).toBe(stored);
    }
  });
});
