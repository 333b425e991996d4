// Link policies through the proxy (issue 12, first slice): a label and a policy on create and on
// edit, statuses by the proxy's clock, refusals for expired, used-up and outside-hours links on the
// look-up and the tunnel, the use count (a single-use link works once, however many race for it),
// and live sessions ended by expiry and by an edit. The proxy's clock is moved through
// POSTERN_TEST_CLOCK_FILE (proxy/clock.ts): nothing here sleeps for a policy's time.
import { describe, expect, it } from 'vitest';
import { CLOSE, type AuditEntry, type Link } from '../../src/shared/api.ts';
import { apiClient, signIn } from '../support/proxy.ts';
import { policyProxyForFile } from '../support/policy-proxy.ts';
import { openRelay, within } from '../support/relay-client.ts';

const stage = policyProxyForFile();
const HOUR = 3_600_000;
const inHours = (h: number) => new Date(Date.now() + h * HOUR).toISOString();

async function newLink(extra: Record<string, unknown> = {}): Promise<Link> {
  const r = await stage.owner.call('POST', '/api/links', { resourceIds: [stage.resourceId], ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body[0];
}

const linkInfo = (link: Link) => apiClient(stage.proxy.url)('POST', '/api/link-info', { token: link.token });
const listed = async (link: Link): Promise<Link> => (await stage.owner.call('GET', '/api/links')).body.find((l: Link) => l.id === link.id);
const connect = (link: Link) => openRelay(stage.proxy.url, `protocol=ssh&port=${stage.echoPort}`, ['binary', `postern.link.${link.token}`]);

/** Hours that exclude the present: one window, three days from today (UTC). */
const closedHours = () => ({ timeZone: 'UTC', windows: [{ days: [(new Date().getUTCDay() + 3) % 7], from: '09:00', to: '10:00' }] });

describe('link policies', () => {
  it('keeps a label and a policy from create, lists them with uses and status, and tells the link page', async () => {
    const expiresAt = inHours(2);
    const link = await newLink({ label: 'for the vendor', policy: { expiresAt, maxUses: 3 } });
    expect(link).toMatchObject({ label: 'for the vendor', policy: { expiresAt, maxUses: 3 }, uses: 0, status: 'active' });
    expect(await listed(link)).toMatchObject({ label: 'for the vendor', policy: { expiresAt, maxUses: 3 }, uses: 0, status: 'active' });
    const info = await linkInfo(link);
    expect(info.body).toMatchObject({ resourceName: 'echo-box', closesAt: expiresAt, usesLeft: 3 });
    const plain = await newLink();
    expect((await linkInfo(plain)).body.closesAt).toBeUndefined();
    const audit = (await stage.owner.call('GET', '/api/audit')).body.find((e: AuditEntry) => e.action === 'link.create' && e.linkId === link.id);
    expect(audit.detail).toBe('for the vendor');
  });

  it('refuses a bad label or policy with a sentence that names the field, and creates nothing', async () => {
    const before = (await stage.owner.call('GET', '/api/links')).body.length;
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ policy: { expiresAt: new Date(Date.now() - 60_000).toISOString() } }, 'expiresAt', /Expiry must be in the future/],
      [{ policy: { expiresAt: 'tomorrow' } }, 'expiresAt', /Expiry must be a date and time/],
      [{ policy: { maxUses: 0 } }, 'maxUses', /Use limit must be a whole number/],
      [{ policy: { hours: { timeZone: 'Mars/Olympus', windows: [] } } }, 'hours.timeZone', /not a time zone/],
      [{ policy: { hours: { timeZone: 'UTC', windows: [{ days: [1], from: '18:00', to: '08:00' }] } } }, 'hours.windows', /end after it starts/],
      [{ policy: 'forever' }, 'policy', /must be an object/],
      [{ label: 'x'.repeat(201) }, 'label', /Label must be at most 200 characters/],
    ];
    for (const [extra, field, message] of cases) {
      const r = await stage.owner.call('POST', '/api/links', { resourceIds: [stage.resourceId], ...extra });
      expect(r.status, field).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'bad-request', field });
      expect(r.body.error.message).toMatch(message);
    }
    expect((await stage.owner.call('GET', '/api/links')).body).toHaveLength(before);
  });

  it('refuses an expired link on the look-up and the tunnel, by the proxy\'s clock, and renews it without a new URL', async () => {
    const link = await newLink({ policy: { expiresAt: inHours(1) } });
    stage.setClock(2 * HOUR);
    const info = await linkInfo(link);
    expect(info.status).toBe(410);
    expect(info.body.error).toMatchObject({ code: 'link-expired' });
    expect(info.body.error.message).toMatch(/This link expired on .* Ask the person who shared it for a new one/);
    const refused = await connect(link).refused;
    expect(refused.status).toBe(410);
    expect(refused.body).toMatch(/This link expired/);
    expect((await listed(link)).status).toBe('expired');

    const renewed = await stage.owner.call('PUT', `/api/links/${link.id}`, { policy: { expiresAt: inHours(3) } });
    expect(renewed.status).toBe(200);
    expect(renewed.body).toMatchObject({ id: link.id, token: link.token, status: 'active' });
    expect((await linkInfo(link)).status).toBe(200);
    const c = connect(link);
    await c.opened;
    await c.echoes('renewed');
    c.ws.close();
  });

  it('refuses a link outside its hours, saying when it opens next', async () => {
    const link = await newLink({ policy: { hours: closedHours() } });
    const info = await linkInfo(link);
    expect(info.status).toBe(403);
    expect(info.body.error.code).toBe('outside-hours');
    expect(info.body.error.message).toMatch(/works only at set hours\. It opens next on .* \(UTC\)/);
    expect((await connect(link).refused).status).toBe(403);
    expect((await listed(link)).status).toBe('outside-hours');
    // Edited to hours that include every day, all day: it works.
    const allDay = { timeZone: 'UTC', windows: [{ days: [0, 1, 2, 3, 4, 5, 6], from: '00:00', to: '23:59' }] };
    expect((await stage.owner.call('PUT', `/api/links/${link.id}`, { policy: { hours: allDay } })).status).toBe(200);
    if (new Date().toISOString().slice(11, 16) < '23:59') expect((await linkInfo(link)).status).toBe(200);
  });

  it('counts a single-use link once the machine answered: it works once, then says it was used, until renewed', async () => {
    const link = await newLink({ policy: { maxUses: 1 } });
    const first = connect(link);
    await first.opened;
    await first.echoes('once');
    first.ws.close();
    await first.closed;
    let seen = await listed(link);
    for (let i = 0; i < 100 && seen.uses !== 1; i++) seen = await listed(link);
    expect(seen).toMatchObject({ uses: 1, status: 'used-up' });

    const again = connect(link);
    const refused = await again.refused;
    expect(refused.status).toBe(410);
    expect(refused.body).toMatch(/could be used once, and has been/);
    const info = await linkInfo(link);
    expect(info.body.error.code).toBe('link-used-up');

    const renewed = await stage.owner.call('PUT', `/api/links/${link.id}`, { resetUses: true });
    expect(renewed.body).toMatchObject({ uses: 0, status: 'active', token: link.token });
    expect((await linkInfo(link)).body.usesLeft).toBe(1);
    const audit = (await stage.owner.call('GET', '/api/audit')).body.filter((e: AuditEntry) => e.action === 'link.update' && e.linkId === link.id);
    expect(audit).toHaveLength(1);
  });

  it('lets only one of two visitors racing for a single-use link through; the other is ended as used up', async () => {
    const link = await newLink({ policy: { maxUses: 1 } });
    const a = connect(link);
    const b = connect(link);
    await Promise.all([a.opened, b.opened]);
    a.ws.send(Buffer.from('a'));
    b.ws.send(Buffer.from('b'));
    const ended = await within(5000, Promise.race([a.closed.then((c) => ({ c, who: a })), b.closed.then((c) => ({ c, who: b }))]));
    expect(ended.c.code).toBe(CLOSE.linkUsedUp);
    expect(ended.c.reason).toMatch(/Someone else used this link meanwhile/);
    const winner = ended.who === a ? b : a;
    await winner.echoes('still here');
    winner.ws.close();
    expect((await listed(link)).uses).toBe(1);
  });

  it('ends a live session when its link expires, by a timer to the proxy\'s clock', async () => {
    const link = await newLink({ policy: { expiresAt: inHours(1) } });
    // The proxy's clock now stands 300 ms before the expiry.
    stage.setClock(HOUR - 300);
    const c = connect(link);
    await c.opened;
    await c.echoes('before');
    const closed = await within(3000, c.closed);
    expect(closed.code).toBe(CLOSE.linkExpired);
    expect(closed.reason).toMatch(/This link expired/);
  });

  it('ends a live session at once when an edit forbids it, and not when an edit allows it', async () => {
    const link = await newLink({ policy: { maxUses: 5 } });
    const c = connect(link);
    await c.opened;
    await c.echoes('hi');
    // Lowering the use limit to the uses made does not end a session that was counted.
    expect((await stage.owner.call('PUT', `/api/links/${link.id}`, { label: 'kept', policy: { maxUses: 1 } })).status).toBe(200);
    await c.echoes('still');
    expect((await stage.owner.call('PUT', `/api/links/${link.id}`, { policy: { hours: closedHours() } })).status).toBe(200);
    const closed = await within(1000, c.closed);
    expect(closed.code).toBe(CLOSE.outsideHours);
    expect(closed.reason).toMatch(/works only at set hours/);
  });

  it('audits each refusal above with its own outcome, for the tunnel and the look-up', async () => {
    const want = ['expired', 'used-up', 'outside-hours'];
    let rows: AuditEntry[] = [];
    for (let i = 0; i < 50; i++) {
      rows = (await stage.owner.call('GET', '/api/audit?limit=500')).body;
      if (want.every((o) => rows.some((e) => e.action === 'connect' && e.outcome === o))) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const o of want) {
      expect(rows.some((e) => e.action === 'connect' && e.outcome === o), `connect ${o}`).toBe(true);
      expect(rows.some((e) => e.action === 'link.lookup' && e.outcome === o), `link.lookup ${o}`).toBe(true);
    }
    const expired = rows.find((e) => e.action === 'connect' && e.outcome === 'expired');
    expect(expired?.detail).toMatch(/This link expired/);
  });

  it('edits only with links.create, and says when the link is gone', async () => {
    const link = await newLink();
    const missing = await stage.owner.call('PUT', '/api/links/no-such-link', { label: 'x' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe('That link no longer exists.');
    const bad = await stage.owner.call('PUT', `/api/links/${link.id}`, { policy: { maxUses: -1 } });
    expect(bad.body.error).toMatchObject({ code: 'bad-request', field: 'maxUses' });
    const signin = (await stage.owner.call('POST', '/api/users', { name: 'rita', role: 'reader' })).body.signinUrl;
    const reader = await signIn(stage.proxy.url, signin);
    expect((await reader.call('PUT', `/api/links/${link.id}`, { label: 'x' })).status).toBe(403);
    expect((await listed(link)).label).toBeUndefined();
  });
});

