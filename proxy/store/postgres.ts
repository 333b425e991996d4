// The shared store: PostgreSQL through node-postgres, for several proxies serving one installation.
// Each Store method is one transaction (or one statement, which PostgreSQL runs as one). Limits that
// span rows (the link count, the last owner) are checked under a transaction-level advisory lock, so
// two proxies cannot both pass the check. Query parameters are never logged; errors that could
// quote a value are reworded.
import pg from 'pg';
import { losesActions, type Link, type LinkDefaults, type Resource, type ResourceInput, type Role, type User } from '../../src/shared/api.ts';
import { hashToken, newId, newToken } from './tokens.ts';
import { auditOf } from './audit-entries.ts';
import { redactDatabaseUrl } from './database-url.ts';
import { ChangeListener, notifyChange } from './postgres-changes.ts';
import { PostgresLiveSessionStore } from './postgres-live.ts';
import { storedPolicy, withCodeHash } from './access-code-columns.ts';
import { wrongCodesAfter } from '../../src/shared/rules/policy.ts';
import { LINK_SELECT, toAudit, toLink, toResource, toUser, type Row } from './postgres-rows.ts';
import { fileColumnValues } from './audit-files.ts';
import { LOCK_NAMESPACE, LOCKS, migrate } from './postgres-schema.ts';
import { linkLimitConflict } from '../../src/shared/rules/limits.ts';
import {
  StoreConflict, type AuditUpdate, type BoundPasskey, type PasskeyChallenge, type LinkRecord, type LinkUpdate, type NewAudit, type NewLinkOptions, type Store, type StoreChange,
} from './store.ts';

type Db = pg.ClientBase | pg.Pool;

export interface PostgresOptions {
  /** Most connections this proxy holds open (besides the one that listens for changes). */
  maxConnections?: number;
  /** Where warnings about lost connections go; never given a URL or a query parameter. */
  log?: (message: string) => void;
}

/** Class 22 (data exception) messages may quote the offending value: keep only the SQLSTATE. */
function scrub(e: unknown): unknown {
  if (e instanceof pg.DatabaseError && e.code?.startsWith('22')) {
    return new Error(`PostgreSQL refused a value (SQLSTATE ${e.code}); nothing was changed.`);
  }
  return e;
}

const isUniqueViolation = (e: unknown) => e instanceof pg.DatabaseError && e.code === '23505';

async function rows(db: Db, sql: string, params: unknown[] = []): Promise<Row[]> {
  return (await db.query(sql, params)).rows;
}

async function lock(db: pg.ClientBase, key: number): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, key]);
}

/**
 * Audit rows in one statement, numbered in the order given (a batch of links keeps its order);
 * returns their ids. The entries travel as one JSON parameter, so a batch of 500 is one round trip.
 */
async function insertAudit(db: Db, entries: NewAudit[]): Promise<number[]> {
  if (!entries.length) return [];
  const r = await rows(db, `INSERT INTO audit (at, action, actor, link_id, resource_id, resource_name, protocol, port,
      client_address, outcome, detail, bytes_up, bytes_down, duration_ms, count,
      files_up, files_down, file_bytes_up, file_bytes_down, files_counted_by)
    SELECT now(), e->>'action', e->>'actor', e->>'linkId', e->>'resourceId', e->>'resourceName', e->>'protocol',
      (e->>'port')::integer, e->>'clientAddress', e->>'outcome', e->>'detail', (e->>'bytesUp')::bigint,
      (e->>'bytesDown')::bigint, (e->>'durationMs')::bigint, coalesce((e->>'count')::integer, 1),
      (e#>>'{files,up}')::bigint, (e#>>'{files,down}')::bigint, (e#>>'{files,bytesUp}')::bigint,
      (e#>>'{files,bytesDown}')::bigint, e#>>'{files,countedBy}'
    FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, n) ORDER BY n
    RETURNING id`, [JSON.stringify(entries)]);
  return r.map((x) => Number(x.id));
}

