// What every Store backend must do alike (SQLite and PostgreSQL): store.test.ts runs these tests
// once per backend. A test here knows nothing of the backend behind `store()`.
import { expect, it } from 'vitest';
import { hashToken } from '../../../proxy/store/tokens.ts';
import { StoreConflict, type Store } from '../../../proxy/store/store.ts';
import type { LiveSessionInfo } from '../../../src/shared/api.ts';

export const res = (name: string, ports: Record<string, number[]> = { ssh: [22] }) => ({ name, address: '10.0.0.1', ports });

/** A connect row as a schema-5 database (before the file columns) holds it: `INSERT INTO audit ${columns} VALUES ${values}`. */
export const SCHEMA5_AUDIT_ROW = {
  columns: '(at, action, actor, protocol, port, outcome, detail, bytes_up, bytes_down, duration_ms)',
  values: "('2026-01-02T03:04:05.000Z', 'connect', 'link visitor', 'rdp', 3389, 'ok', 'Files through the clipboard: 1 file (12 bytes) from the machine.', 10, 20, 30)",
};

/** After the migration the schema-5 row reads back whole, with no files, and takes file counts from now on. */
export async function expectSchema5RowKept(store: Store): Promise<void> {
  const [old] = await store.listAudit(10);
  expect(old).toEqual({
    id: old.id, at: '2026-01-02T03:04:05.000Z', action: 'connect', actor: 'link visitor', protocol: 'rdp', port: 3389, outcome: 'ok',
    detail: 'Files through the clipboard: 1 file (12 bytes) from the machine.', bytesUp: 10, bytesDown: 20, durationMs: 30, count: 1,
  });
  await store.updateAudit(old.id, { outcome: 'ok', files: { up: 0, down: 1, bytesUp: 0, bytesDown: 12, countedBy: 'proxy' } });
  expect((await store.listAudit(1))[0].files).toEqual({ up: 0, down: 1, bytesUp: 0, bytesDown: 12, countedBy: 'proxy' });
}

async function conflict(p: Promise<unknown>): Promise<StoreConflict> {
  const e = await p.then(() => undefined, (x) => x);
  expect(e).toBeInstanceOf(StoreConflict);
  return e as StoreConflict;
}