describe('defaults for new links', () => {
  it('an owner saves them (audited), everyone signed in reads them in /api/me; mistakes name their field and change nothing', async () => {
    const defaults = { expiresIn: '1d', maxUses: 3, idleMinutes: 15, clipboard: 'to-machine', accessCode: true };
    const saved = await stage.owner.call('PUT', '/api/settings', { linkDefaults: defaults });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ shareableLinks: true, linkDefaults: defaults });
    expect((await stage.owner.call('GET', '/api/me')).body.settings.linkDefaults).toEqual(defaults);
    const audit = (await stage.owner.call('GET', '/api/audit?limit=5')).body.find((e: AuditEntry) => e.action === 'settings.link-defaults');
    expect(audit).toMatchObject({ actor: stage.owner.me.user.name, outcome: 'ok' });

    for (const [bad, field] of [
      [{ expiresIn: '2d' }, 'expiresIn'],
      [{ expiresAt: inHours(1) }, 'expiresIn'],
      [{ maxUses: -1 }, 'maxUses'],
      [{ clipboard: 'sideways' }, 'clipboard'],
      ['none', 'linkDefaults'],
    ] as const) {
      const r = await stage.owner.call('PUT', '/api/settings', { linkDefaults: bad, shareableLinks: false });
      expect(r.status).toBe(400);
      expect(r.body.error.field).toBe(field);
    }
    // Nothing changed: neither the defaults nor the switch sent beside the bad defaults.
    expect((await stage.owner.call('GET', '/api/me')).body.settings).toMatchObject({ shareableLinks: true, linkDefaults: defaults });
    expect((await stage.owner.call('PUT', '/api/settings', {})).body.error.message).toBe('Send shareableLinks, linkDefaults, or both.');
    // Links made through the API get only what they ask for.
    expect((await newLink()).policy).toEqual({});
    await stage.owner.call('PUT', '/api/settings', { linkDefaults: {} });
  });
});
