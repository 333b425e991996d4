// The offline demo's in-page API (src/demo/local-api.ts) in real Chromium over real IndexedDB: the
// proxy's rules and sentences hold there too — roles and their four link actions, the feature switch,
// links kept when their resource goes, the 500-link limit, the last owner, bad tokens.
import { expect, test, type Page } from '@playwright/test';
import type { Link, Resource, User } from '../../src/shared/api';
import { startHarnessSite, type StaticSite } from './static-site';

let site: StaticSite;
test.beforeAll(async () => {
  site = await startHarnessSite();
});
test.afterAll(async () => {
  await site?.dispose();
});

type Answer<T> = { ok: T; error?: undefined } | { ok?: undefined; error: { status: number; code: string; message: string; field?: string } };

function call<T = unknown>(page: Page, name: string, ...args: unknown[]): Promise<Answer<T>> {
  return page.evaluate(([n, a]) => (window as unknown as { call(n: string, ...a: unknown[]): Promise<unknown> }).call(n, ...a), [name, args] as const) as Promise<Answer<T>>;
}
async function ok<T>(page: Page, name: string, ...args: unknown[]): Promise<T> {
  const a = await call<T>(page, name, ...args);
  if (a.error) throw new Error(`${name}: ${a.error.message}`);
  return a.ok as T;
}

test.beforeEach(async ({ page }) => {
  await page.goto(`${site.url}?page=demo-api`);
  await expect(page.locator('#status')).toHaveText('ready');
});