export class PostgresStore implements Store {
  readonly liveSessions: PostgresLiveSessionStore;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly changes: ChangeListener,
  ) {
    this.liveSessions = new PostgresLiveSessionStore((fn) => this.tx(fn), insertAudit);
  }

  /** Connects, migrates (one proxy at a time) and starts listening for other proxies' changes. */
  static async open(url: string, opts: PostgresOptions = {}): Promise<PostgresStore> {
    const log = opts.log ?? ((m: string) => console.error(m));
    const pool = new pg.Pool({ connectionString: url, max: opts.maxConnections ?? 10, application_name: 'postern' });
    // An idle connection dropped by the server must not crash the proxy; the pool replaces it.
    pool.on('error', (e) => log(`A PostgreSQL connection was lost: ${e.message}`));
    const changes = new ChangeListener({ connectionString: url, application_name: 'postern-listen' }, log);
    try {
      const client = await pool.connect();
      try {
        await migrate(client);
      } finally {
        client.release();
      }
      await changes.start();
    } catch (e) {
      await changes.close();
      await pool.end().catch(() => {});
      const reason = (scrub(e) as Error)?.message ?? String(e);
      // Only the message goes on: the error itself may quote the URL or a refused value.
      // eslint-disable-next-line preserve-caught-error -- see above
      throw new Error(`Could not open the PostgreSQL database ${redactDatabaseUrl(url)}: ${reason}`);
    }
    return new PostgresStore(pool, changes);
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch((re: Error) => (broken = re));
      throw scrub(e);
    } finally {
      // A connection that cannot even roll back is discarded rather than reused.
      client.release(broken);
    }
  }

  /** One statement outside an explicit transaction: PostgreSQL makes it atomic on its own. */
  private async one(sql: string, params: unknown[] = []): Promise<Row[]> {
    try {
      return await rows(this.pool, sql, params);
    } catch (e) {
      throw scrub(e);
    }
  }

  onChange(listener: (change: StoreChange) => void): () => void {
    return this.changes.subscribe(listener);
  }

  async close() {
    await this.changes.close();
    await this.pool.end();
  }

  async getShareableLinks() {
    const [r] = await this.one(`SELECT value FROM settings WHERE key = 'shareable_links'`);
    return r?.value === 'on';
  }

  setShareableLinks(on: boolean, actor: string) {
    return this.tx(async (c) => {
      await c.query(`INSERT INTO settings (key, value) VALUES ('shareable_links', $1)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [on ? 'on' : 'off']);
      await insertAudit(c, [auditOf.feature(actor, on)]);
      if (!on) await notifyChange(c, { kind: 'links-disabled' });
    });
  }

  async getLinkDefaults() {
    const [r] = await this.one(`SELECT value FROM settings WHERE key = 'link_defaults'`);
    return r ? (JSON.parse(r.value as string) as LinkDefaults) : {};
  }

  setLinkDefaults(defaults: LinkDefaults, actor: string) {
    return this.tx(async (c) => {
      await c.query(`INSERT INTO settings (key, value) VALUES ('link_defaults', $1)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [JSON.stringify(defaults)]);
      await insertAudit(c, [auditOf.linkDefaults(actor, defaults)]);
    });
  }

  async countUsers() {
    return Number((await this.one(`SELECT count(*) AS n FROM users`))[0].n);
  }

  async listUsers() {
    return (await this.one(`SELECT * FROM users ORDER BY created_at, name`)).map(toUser);
  }

  async getUser(id: string) {
    const [r] = await this.one(`SELECT * FROM users WHERE id = $1`, [id]);
    return r && toUser(r);
  }

  createUser(name: string, role: Role, actor: string) {
    const duplicate = () => new StoreConflict({ code: 'duplicate-user', name });
    return this.tx(async (c) => {
      if ((await rows(c, `SELECT 1 FROM users WHERE name = $1`, [name])).length) throw duplicate();
      const user: User = { id: newId(), name, role, createdAt: new Date().toISOString() };
      await c.query(`INSERT INTO users (id, name, role, created_at) VALUES ($1, $2, $3, $4)`,
        [user.id, user.name, user.role, user.createdAt]);
      await insertAudit(c, [auditOf.userCreated(actor, user)]);
      return user;
    }).catch((e) => {
      // Another proxy inserted the same name between our check and our insert.
      throw isUniqueViolation(e) ? duplicate() : e;
    });
  }

  /** Called under LOCKS.owners, so two proxies cannot each remove a different last-but-one owner. */
  private async assertOwnerRemains(c: pg.ClientBase, changingId: string) {
    const [r] = await rows(c, `SELECT count(*) AS n FROM users WHERE role = 'owner' AND id <> $1`, [changingId]);
    if (Number(r.n) === 0) {
      throw new StoreConflict({ code: 'last-owner' });
    }
  }

  setUserRole(id: string, role: Role, actor: string) {
    return this.tx(async (c) => {
      await lock(c, LOCKS.owners);
      const [r] = await rows(c, `SELECT * FROM users WHERE id = $1`, [id]);
      if (!r) throw new StoreConflict({ code: 'user-not-found' });
      if (r.role === 'owner' && role !== 'owner') await this.assertOwnerRemains(c, id);
      await c.query(`UPDATE users SET role = $1 WHERE id = $2`, [role, id]);
      const user = toUser({ ...r, role });
      await insertAudit(c, [auditOf.userRole(actor, user)]);
      if (losesActions(r.role, role)) await notifyChange(c, { kind: 'user-role-lowered', userId: id, role });
      return { user, previousRole: r.role as Role };
    });
  }

  deleteUser(id: string, actor: string) {
    return this.tx(async (c) => {
      await lock(c, LOCKS.owners);
      const [r] = await rows(c, `SELECT * FROM users WHERE id = $1`, [id]);
      if (!r) throw new StoreConflict({ code: 'user-not-found' });
      if (r.role === 'owner') await this.assertOwnerRemains(c, id);
      await c.query(`DELETE FROM users WHERE id = $1`, [id]);
      const user = toUser(r);
      await insertAudit(c, [auditOf.userDeleted(actor, user)]);
      await notifyChange(c, { kind: 'user-deleted', userId: id });
      return user;
    });
  }

  async addSigninToken(userId: string, tokenHash: string, expiresAt: Date) {
    await this.one(`INSERT INTO signin_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)`,
      [tokenHash, userId, expiresAt.toISOString()]);
  }

  signIn(signinHash: string, sessionHash: string, at: Date) {
    return this.tx(async (c) => {
      const [t] = await rows(c, `DELETE FROM signin_tokens WHERE token_hash = $1 RETURNING user_id, expires_at`, [signinHash]);
      if (!t || (t.expires_at as Date).getTime() < at.getTime()) return undefined;
      const [r] = await rows(c, `SELECT * FROM users WHERE id = $1`, [t.user_id]);
      if (!r) return undefined;
      const user = toUser(r);
      await c.query(`INSERT INTO sessions (token_hash, user_id, created_at) VALUES ($1, $2, now())`, [sessionHash, user.id]);
      await insertAudit(c, [auditOf.signedIn(user)]);
      return user;
    });
  }

  async getSessionUser(tokenHash: string) {
    const [r] = await this.one(`SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1`, [tokenHash]);
    return r && toUser(r);
  }

  deleteSession(tokenHash: string) {
    return this.tx(async (c) => {
      const { rowCount } = await c.query(`DELETE FROM sessions WHERE token_hash = $1`, [tokenHash]);
      if (rowCount) await notifyChange(c, { kind: 'signed-out', sessionHash: tokenHash });
    });
  }

  async listResources() {
    return (await this.one(`SELECT * FROM resources ORDER BY name, id`)).map(toResource);
  }

  async getResource(id: string) {
    const [r] = await this.one(`SELECT * FROM resources WHERE id = $1`, [id]);
    return r && toResource(r);
  }

  createResource(input: ResourceInput, actor: string): Promise<Resource> {
    return this.tx(async (c) => {
      const at = new Date().toISOString();
      const [r] = await rows(c, `INSERT INTO resources (id, name, address, ports, ssh_fp, rdp_fp, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING *`, [newId(), input.name, input.address, JSON.stringify(input.ports),
        input.sshHostKeyFingerprint ?? null, input.rdpCertFingerprint ?? null, at]);
      const resource = toResource(r);
      await insertAudit(c, [auditOf.resource('resource.create', actor, resource)]);
      return resource;
    });
  }

  updateResource(id: string, input: ResourceInput, actor: string) {
    return this.tx(async (c) => {
      const [r] = await rows(c, `UPDATE resources SET name = $1, address = $2, ports = $3, ssh_fp = $4, rdp_fp = $5,
        updated_at = $6 WHERE id = $7 RETURNING *`, [input.name, input.address, JSON.stringify(input.ports),
        input.sshHostKeyFingerprint ?? null, input.rdpCertFingerprint ?? null, new Date().toISOString(), id]);
      if (!r) throw new StoreConflict({ code: 'resource-not-found' });
      // Links remember the name, so a link outliving its resource still says what it was for.
      await c.query(`UPDATE links SET resource_name = $1 WHERE resource_id = $2`, [input.name, id]);
      const resource = toResource(r);
      await insertAudit(c, [auditOf.resource('resource.update', actor, resource)]);
      return resource;
    });
  }

  deleteResource(id: string, actor: string) {
    return this.tx(async (c) => {
      const [r] = await rows(c, `DELETE FROM resources WHERE id = $1 RETURNING *`, [id]);
      if (!r) throw new StoreConflict({ code: 'resource-not-found' });
      const resource = toResource(r);
      await insertAudit(c, [auditOf.resource('resource.delete', actor, resource)]);
      await notifyChange(c, { kind: 'resource-deleted', resourceId: id });
      return resource;
    });
  }

  pinRdpCertificate(id: string, fingerprint: string, actor: string) {
    return this.tx(async (c) => {
      // A concurrent pin waits for ours, re-checks "rdp_fp IS NULL" and leaves ours in place; the
      // SELECT is a new statement, so it sees whichever pin committed first.
      const [pinned] = await rows(c, `UPDATE resources SET rdp_fp = $1 WHERE id = $2 AND rdp_fp IS NULL RETURNING id, name`,
        [fingerprint, id]);
      if (pinned) await insertAudit(c, [auditOf.certificatePinned(actor, { id: pinned.id, name: pinned.name }, fingerprint)]);
      const [r] = await rows(c, `SELECT rdp_fp FROM resources WHERE id = $1`, [id]);
      return (r?.rdp_fp as string | null) ?? undefined;
    });
  }

  async listLinks() {
    return (await this.one(`${LINK_SELECT} ORDER BY l.created_at, l.seq`)).map(toLink);
  }

  createLinks(resourceIds: string[], createdBy: string, maxLinks: number, options: NewLinkOptions = {}) {
    return this.tx(async (c) => {
      // Every proxy counts and inserts under this lock; the count reads only what earlier holders committed.
      await lock(c, LOCKS.linkCount);
      const count = Number((await rows(c, `SELECT count(*) AS n FROM links`))[0].n);
      const over = linkLimitConflict(count, resourceIds.length, maxLinks);
      if (over) throw new StoreConflict(over);
      // FOR SHARE: a resource cannot be deleted until its new links are committed.
      const names = new Map((await rows(c, `SELECT id, name FROM resources WHERE id = ANY($1) FOR SHARE`, [resourceIds]))
        .map((r) => [r.id as string, r.name as string]));
      const at = new Date().toISOString();
      const policy = { ...options.policy };
      if (options.accessCodeHash) policy.accessCode = true;
      else delete policy.accessCode;
      const created: Link[] = resourceIds.map((rid) => {
        const name = names.get(rid);
        if (name === undefined) throw new StoreConflict({ code: 'unknown-resource', id: rid });
        const link: Link = {
          id: newId(), token: newToken(), resourceId: rid, resourceName: name, status: 'active', createdAt: at, createdBy, policy, uses: 0,
        };
        if (options.label) link.label = options.label;
        return link;
      });
      await c.query(`INSERT INTO links (id, token, token_hash, resource_id, resource_name, created_at, created_by, label, policy, uses,
          code_hash)
        SELECT id, token, hash, rid, name, $6::timestamptz, $7::text, $8::text, $9::jsonb, 0, $10::text
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS u(id, token, hash, rid, name, n)
        ORDER BY n`, [created.map((l) => l.id), created.map((l) => l.token), created.map((l) => hashToken(l.token)),
        created.map((l) => l.resourceId), created.map((l) => l.resourceName), at, createdBy, options.label || null,
        storedPolicy(policy), options.accessCodeHash ?? null]);
      await insertAudit(c, created.map((l) => auditOf.link('link.create', createdBy, l)));
      return created;
    });
  }

  updateLink(id: string, update: LinkUpdate, actor: string) {
    return this.tx(async (c) => {
      const [r] = await rows(c, `WITH u AS (
          UPDATE links SET label = CASE WHEN $2 THEN nullif($3, '') ELSE label END,
            policy = coalesce($4::jsonb, policy), uses = CASE WHEN $5 THEN 0 ELSE uses END,
            code_hash = CASE WHEN $6 THEN $7 ELSE code_hash END,
            wrong_codes = CASE WHEN $6 OR $8 THEN NULL ELSE wrong_codes END,
            passkey = CASE WHEN $9 THEN NULL ELSE passkey END,
            passkey_challenge = CASE WHEN $9 THEN NULL ELSE passkey_challenge END
          WHERE id = $1 RETURNING *)
        SELECT u.*, r.name AS current_name FROM u LEFT JOIN resources r ON r.id = u.resource_id`,
      [id, update.label !== undefined, update.label ?? null, update.policy ? storedPolicy(update.policy) : null, update.resetUses === true,
        update.accessCodeHash !== undefined, update.accessCodeHash ?? null, update.unlock === true, update.unbindPasskey === true]);
      if (update.unbindPasskey) await c.query(`DELETE FROM link_passes WHERE link_id = $1`, [id]);
      if (!r) throw new StoreConflict({ code: 'link-not-found' });
      const link = toLink(r);
      await insertAudit(c, [auditOf.link('link.update', actor, link)]);
      await notifyChange(c, { kind: 'link-updated', linkId: id });
      return link;
    });
  }

  async getLink(id: string) {
    return this.linkRecord(`l.id = $1`, id);
  }

  async countUse(linkId: string) {
    const counted = await this.one(`UPDATE links SET uses = uses + 1
      WHERE id = $1 AND (policy->>'maxUses' IS NULL OR uses < (policy->>'maxUses')::integer) RETURNING id`, [linkId]);
    return counted.length === 1;
  }

  recordWrongCode(linkId: string, now: Date) {
    return this.tx(async (c) => {
      const [r] = await rows(c, `SELECT wrong_codes FROM links WHERE id = $1 FOR UPDATE`, [linkId]);
      if (!r) return undefined;
      const wrong = wrongCodesAfter(r.wrong_codes ? (JSON.parse(r.wrong_codes as string) as string[]) : [], now);
      await c.query(`UPDATE links SET wrong_codes = $2 WHERE id = $1`, [linkId, JSON.stringify(wrong)]);
      return wrong;
    });
  }

  async setPasskeyChallenge(linkId: string, challenge: PasskeyChallenge) {
    await this.one(`UPDATE links SET passkey_challenge = $2 WHERE id = $1`, [linkId, JSON.stringify(challenge)]);
  }

  async takePasskeyChallenge(linkId: string) {
    // The old value, read and cleared in one statement: a challenge is answered once.
    const [r] = await this.one(`UPDATE links l SET passkey_challenge = NULL FROM (SELECT id, passkey_challenge FROM links WHERE id = $1 FOR UPDATE) o
      WHERE l.id = o.id RETURNING o.passkey_challenge AS taken`, [linkId]);
    return r?.taken ? (JSON.parse(r.taken as string) as PasskeyChallenge) : undefined;
  }

  bindPasskey(linkId: string, passkey: BoundPasskey) {
    return this.tx(async (c) => {
      const [r] = await rows(c, `WITH u AS (UPDATE links SET passkey = $2 WHERE id = $1 AND passkey IS NULL RETURNING *)
        SELECT u.*, r.name AS current_name FROM u LEFT JOIN resources r ON r.id = u.resource_id`, [linkId, JSON.stringify(passkey)]);
      if (r) await insertAudit(c, [auditOf.link('link.passkey-bound', 'link visitor', toLink(r))]);
      return r !== undefined;
    });
  }

  async setPasskeyCounter(linkId: string, counter: number) {
    await this.one(`UPDATE links SET passkey = jsonb_set(passkey::jsonb, '{counter}', to_jsonb($2::bigint))::text
      WHERE id = $1 AND passkey IS NOT NULL`, [linkId, counter]);
  }

  addLinkPass(linkId: string, passHash: string, expiresAt: Date) {
    return this.tx(async (c) => {
      await c.query(`DELETE FROM link_passes WHERE expires_at < now()`);
      await c.query(`INSERT INTO link_passes (pass_hash, link_id, expires_at) VALUES ($1, $2, $3)`, [passHash, linkId, expiresAt.toISOString()]);
    });
  }

  async linkPassValid(linkId: string, passHash: string, at: Date) {
    return (await this.one(`SELECT 1 FROM link_passes WHERE pass_hash = $1 AND link_id = $2 AND expires_at > $3`,
      [passHash, linkId, at.toISOString()])).length === 1;
  }

  /** One statement, one snapshot: the link and its resource as they were at the same moment. */
  private async linkRecord(where: string, value: string): Promise<LinkRecord | undefined> {
    const [r] = await this.one(`SELECT l.*, r.name AS current_name, to_jsonb(r) AS resource
      FROM links l LEFT JOIN resources r ON r.id = l.resource_id WHERE ${where}`, [value]);
    if (!r) return undefined;
    const link: LinkRecord = withCodeHash(toLink(r), r);
    if (r.resource) link.resource = toResource(r.resource);
    return link;
  }

  /** Deletes, then reports in the order the values were given, and tells every proxy which links went. */
  private deleteLinksWhere(column: 'resource_id' | 'token_hash', values: string[], actor: string) {
    return this.tx(async (c) => {
      const deleted = (await rows(c, `WITH d AS (DELETE FROM links WHERE ${column} = ANY($1) RETURNING *)
        SELECT d.*, r.name AS current_name FROM d LEFT JOIN resources r ON r.id = d.resource_id
        ORDER BY array_position($1, d.${column}), d.seq`, [values])).map(toLink);
      await insertAudit(c, deleted.map((l) => auditOf.link('link.delete', actor, l)));
      if (deleted.length) await notifyChange(c, { kind: 'links-deleted', linkIds: deleted.map((l) => l.id) });
      return deleted;
    });
  }

  deleteLinksByResource(resourceIds: string[], actor: string) {
    return this.deleteLinksWhere('resource_id', resourceIds, actor);
  }

  deleteLinksByTokenHash(tokenHashes: string[], actor: string) {
    return this.deleteLinksWhere('token_hash', tokenHashes, actor);
  }

  async findLinkByTokenHash(tokenHash: string) {
    return this.linkRecord(`l.token_hash = $1`, tokenHash);
  }

  async addAudit(e: NewAudit) {
    try {
      return (await insertAudit(this.pool, [e]))[0];
    } catch (err) {
      throw scrub(err);
    }
  }

  async updateAudit(id: number, u: AuditUpdate) {
    await this.one(`UPDATE audit SET outcome = $1, detail = coalesce($2, detail), bytes_up = coalesce($3, bytes_up),
      bytes_down = coalesce($4, bytes_down), duration_ms = coalesce($5, duration_ms), count = coalesce($6, count),
      files_up = coalesce($7, files_up), files_down = coalesce($8, files_down), file_bytes_up = coalesce($9, file_bytes_up),
      file_bytes_down = coalesce($10, file_bytes_down), files_counted_by = coalesce($11, files_counted_by)
      WHERE id = $12`, [u.outcome, u.detail ?? null, u.bytesUp ?? null, u.bytesDown ?? null, u.durationMs ?? null,
      u.count ?? null, ...fileColumnValues(u.files), id]);
  }

  async listAudit(limit: number) {
    return (await this.one(`SELECT * FROM audit ORDER BY id DESC LIMIT $1`, [limit])).map(toAudit);
  }

  async anyoneSignedIn() {
    return (await this.one(`SELECT 1 FROM audit WHERE action = 'user.signin' LIMIT 1`)).length > 0;
  }
}
