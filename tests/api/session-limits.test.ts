// A link's session limits, enforced by the proxy on live sessions: the longest session, and the idle
// limit (no input from the visitor); and the clipboard rule as the link page learns it. The proxy's clock moves through POSTERN_TEST_CLOCK_FILE; the
// proxy samples once a second, so each ending is awaited for at most a few seconds, never slept for.
import { describe, expect, it } from 'vitest';
import { CLOSE, type AuditEntry, type Link } from '../../src/shared/api.ts';
import { apiClient } from '../support/proxy.ts';
import { policyProxyForFile } from '../support/policy-proxy.ts';
import { openRelay, within } from '../support/relay-client.ts';

const stage = policyProxyForFile();
const SECOND = 1_000;

async function newLink(policy: Record<string, unknown>): Promise<Link> {
  const r = await stage.owner.call('POST', '/api/links', { resourceIds: [stage.resourceId], policy });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body[0];
}
const connect = (link: Link) => openRelay(stage.proxy.url, `protocol=ssh&port=${stage.echoPort}`, ['binary', `postern.link.${link.token}`]);
/** Whether the session is still open after the proxy has had two ticks to judge it. */
async function stillOpenAfterTwoTicks(relay: ReturnType<typeof connect>) {
  const ended = await Promise.race([relay.closed.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 2.2 * SECOND))]);
  return !ended;
}

describe('session limits', () => {
  it('refuses limits that are not whole minutes in range, naming the field', async () => {
    for (const [policy, field, message] of [
      [{ maxSessionMinutes: 0 }, 'maxSessionMinutes', 'The longest session must be a whole number of minutes from 1 to 10080.'],
      [{ maxSessionMinutes: 1.5 }, 'maxSessionMinutes', 'The longest session must be a whole number of minutes from 1 to 10080.'],
      [{ idleMinutes: 'ten' }, 'idleMinutes', 'The idle limit must be a whole number of minutes from 1 to 1440.'],
      [{ idleMinutes: 1441 }, 'idleMinutes', 'The idle limit must be a whole number of minutes from 1 to 1440.'],
    ] as const) {
      const r = await stage.owner.call('POST', '/api/links', { resourceIds: [stage.resourceId], policy });
      expect(r.body.error).toEqual({ code: 'bad-request', field, message });
    }
  });

  it('the link page learns the limits; a session ends when it reaches the longest session, with a sentence and an audit outcome', async () => {
    const link = await newLink({ maxSessionMinutes: 2 });
    expect((await apiClient(stage.proxy.url)('POST', '/api/link-info', { token: link.token })).body).toMatchObject({ maxSessionMinutes: 2 });
    const relay = connect(link);
    await within(5_000, relay.opened);
    await within(5_000, relay.echoes('hello'));
    stage.setClock(110 * SECOND);
    const early = await stillOpenAfterTwoTicks(relay);
    expect(early, JSON.stringify(await Promise.race([relay.closed, Promise.resolve('open')]))).toBe(true);
    stage.setClock(121 * SECOND);
    expect(await within(5_000, relay.closed)).toEqual({
      code: CLOSE.sessionTooLong, reason: 'This link allows sessions of at most 2 minutes, so the session was ended.',
    });
    await expect.poll(async () => (await stage.owner.call('GET', '/api/audit?limit=20')).body
      .find((e: AuditEntry) => e.action === 'connect' && e.linkId === link.id)?.outcome).toBe('too-long');
  });

  it('input keeps a session alive; after the idle limit with no input it ends', async () => {
    const link = await newLink({ idleMinutes: 1 });
    const relay = connect(link);
    await within(5_000, relay.opened);
    stage.setClock(40 * SECOND);
    await within(5_000, relay.echoes('still here'));
    // Let the proxy see that input at +40 s.
    await new Promise((r) => setTimeout(r, 1.5 * SECOND));
    stage.setClock(90 * SECOND);
    expect(await stillOpenAfterTwoTicks(relay)).toBe(true);
    stage.setClock(102 * SECOND);
    expect(await within(5_000, relay.closed)).toEqual({
      code: CLOSE.sessionIdle, reason: 'Nothing was typed or clicked for 1 minute, so the session was ended, as this link asks.',
    });
  });

  it('the link page learns a clipboard rule that narrows both ways, and nothing for both ways', async () => {
    const off = await newLink({ clipboard: 'off' });
    expect(off.policy).toEqual({ clipboard: 'off' });
    expect((await apiClient(stage.proxy.url)('POST', '/api/link-info', { token: off.token })).body.clipboard).toBe('off');
    const both = await newLink({ clipboard: 'both' });
    expect(both.policy).toEqual({});
    expect((await apiClient(stage.proxy.url)('POST', '/api/link-info', { token: both.token })).body.clipboard).toBeUndefined();
    const bad = await stage.owner.call('POST', '/api/links', { resourceIds: [stage.resourceId], policy: { clipboard: 'sideways' } });
    expect(bad.body.error).toMatchObject({ code: 'bad-request', field: 'clipboard' });
  });

  it('an edit applies to live sessions: limits added later count, and a narrowed clipboard rule ends the session', async () => {
    const link = await newLink({});
    const relay = connect(link);
    await within(5_000, relay.opened);
    await within(5_000, relay.echoes('hello'));
    await new Promise((r) => setTimeout(r, 1.5 * SECOND)); // the proxy sees that input
    expect((await stage.owner.call('PUT', `/api/links/${link.id}`, { policy: { idleMinutes: 1 } })).status).toBe(200);
    stage.setClock(75 * SECOND);
    expect(await within(5_000, relay.closed)).toMatchObject({ code: CLOSE.sessionIdle });
    stage.setClock(0);

    const other = connect(link);
    await within(5_000, other.opened);
    // Widening or keeping the rule leaves the session alone; narrowing it ends the session.
    expect((await stage.owner.call('PUT', `/api/links/${link.id}`, { policy: { clipboard: 'both' } })).status).toBe(200);
    expect(await stillOpenAfterTwoTicks(other)).toBe(true);
    expect((await stage.owner.call('PUT', `/api/links/${link.id}`, { policy: { clipboard: 'to-machine' } })).status).toBe(200);
    expect(await within(5_000, other.closed)).toEqual({
      code: CLOSE.forbidden, reason: "The link's clipboard rule was narrowed, so the session was ended. Connect again to continue under the new rule.",
    });
  });

  it('a link without limits keeps its session however long it lasts', async () => {
    const link = await newLink({});
    const relay = connect(link);
    await within(5_000, relay.opened);
    stage.setClock(30 * 24 * 3600 * SECOND);
    expect(await stillOpenAfterTwoTicks(relay)).toBe(true);
    await within(5_000, relay.echoes('a month later'));
    relay.ws.close();
  });
});