test('seeded records; each role gets exactly its actions, refused with the proxy\'s sentences', async ({ page }) => {
  const resources = await ok<Resource[]>(page, 'resources');
  const machine = resources.find((r) => r.name === 'Demo machine')!;
  expect(machine.ports).toEqual({ ssh: [22] });
  expect(machine.sshHostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  expect((await ok<User[]>(page, 'users')).map((u) => u.role).sort()).toEqual(['contributor', 'owner', 'reader']);

  await ok(page, 'actAs', 'reader');
  expect((await call(page, 'createLinks', { all: true })).error).toEqual({ status: 403, code: 'forbidden', message: 'Your role (reader) cannot create links.' });
  expect((await call(page, 'deleteLinksByResource', [machine.id])).error?.message).toBe('Your role (reader) cannot delete links by resource.');
  expect((await call(page, 'deleteLinksByToken', ['x'])).error?.message).toBe('Your role (reader) cannot delete links by token.');
  expect(Array.isArray(await ok(page, 'links'))).toBe(true);

  await ok(page, 'actAs', 'contributor');
  const [link] = await ok<Link[]>(page, 'createLinks', { resourceIds: [machine.id] });
  expect(link).toMatchObject({ resourceName: 'Demo machine', status: 'active' });
  expect(link.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect((await call(page, 'users')).error?.message).toBe('Your role (contributor) cannot manage resources, users and settings.');
  expect(await ok(page, 'deleteLinksByToken', [`${site.url}#/l/${link.token}`])).toEqual({ deleted: 1 });
  expect((await call(page, 'deleteLinksByToken', ['not a token'])).error).toMatchObject({
    code: 'bad-request',
    field: 'tokens',
    message: 'Entry 1 is not a link token or link URL; nothing was deleted.',
  });
  await ok(page, 'actAs', 'owner');
});

test('the feature switch, a deleted resource\'s link, and the last owner', async ({ page }) => {
  const r = await ok<Resource>(page, 'createResource', { name: 'Going away', address: 'gone.example.com', ports: { ssh: [22] } });
  const [link] = await ok<Link[]>(page, 'createLinks', { resourceIds: [r.id] });
  expect(await ok(page, 'linkInfo', link.token)).toEqual({ resourceName: 'Going away', ports: { ssh: [22] } });

  await ok(page, 'putSettings', { shareableLinks: false });
  expect((await call(page, 'createLinks', { all: true })).error).toMatchObject({ code: 'feature-disabled' });
  expect((await call(page, 'linkInfo', link.token)).error?.message).toBe('Shareable links are turned off on this Postern, so this link cannot be used now.');
  await ok(page, 'putSettings', { shareableLinks: true });

  await ok(page, 'deleteResource', r.id);
  const kept = (await ok<Link[]>(page, 'links')).find((l) => l.id === link.id);
  expect(kept).toMatchObject({ status: 'resource-deleted', resourceName: 'Going away' });
  expect((await call(page, 'linkInfo', link.token)).error).toEqual({
    status: 410,
    code: 'resource-deleted',
    message: 'The machine this link was for ("Going away") has been deleted, so the link no longer connects.',
  });

  const owner = (await ok<User[]>(page, 'users')).find((u) => u.role === 'owner')!;
  expect((await call(page, 'setUserRole', owner.id, 'reader')).error?.message).toBe('This is the only owner; make someone else an owner first.');
  expect((await call(page, 'createResource', { name: 'x', address: 'http://x', ports: { ssh: [22] } })).error).toMatchObject({ field: 'address' });
});

test('at most 500 links, and a request that would pass the limit creates none', async ({ page }) => {
  const existing = await ok<Link[]>(page, 'links');
  if (existing.length) await ok(page, 'deleteLinksByToken', existing.map((l) => l.token));
  const have = (await ok<Resource[]>(page, 'resources')).length;
  for (let i = have; i < 250; i++) await ok(page, 'createResource', { name: `box-${i}`, address: `box-${i}.example.com`, ports: { ssh: [22] } });
  expect(await ok<Link[]>(page, 'createLinks', { all: true })).toHaveLength(250);
  expect(await ok<Link[]>(page, 'createLinks', { all: true })).toHaveLength(250);
  expect((await call(page, 'createLinks', { all: true })).error).toEqual({
    status: 409,
    code: 'link-limit',
    message: 'This installation allows at most 500 links; it has 500, so 250 more would be too many. Delete some links first.',
  });
  expect(await ok<Link[]>(page, 'links')).toHaveLength(500);
});

test('link policies hold in the demo too, by the same rules: a label, a use limit, hours, edits and renewal', async ({ page }) => {
  const machine = (await ok<Resource[]>(page, 'resources')).find((r) => r.name === 'Demo machine')!;
  expect((await call(page, 'createLinks', { resourceIds: [machine.id], policy: { maxUses: 0 } })).error).toMatchObject({
    status: 400, code: 'bad-request', field: 'maxUses', message: 'Use limit must be a whole number from 1 to 100000.' });

  const [once] = await ok<Link[]>(page, 'createLinks', { resourceIds: [machine.id], label: 'for a visitor', policy: { maxUses: 1 } });
  expect(once).toMatchObject({ label: 'for a visitor', policy: { maxUses: 1 }, uses: 0 });
  expect(await ok(page, 'linkInfo', once.token)).toMatchObject({ resourceName: 'Demo machine', usesLeft: 1 });
  await ok(page, 'linkTarget', once.token);
  expect((await call(page, 'linkTarget', once.token)).error).toEqual({
    status: 410, code: 'link-used-up', message: 'This link could be used once, and has been. Ask the person who shared it to renew it.' });
  expect((await call(page, 'linkInfo', once.token)).error?.code).toBe('link-used-up');
  expect((await ok<Link[]>(page, 'links')).find((l) => l.id === once.id)).toMatchObject({ status: 'used-up', uses: 1 });
  expect(await ok(page, 'updateLink', once.id, { resetUses: true })).toMatchObject({ status: 'active', uses: 0, token: once.token });
  await ok(page, 'linkTarget', once.token);

  const closedDays = [(new Date().getUTCDay() + 3) % 7];
  const [later] = await ok<Link[]>(page, 'createLinks', {
    resourceIds: [machine.id], policy: { hours: { timeZone: 'UTC', windows: [{ days: closedDays, from: '09:00', to: '10:00' }] } } });
  const refused = await call(page, 'linkTarget', later.token);
  expect(refused.error).toMatchObject({ status: 403, code: 'outside-hours' });
  expect(refused.error?.message).toMatch(/works only at set hours\. It opens next on .* \(UTC\)\./);
  expect((await ok<Link[]>(page, 'links')).find((l) => l.id === later.id)?.status).toBe('outside-hours');
  expect((await call(page, 'updateLink', 'no-such-link', { label: 'x' })).error).toMatchObject({ status: 404, message: 'That link no longer exists.' });
});

test('access codes hold in the demo too: asked first, wrong ones counted until the link locks, an edit unlocks or removes it', async ({ page }) => {
  const machine = (await ok<Resource[]>(page, 'resources')).find((r) => r.name === 'Demo machine')!;
  expect((await call(page, 'createLinks', { resourceIds: [machine.id], policy: { accessCode: true } })).error).toMatchObject({
    status: 400, field: 'accessCode', message: 'Type an access code, or generate one.' });
  const [link] = await ok<Link[]>(page, 'createLinks', { resourceIds: [machine.id], accessCode: 'demo-2345' });
  expect(link.policy).toEqual({ accessCode: true });
  expect((await call(page, 'linkInfo', link.token)).error).toMatchObject({ status: 403, code: 'access-code-required' });
  expect((await call(page, 'linkTarget', link.token)).error?.code).toBe('access-code-required');
  expect((await call(page, 'linkInfo', link.token, 'DEMO2346')).error).toMatchObject({
    code: 'wrong-access-code', message: 'That access code is not right. 9 more tries before the link locks for a while.' });
  expect(await ok(page, 'linkInfo', link.token, 'DEMO2345')).toMatchObject({ resourceName: 'Demo machine' });
  await ok(page, 'linkTarget', link.token, 'demo 2345');
  for (let i = 0; i < 9; i++) await call(page, 'linkInfo', link.token, 'WRONG222');
  expect((await call(page, 'linkInfo', link.token, 'DEMO2345')).error).toMatchObject({ status: 423, code: 'link-locked' });
  expect((await ok<Link[]>(page, 'links')).find((l) => l.id === link.id)?.status).toBe('locked');
  expect(await ok(page, 'updateLink', link.id, { unlock: true })).toMatchObject({ status: 'active' });
  expect(await ok(page, 'linkInfo', link.token, 'DEMO2345')).toMatchObject({ resourceName: 'Demo machine' });
  expect(await ok(page, 'updateLink', link.id, { policy: {} })).toMatchObject({ policy: {} });
  expect(await ok(page, 'linkInfo', link.token)).toMatchObject({ resourceName: 'Demo machine' });
});