export function storeContract(store: () => Store): void {
  it('creates all links of a batch or none', async () => {
    const a = await store().createResource(res('a'), 'ann');
    await expect(store().createLinks([a.id, 'missing'], 'ann', 10)).rejects.toThrow(/does not exist; no links were created/);
    expect(await store().listLinks()).toEqual([]);
    expect((await conflict(store().createLinks([a.id, a.id, a.id], 'ann', 2))).code).toBe('link-limit');
    expect(await store().listLinks()).toEqual([]);
    expect(await store().createLinks([a.id], 'ann', 2)).toHaveLength(1);
  });

  it('counts existing links against the limit, up to exactly the limit', async () => {
    const a = await store().createResource(res('a'), 'ann');
    await store().createLinks([a.id, a.id], 'ann', 3);
    const e = await conflict(store().createLinks([a.id, a.id], 'ann', 3));
    expect(e.message).toMatch(/at most 3 links; it has 2, so 2 more would be too many/);
    expect(await store().createLinks([a.id], 'ann', 3)).toHaveLength(1);
    expect(await store().listLinks()).toHaveLength(3);
  });

  it('lists links in the order they were made, with tokens that resolve by hash only', async () => {
    const a = await store().createResource(res('a'), 'ann');
    const b = await store().createResource(res('b'), 'ann');
    const made = await store().createLinks([b.id, a.id, b.id], 'ann', 10);
    const listed = await store().listLinks();
    expect(listed).toEqual(made);
    expect(listed.map((l) => l.resourceName)).toEqual(['b', 'a', 'b']);
    expect(new Set(listed.map((l) => l.token)).size).toBe(3);
    expect(listed[0]).toMatchObject({ status: 'active', createdBy: 'ann' });
    expect(Number.isNaN(Date.parse(listed[0].createdAt))).toBe(false);
    const found = await store().findLinkByTokenHash(hashToken(made[1].token));
    expect(found).toMatchObject({ id: made[1].id, resource: { id: a.id, name: 'a', ports: { ssh: [22] } } });
    expect(await store().findLinkByTokenHash(made[1].token)).toBeUndefined();
  });

  it('deletes links by resource and by token, reporting what went', async () => {
    const a = await store().createResource(res('a'), 'ann');
    const b = await store().createResource(res('b'), 'ann');
    const [la1, lb, la2] = await store().createLinks([a.id, b.id, a.id], 'ann', 10);
    const byResource = await store().deleteLinksByResource([a.id, 'no-such-resource'], 'ann');
    expect(byResource.map((l) => l.id)).toEqual([la1.id, la2.id]);
    expect(await store().deleteLinksByResource([a.id], 'ann')).toEqual([]);
    const byToken = await store().deleteLinksByTokenHash([hashToken(lb.token), hashToken('x'.repeat(43))], 'ann');
    expect(byToken).toEqual([lb]);
    expect(await store().listLinks()).toEqual([]);
  });

  it('keeps a batch\'s label and policy, edits and renews a link, auditing each with its label', async () => {
    const a = await store().createResource(res('a'), 'ann');
    const policy = { expiresAt: '2030-01-01T00:00:00.000Z', maxUses: 2, hours: { timeZone: 'Europe/Berlin', windows: [{ days: [1, 2] as (1 | 2)[], from: '08:00', to: '18:00' }] } };
    const [l1, l2] = await store().createLinks([a.id, a.id], 'ann', 10, { label: 'for the vendor', policy });
    expect(l1).toMatchObject({ label: 'for the vendor', policy, uses: 0 });
    const [plain] = await store().createLinks([a.id], 'ann', 10);
    expect(plain).toMatchObject({ policy: {}, uses: 0 });
    expect(plain.label).toBeUndefined();
    expect(await store().listLinks()).toEqual([l1, l2, plain]);
    expect(await store().countUse(l1.id)).toBe(true);
    const renewed = await store().updateLink(l1.id, { label: 'vendor, again', policy: { maxUses: 5 }, resetUses: false }, 'bob');
    expect(renewed).toMatchObject({ id: l1.id, token: l1.token, label: 'vendor, again', policy: { maxUses: 5 }, uses: 1 });
    expect(await store().updateLink(l1.id, { resetUses: true }, 'bob')).toMatchObject({ label: 'vendor, again', policy: { maxUses: 5 }, uses: 0 });
    const unlabelled = await store().updateLink(l1.id, { label: '' }, 'bob');
    expect(unlabelled.label).toBeUndefined();
    expect(await store().getLink(l1.id)).toMatchObject({ id: l1.id, uses: 0, resource: { id: a.id } });
    expect(await store().getLink('missing')).toBeUndefined();
    expect((await conflict(store().updateLink('missing', { label: 'x' }, 'bob'))).code).toBe('not-found');
    const audit = (await store().listAudit(100)).filter((e) => e.linkId === l1.id).reverse().map((e) => [e.action, e.actor, e.detail]);
    expect(audit).toEqual([
      ['link.create', 'ann', 'for the vendor'], ['link.update', 'bob', 'vendor, again'], ['link.update', 'bob', 'vendor, again'],
      ['link.update', 'bob', undefined],
    ]);
  });

  it('counts uses only while under the limit, once each however many race for the last one', async () => {
    const a = await store().createResource(res('a'), 'ann');
    const [single, free] = [
      ...(await store().createLinks([a.id], 'ann', 10, { policy: { maxUses: 1 } })),
      ...(await store().createLinks([a.id], 'ann', 10)),
    ];
    const raced = await Promise.all(Array.from({ length: 8 }, () => store().countUse(single.id)));
    expect(raced.filter(Boolean)).toHaveLength(1);
    expect((await store().getLink(single.id))?.uses).toBe(1);
    for (let i = 0; i < 3; i++) expect(await store().countUse(free.id)).toBe(true);
    expect((await store().getLink(free.id))?.uses).toBe(3);
    expect(await store().countUse('missing')).toBe(false);
    await store().updateLink(single.id, { resetUses: true }, 'ann');
    expect(await store().countUse(single.id)).toBe(true);
    expect(await store().countUse(single.id)).toBe(false);
  });

  it('keeps links of a deleted resource, marked, with the name they had', async () => {
    const a = await store().createResource(res('old-name'), 'ann');
    await store().updateResource(a.id, res('new-name'), 'ann');
    const [link] = await store().createLinks([a.id], 'ann', 10);
    await store().deleteResource(a.id, 'ann');
    const [listed] = await store().listLinks();
    expect(listed).toMatchObject({ id: link.id, status: 'resource-deleted', resourceName: 'new-name' });
    const found = await store().findLinkByTokenHash(hashToken(link.token));
    expect(found).toMatchObject({ id: link.id, status: 'resource-deleted' });
    expect(found?.resource).toBeUndefined();
  });

  it('stores resources whole, lists them by name, and says when one is gone', async () => {
    const b = await store().createResource({ ...res('beta', { ssh: [22, 2222], rdp: [3389] }), sshHostKeyFingerprint: 'SHA256:' + 'k'.repeat(43) }, 'ann');
    const a = await store().createResource(res('alpha'), 'ann');
    expect(b).toMatchObject({ name: 'beta', address: '10.0.0.1', ports: { ssh: [22, 2222], rdp: [3389] }, sshHostKeyFingerprint: 'SHA256:' + 'k'.repeat(43) });
    expect(b.createdAt).toBe(b.updatedAt);
    expect(await store().getResource(b.id)).toEqual(b);
    expect((await store().listResources()).map((r) => r.name)).toEqual(['alpha', 'beta']);
    const updated = await store().updateResource(a.id, res('alpha', { rdp: [3390] }), 'ann');
    expect(updated).toMatchObject({ id: a.id, ports: { rdp: [3390] }, createdAt: a.createdAt });
    expect(updated.sshHostKeyFingerprint).toBeUndefined();
    await store().deleteResource(a.id, 'ann');
    expect(await store().getResource(a.id)).toBeUndefined();
    expect((await conflict(store().deleteResource(a.id, 'ann'))).code).toBe('not-found');
    expect((await conflict(store().updateResource(a.id, res('x'), 'ann'))).code).toBe('not-found');
  });

  it('knows whether anyone has ever signed in, whatever else the audit trail holds', async () => {
    const u = await store().createUser('ann', 'owner', 'root');
    for (let i = 0; i < 20; i++) await store().addAudit({ action: 'connect', actor: 'unknown', outcome: 'not-found' });
    await store().addSigninToken(u.id, 'h1', new Date(Date.now() + 60_000));
    expect(await store().anyoneSignedIn()).toBe(false);
    await store().signIn('h1', 's1', new Date());
    for (let i = 0; i < 20; i++) await store().addAudit({ action: 'connect', actor: 'unknown', outcome: 'not-found' });
    expect(await store().anyoneSignedIn()).toBe(true);
  });

  it('signs in with a one-time token once, and not after it expires', async () => {
    const u = await store().createUser('ann', 'owner', 'root');
    await store().addSigninToken(u.id, 'h1', new Date(Date.now() + 60_000));
    await store().addSigninToken(u.id, 'h2', new Date(Date.now() - 1));
    expect(await store().signIn('h1', 's1', new Date())).toEqual(u);
    expect((await store().getSessionUser('s1'))?.id).toBe(u.id);
    expect(await store().signIn('h1', 's2', new Date())).toBeUndefined();
    // An expired token is used up too: it cannot be tried again with an earlier clock.
    expect(await store().signIn('h2', 's3', new Date())).toBeUndefined();
    expect(await store().signIn('h2', 's4', new Date(0))).toBeUndefined();
    for (const s of ['s2', 's3', 's4']) expect(await store().getSessionUser(s)).toBeUndefined();
    expect((await store().listAudit(10)).filter((e) => e.action === 'user.signin')).toEqual([
      expect.objectContaining({ action: 'user.signin', actor: 'ann', outcome: 'ok', count: 1 }),
    ]);
  });

  it('never removes the last owner, and refuses duplicate names', async () => {
    const ann = await store().createUser('ann', 'owner', 'root');
    expect((await conflict(store().setUserRole(ann.id, 'reader', 'root'))).code).toBe('last-owner');
    await expect(store().deleteUser(ann.id, 'root')).rejects.toThrow(/only owner/);
    const bob = await store().createUser('bob', 'owner', 'root');
    expect(await store().setUserRole(ann.id, 'reader', 'root')).toEqual({ user: { ...ann, role: 'reader' }, previousRole: 'owner' });
    await expect(store().deleteUser(bob.id, 'root')).rejects.toThrow(/only owner/);
    const dup = await conflict(store().createUser('bob', 'reader', 'root'));
    expect([dup.code, dup.message]).toEqual(['duplicate', 'A user named "bob" already exists.']);
    expect((await conflict(store().setUserRole('nobody', 'owner', 'root'))).code).toBe('not-found');
    expect((await conflict(store().deleteUser('nobody', 'root'))).code).toBe('not-found');
  });

  it('lists and counts users in the order they joined', async () => {
    expect(await store().countUsers()).toBe(0);
    const ann = await store().createUser('ann', 'owner', 'root');
    const cid = await store().createUser('cid', 'contributor', 'root');
    expect(await store().countUsers()).toBe(2);
    expect(await store().listUsers()).toEqual([ann, cid]);
    expect(await store().getUser(cid.id)).toEqual(cid);
    expect(await store().getUser('nobody')).toBeUndefined();
  });

  it('keeps sessions until they are deleted, and deletes them with their user', async () => {
    const u = await store().createUser('tmp', 'reader', 'root');
    await store().createUser('ann', 'owner', 'root');
    await store().addSigninToken(u.id, 'h1', new Date(Date.now() + 60_000));
    await store().addSigninToken(u.id, 'h2', new Date(Date.now() + 60_000));
    await store().signIn('h1', 'sess', new Date());
    await store().signIn('h2', 'other', new Date());
    expect((await store().getSessionUser('sess'))?.name).toBe('tmp');
    await store().deleteSession('other');
    expect(await store().getSessionUser('other')).toBeUndefined();
    await store().deleteUser(u.id, 'root');
    expect(await store().getSessionUser('sess')).toBeUndefined();
  });

  it('switches shareable links off by default, on and off again', async () => {
    expect(await store().getShareableLinks()).toBe(false);
    await store().setShareableLinks(true, 'ann');
    expect(await store().getShareableLinks()).toBe(true);
    await store().setShareableLinks(false, 'ann');
    expect(await store().getShareableLinks()).toBe(false);
  });

  it('pins an RDP certificate on first use only', async () => {
    const a = await store().createResource(res('rdp'), 'ann');
    expect(await store().pinRdpCertificate(a.id, 'sha256:' + 'a'.repeat(64), 'ann')).toBe('sha256:' + 'a'.repeat(64));
    expect(await store().pinRdpCertificate(a.id, 'sha256:' + 'b'.repeat(64), 'ann')).toBe('sha256:' + 'a'.repeat(64));
    expect((await store().getResource(a.id))?.rdpCertFingerprint).toBe('sha256:' + 'a'.repeat(64));
    expect(await store().pinRdpCertificate('gone', 'sha256:' + 'c'.repeat(64), 'ann')).toBeUndefined();
  });

  it('records and completes audit entries, newest first', async () => {
    const id = await store().addAudit({ action: 'connect', actor: 'link visitor', outcome: 'open', protocol: 'ssh', port: 22, detail: 'first' });
    await store().updateAudit(id, { outcome: 'ok', bytesUp: 10, bytesDown: 20, durationMs: 5 });
    const later = await store().addAudit({ action: 'link.create', actor: 'ann', outcome: 'ok', linkId: 'L1' });
    const [e2, e1] = await store().listAudit(10);
    expect(e1).toMatchObject({ id, outcome: 'ok', bytesUp: 10, bytesDown: 20, durationMs: 5, protocol: 'ssh', port: 22, detail: 'first' });
    expect(e2).toEqual({ id: later, at: e2.at, action: 'link.create', actor: 'ann', outcome: 'ok', linkId: 'L1', count: 1 });
    expect(typeof e1.id).toBe('number');
    expect(await store().listAudit(1)).toHaveLength(1);
  });

  it('keeps a count on each audit entry: 1 unless told, raised by an update that leaves the rest alone', async () => {
    const one = await store().addAudit({ action: 'connect', actor: 'unknown', outcome: 'not-found', clientAddress: '192.0.2.7' });
    const many = await store().addAudit({ action: 'connect', actor: 'unknown', outcome: 'not-found', clientAddress: '192.0.2.8', count: 3 });
    const sized = await store().addAudit({ action: 'connect', actor: 'x', outcome: 'open', protocol: 'ssh', port: 22 });
    await store().updateAudit(sized, { outcome: 'ok', bytesUp: 7, bytesDown: 9, durationMs: 11 });
    await store().updateAudit(many, { outcome: 'not-found', count: 40 });
    await store().updateAudit(sized, { outcome: 'ok', count: 2 });
    const byId = new Map((await store().listAudit(10)).map((e) => [e.id, e]));
    expect(byId.get(one)).toMatchObject({ count: 1, clientAddress: '192.0.2.7' });
    expect(byId.get(many)).toMatchObject({ count: 40, outcome: 'not-found', clientAddress: '192.0.2.8' });
    expect(byId.get(sized)).toMatchObject({ count: 2, outcome: 'ok', bytesUp: 7, bytesDown: 9, durationMs: 11 });
    await expect(store().addAudit({ action: 'connect', actor: 'x', outcome: 'ok', count: 0 })).rejects.toThrow();
    expect(await store().listAudit(10)).toHaveLength(3);
  });

  it('keeps a session\'s file counts and who counted them, as written at close; a row without them has none', async () => {
    const ssh = await store().addAudit({ action: 'connect', actor: 'link visitor', outcome: 'open', protocol: 'ssh', port: 22 });
    const rdp = await store().addAudit({ action: 'connect', actor: 'link visitor', outcome: 'open', protocol: 'rdp', port: 3389 });
    const none = await store().addAudit({ action: 'connect', actor: 'link visitor', outcome: 'open', protocol: 'ssh', port: 22 });
    const big = 2 ** 40 + 3; // past 2^32: bigint columns
    await store().updateAudit(ssh, { outcome: 'ok', bytesUp: 5, files: { up: 2, down: 1, bytesUp: big, bytesDown: 300_000, countedBy: 'client' } });
    await store().updateAudit(rdp, { outcome: 'ok', detail: 'The link\'s clipboard rule held back 1 clipboard message to the machine.',
      files: { up: 0, down: 1, bytesUp: 0, bytesDown: 12, countedBy: 'proxy' } });
    await store().updateAudit(none, { outcome: 'ok', durationMs: 9 });
    // A later update without files keeps them.
    await store().updateAudit(ssh, { outcome: 'ok', count: 1 });
    const byId = new Map((await store().listAudit(10)).map((e) => [e.id, e]));
    expect(byId.get(ssh)?.files).toEqual({ up: 2, down: 1, bytesUp: big, bytesDown: 300_000, countedBy: 'client' });
    expect(byId.get(rdp)).toMatchObject({ detail: expect.stringMatching(/clipboard rule/), files: { up: 0, down: 1, bytesUp: 0, bytesDown: 12, countedBy: 'proxy' } });
    expect(byId.get(none)).not.toHaveProperty('files');
    // Written with the row, too.
    const made = await store().addAudit({ action: 'connect', actor: 'x', outcome: 'ok', files: { up: 1, down: 0, bytesUp: 1, bytesDown: 0, countedBy: 'proxy' } });
    expect((await store().listAudit(1))[0]).toMatchObject({ id: made, files: { up: 1, down: 0, bytesUp: 1, bytesDown: 0, countedBy: 'proxy' } });
    // The database refuses what the API type would: a negative count, an unknown counter.
    await expect(store().updateAudit(none, { outcome: 'ok', files: { up: -1, down: 0, bytesUp: 0, bytesDown: 0, countedBy: 'client' } })).rejects.toThrow();
    await expect(store().updateAudit(none, { outcome: 'ok', files: { up: 1, down: 0, bytesUp: 0, bytesDown: 0, countedBy: 'me' as 'client' } })).rejects.toThrow();
    expect((await store().listAudit(10)).find((e) => e.id === none)).not.toHaveProperty('files');
  });

  it('writes each change and its audit row in one go, naming the actor', async () => {
    await store().setShareableLinks(true, 'ann');
    const owner = await store().createUser('ann', 'owner', 'root');
    const cid = await store().createUser('cid', 'contributor', 'ann');
    await store().setUserRole(cid.id, 'reader', 'ann');
    await store().deleteUser(cid.id, 'ann');
    const a = await store().createResource(res('alpha'), 'ann');
    await store().updateResource(a.id, res('alpha-2'), 'ann');
    const b = await store().createResource(res('beta'), 'ann');
    const [l1, l2, l3] = await store().createLinks([a.id, b.id, a.id], 'cid', 10);
    await store().deleteLinksByTokenHash([hashToken(l2.token)], 'bob');
    await store().deleteLinksByResource([a.id], 'bob');
    await store().pinRdpCertificate(b.id, 'sha256:' + 'a'.repeat(64), 'link visitor');
    await store().pinRdpCertificate(b.id, 'sha256:' + 'b'.repeat(64), 'link visitor');
    await store().deleteResource(b.id, 'ann');
    await store().setShareableLinks(false, 'ann');

    const rows = (await store().listAudit(100)).reverse().map(({ id, at, ...rest }) => {
      expect(Number.isNaN(Date.parse(at))).toBe(false);
      return rest;
    });
    const ok = { outcome: 'ok', count: 1 };
    expect(rows).toEqual([
      { action: 'feature.enable', actor: 'ann', ...ok },
      { action: 'user.create', actor: 'root', detail: 'ann (owner)', ...ok },
      { action: 'user.create', actor: 'ann', detail: 'cid (contributor)', ...ok },
      { action: 'user.role', actor: 'ann', detail: 'cid → reader', ...ok },
      { action: 'user.delete', actor: 'ann', detail: 'cid', ...ok },
      { action: 'resource.create', actor: 'ann', resourceId: a.id, resourceName: 'alpha', ...ok },
      { action: 'resource.update', actor: 'ann', resourceId: a.id, resourceName: 'alpha-2', ...ok },
      { action: 'resource.create', actor: 'ann', resourceId: b.id, resourceName: 'beta', ...ok },
      ...[l1, l2, l3].map((l) => ({ action: 'link.create', actor: 'cid', linkId: l.id, resourceId: l.resourceId, resourceName: l.resourceName, ...ok })),
      { action: 'link.delete', actor: 'bob', linkId: l2.id, resourceId: b.id, resourceName: 'beta', ...ok },
      ...[l1, l3].map((l) => ({ action: 'link.delete', actor: 'bob', linkId: l.id, resourceId: a.id, resourceName: 'alpha-2', ...ok })),
      // Only the call that pinned the certificate audits it.
      { action: 'rdp.certificate-pinned', actor: 'link visitor', resourceId: b.id, resourceName: 'beta', detail: 'sha256:' + 'a'.repeat(64), ...ok },
      { action: 'resource.delete', actor: 'ann', resourceId: b.id, resourceName: 'beta', ...ok },
      { action: 'feature.disable', actor: 'ann', ...ok },
    ]);
    expect(owner.role).toBe('owner');
  });

  it('audits nothing for a change that was refused', async () => {
    const ann = await store().createUser('ann', 'owner', 'root');
    const a = await store().createResource(res('a'), 'ann');
    const before = (await store().listAudit(100)).length;
    await conflict(store().createLinks([a.id, 'missing'], 'ann', 10));
    await conflict(store().createLinks([a.id, a.id], 'ann', 1));
    await conflict(store().setUserRole(ann.id, 'reader', 'root'));
    await conflict(store().deleteUser(ann.id, 'root'));
    await conflict(store().createUser('ann', 'reader', 'root'));
    await conflict(store().deleteResource('gone', 'ann'));
    await conflict(store().updateResource('gone', res('x'), 'ann'));
    expect(await store().deleteLinksByResource(['gone'], 'ann')).toEqual([]);
    expect(await store().pinRdpCertificate('gone', 'sha256:' + 'c'.repeat(64), 'ann')).toBeUndefined();
    expect(await store().listAudit(100)).toHaveLength(before);
  });

  it('makes no change whose audit row cannot be written', async () => {
    // An audit row without an actor breaks the audit table's rules: the change must roll back with it.
    const noActor = undefined as unknown as string;
    const ann = await store().createUser('ann', 'owner', 'root');
    const bob = await store().createUser('bob', 'reader', 'root');
    const a = await store().createResource(res('a'), 'ann');
    const [link] = await store().createLinks([a.id], 'ann', 10);
    const before = await store().listAudit(100);
    await expect(store().setShareableLinks(true, noActor)).rejects.toThrow();
    await expect(store().createUser('cid', 'reader', noActor)).rejects.toThrow();
    await expect(store().setUserRole(bob.id, 'owner', noActor)).rejects.toThrow();
    await expect(store().deleteUser(bob.id, noActor)).rejects.toThrow();
    await expect(store().createResource(res('b'), noActor)).rejects.toThrow();
    await expect(store().updateResource(a.id, res('renamed'), noActor)).rejects.toThrow();
    await expect(store().pinRdpCertificate(a.id, 'sha256:' + 'd'.repeat(64), noActor)).rejects.toThrow();
    await expect(store().deleteLinksByResource([a.id], noActor)).rejects.toThrow();
    await expect(store().deleteLinksByTokenHash([hashToken(link.token)], noActor)).rejects.toThrow();
    await expect(store().deleteResource(a.id, noActor)).rejects.toThrow();
    expect(await store().getShareableLinks()).toBe(false);
    expect(await store().listUsers()).toEqual([ann, bob]);
    expect(await store().listResources()).toEqual([a]);
    expect(await store().listLinks()).toEqual([link]);
    expect(await store().listAudit(100)).toEqual(before);
  });

  it('lists every proxy\'s live sessions, replaces a proxy\'s on each report, forgets a silent proxy', async () => {
    const one = liveSession('s1', '2026-01-01T10:00:00.000Z');
    const two = liveSession('s2', '2026-01-01T09:00:00.000Z', { actor: 'ann', linkId: undefined });
    await store().liveSessions.report('proxy-a', [one]);
    await store().liveSessions.report('proxy-b', [two]);
    expect(await store().liveSessions.list()).toEqual([{ ...two, proxyId: 'proxy-b' }, { ...one, proxyId: 'proxy-a' }]);
    await store().liveSessions.report('proxy-a', [{ ...one, bytesUp: 99 }]);
    expect((await store().liveSessions.list()).find((s) => s.id === 's1')?.bytesUp).toBe(99);
    await store().liveSessions.report('proxy-a', []);
    expect((await store().liveSessions.list()).map((s) => s.id)).toEqual(['s2']);
    // proxy-b's heartbeat is now older than a 1 ms staleness: ignored, then removed by the next report.
    await new Promise((r) => setTimeout(r, 20));
    expect(await store().liveSessions.list(1)).toEqual([]);
    await store().liveSessions.report('proxy-a', [one], 1);
    expect((await store().liveSessions.list()).map((s) => s.id)).toEqual(['s1']);
  });

  it('disconnects live sessions by id, auditing who did it in the same go, skipping unknown ids', async () => {
    const one = liveSession('s1', '2026-01-01T10:00:00.000Z');
    const two = liveSession('s2', '2026-01-01T10:00:01.000Z');
    await store().liveSessions.report('proxy-a', [one, two]);
    const found = await store().liveSessions.disconnect(['nope', 's2'], 'carol');
    expect(found).toEqual([{ ...two, proxyId: 'proxy-a' }]);
    expect((await store().liveSessions.list()).map((s) => s.id)).toEqual(['s1']);
    const [entry] = await store().listAudit(1);
    expect(entry).toMatchObject({
      action: 'session.disconnect', actor: 'carol', linkId: 'link-1', resourceId: 'res-1', resourceName: 'box',
      protocol: 'ssh', port: 22, clientAddress: '192.0.2.7', outcome: 'ok', detail: 'session of link visitor',
    });
    expect(await store().liveSessions.disconnect(['s2'], 'carol')).toEqual([]);
    expect(await store().listAudit(100)).toHaveLength(1);
  });
}

function liveSession(id: string, startedAt: string, over: Partial<LiveSessionInfo> = {}): LiveSessionInfo {
  return {
    id, actor: 'link visitor', linkId: 'link-1', resourceId: 'res-1', resourceName: 'box', protocol: 'ssh', port: 22,
    clientAddress: '192.0.2.7', startedAt, bytesUp: 1, bytesDown: 2, proxyId: '', ...over,
  };
}
