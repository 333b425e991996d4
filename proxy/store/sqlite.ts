// The embedded store: one SQLite file in WAL mode; each Store method is one transaction.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditEntry, Link, LinkDefaults, LinkPolicy, Resource, ResourceInput, Role, User } from '../../src/shared/api.ts';
import { hashToken, newId, newToken } from './tokens.ts';
import { auditOf } from './audit-entries.ts';
import { linkLimitConflict } from '../../src/shared/rules/limits.ts';
import { storedPolicy, withCodeColumns, withCodeHash } from './access-code-columns.ts';
import { wrongCodesAfter } from '../../src/shared/rules/policy.ts';
import { StoreConflict, type BoundPasskey, type PasskeyChallenge, type AuditUpdate, type LinkRecord, type LinkUpdate, type NewAudit, type NewLinkOptions, type Store } from './store.ts';
import { MIGRATIONS } from './migrations.ts';
import { MemoryLiveSessionStore } from './live-session-store.ts';
import { fileColumnValues, filesOfRow } from './audit-files.ts';

// A row as better-sqlite3 returns it; the to*() functions below give it the API's types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- columns are whatever the SQL selected
type Row = Record<string, any>;

const now = () => new Date().toISOString();

function toUser(r: Row): User {
  return { id: r.id, name: r.name, role: r.role, createdAt: r.created_at };
}

function toResource(r: Row): Resource {
  const res: Resource = {
    id: r.id,
    name: r.name,
    address: r.address,
    ports: JSON.parse(r.ports_json),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
  if (r.ssh_fp) res.sshHostKeyFingerprint = r.ssh_fp;
  if (r.rdp_fp) res.rdpCertFingerprint = r.rdp_fp;
  return res;
}

function toLink(r: Row): Link {
  const link: Link = {
    id: r.id,
    token: r.token,
    resourceId: r.resource_id,
    resourceName: r.current_name ?? r.resource_name,
    status: r.current_name == null ? 'resource-deleted' : 'active',
    createdAt: r.created_at,
    createdBy: r.created_by,
    policy: r.policy_json ? (JSON.parse(r.policy_json) as LinkPolicy) : {},
    uses: r.uses,
  };
  if (r.label) link.label = r.label;
  return withCodeColumns(link, r);
}

function toAudit(r: Row): AuditEntry {
  const e: AuditEntry = { id: r.id, at: r.at, action: r.action, actor: r.actor, outcome: r.outcome, count: r.count };
  const optional: [keyof AuditEntry, string][] = [
    ['linkId', 'link_id'], ['resourceId', 'resource_id'], ['resourceName', 'resource_name'],
    ['protocol', 'protocol'], ['port', 'port'], ['clientAddress', 'client_address'], ['detail', 'detail'],
    ['bytesUp', 'bytes_up'], ['bytesDown', 'bytes_down'], ['durationMs', 'duration_ms'],
  ];
  for (const [key, col] of optional) if (r[col] != null) Object.assign(e, { [key]: r[col] });
  const files = filesOfRow(r);
  if (files) e.files = files;
  return e;
}

const LINK_SELECT = `SELECT l.*, r.name AS current_name FROM links l LEFT JOIN resources r ON r.id = l.resource_id`;

export class SqliteStore implements Store {
  private db: Database.Database;
  /** One proxy uses a SQLite file, so its live sessions are the ones in its memory. */
  readonly liveSessions = new MemoryLiveSessionStore((entries) => this.tx(() => {
    for (const e of entries) this.insertAudit(e);
  }));

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  private tx<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(this.db.transaction(fn)());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  async close() {
    this.db.close();
  }

  private auditInsert?: Database.Statement;

  /** Inside a transaction: one audit row. */
  private insertAudit(e: NewAudit): number {
    this.auditInsert ??= this.db.prepare(`INSERT INTO audit (at, action, actor, link_id, resource_id, resource_name,
      protocol, port, client_address, outcome, detail, bytes_up, bytes_down, duration_ms, count,
      files_up, files_down, file_bytes_up, file_bytes_down, files_counted_by)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const info = this.auditInsert.run(now(), e.action, e.actor, e.linkId ?? null, e.resourceId ?? null,
      e.resourceName ?? null, e.protocol ?? null, e.port ?? null, e.clientAddress ?? null, e.outcome, e.detail ?? null,
      e.bytesUp ?? null, e.bytesDown ?? null, e.durationMs ?? null, e.count ?? 1, ...fileColumnValues(e.files));
    return Number(info.lastInsertRowid);
  }

  getShareableLinks() {
    return this.tx(() => {
      const row = this.db.prepare(`SELECT value FROM settings WHERE key = 'shareable_links'`).get() as Row | undefined;
      return row?.value === 'on';
    });
  }

  setShareableLinks(on: boolean, actor: string) {
    return this.tx(() => {
      this.db.prepare(`INSERT INTO settings (key, value) VALUES ('shareable_links', ?)
        ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(on ? 'on' : 'off');
      this.insertAudit(auditOf.feature(actor, on));
    });
  }

  getLinkDefaults() {
    return this.tx(() => {
      const row = this.db.prepare(`SELECT value FROM settings WHERE key = 'link_defaults'`).get() as Row | undefined;
      return row ? (JSON.parse(row.value) as LinkDefaults) : {};
    });
  }

  setLinkDefaults(defaults: LinkDefaults, actor: string) {
    return this.tx(() => {
      this.db.prepare(`INSERT INTO settings (key, value) VALUES ('link_defaults', ?)
        ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(JSON.stringify(defaults));
      this.insertAudit(auditOf.linkDefaults(actor, defaults));
    });
  }

  countUsers() {
    return this.tx(() => (this.db.prepare(`SELECT count(*) AS n FROM users`).get() as Row).n as number);
  }

  listUsers() {
    return this.tx(() => (this.db.prepare(`SELECT * FROM users ORDER BY created_at, name`).all() as Row[]).map(toUser));
  }

  getUser(id: string) {
    return this.tx(() => {
      const r = this.db.prepare(`SELECT * FROM users WHERE id = ?`).get(id) as Row | undefined;
      return r && toUser(r);
    });
  }

  createUser(name: string, role: Role, actor: string) {
    return this.tx(() => {
      if (this.db.prepare(`SELECT 1 FROM users WHERE name = ?`).get(name)) {
        throw new StoreConflict({ code: 'duplicate-user', name });
      }
      const user: User = { id: newId(), name, role, createdAt: now() };
      this.db.prepare(`INSERT INTO users (id, name, role, created_at) VALUES (?, ?, ?, ?)`)
        .run(user.id, user.name, user.role, user.createdAt);
      this.insertAudit(auditOf.userCreated(actor, user));
      return user;
    });
  }

  private assertOwnerRemains(changingId: string) {
    const others = this.db.prepare(`SELECT count(*) AS n FROM users WHERE role = 'owner' AND id != ?`).get(changingId) as Row;
    if (others.n === 0) {
      throw new StoreConflict({ code: 'last-owner' });
    }
  }

  setUserRole(id: string, role: Role, actor: string) {
    return this.tx(() => {
      const r = this.db.prepare(`SELECT * FROM users WHERE id = ?`).get(id) as Row | undefined;
      if (!r) throw new StoreConflict({ code: 'user-not-found' });
      if (r.role === 'owner' && role !== 'owner') this.assertOwnerRemains(id);
      this.db.prepare(`UPDATE users SET role = ? WHERE id = ?`).run(role, id);
      const user = toUser({ ...r, role });
      this.insertAudit(auditOf.userRole(actor, user));
      return { user, previousRole: r.role as Role };
    });
  }

  deleteUser(id: string, actor: string) {
    return this.tx(() => {
      const r = this.db.prepare(`SELECT * FROM users WHERE id = ?`).get(id) as Row | undefined;
      if (!r) throw new StoreConflict({ code: 'user-not-found' });
      if (r.role === 'owner') this.assertOwnerRemains(id);
      this.db.prepare(`DELETE FROM users WHERE id = ?`).run(id);
      const user = toUser(r);
      this.insertAudit(auditOf.userDeleted(actor, user));
      return user;
    });
  }

  addSigninToken(userId: string, tokenHash: string, expiresAt: Date) {
    return this.tx(() => {
      this.db.prepare(`INSERT INTO signin_tokens (token_hash, user_id, expires_at) VALUES (?, ?, ?)`)
        .run(tokenHash, userId, expiresAt.toISOString());
    });
  }

  signIn(signinHash: string, sessionHash: string, at: Date) {
    return this.tx(() => {
      const t = this.db.prepare(`DELETE FROM signin_tokens WHERE token_hash = ? RETURNING user_id, expires_at`)
        .get(signinHash) as Row | undefined;
      if (!t || t.expires_at < at.toISOString()) return undefined;
      const r = this.db.prepare(`SELECT * FROM users WHERE id = ?`).get(t.user_id) as Row | undefined;
      if (!r) return undefined;
      const user = toUser(r);
      this.db.prepare(`INSERT INTO sessions (token_hash, user_id, created_at) VALUES (?, ?, ?)`).run(sessionHash, user.id, now());
      this.insertAudit(auditOf.signedIn(user));
      return user;
    });
  }

  getSessionUser(tokenHash: string) {
    return this.tx(() => {
      const r = this.db.prepare(`SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`)
        .get(tokenHash) as Row | undefined;
      return r && toUser(r);
    });
  }

  deleteSession(tokenHash: string) {
    return this.tx(() => {
      this.db.prepare(`DELETE FROM sessions WHERE token_hash = ?`).run(tokenHash);
    });
  }

  listResources() {
    return this.tx(() => (this.db.prepare(`SELECT * FROM resources ORDER BY name, id`).all() as Row[]).map(toResource));
  }

  getResource(id: string) {
    return this.tx(() => {
      const r = this.db.prepare(`SELECT * FROM resources WHERE id = ?`).get(id) as Row | undefined;
      return r && toResource(r);
    });
  }

  createResource(input: ResourceInput, actor: string) {
    return this.tx(() => {
      const id = newId();
      const at = now();
      this.db.prepare(`INSERT INTO resources (id, name, address, ports_json, ssh_fp, rdp_fp, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(id, input.name, input.address, JSON.stringify(input.ports),
        input.sshHostKeyFingerprint ?? null, input.rdpCertFingerprint ?? null, at, at);
      const resource = toResource(this.db.prepare(`SELECT * FROM resources WHERE id = ?`).get(id) as Row);
      this.insertAudit(auditOf.resource('resource.create', actor, resource));
      return resource;
    });
  }

  updateResource(id: string, input: ResourceInput, actor: string) {
    return this.tx(() => {
      const info = this.db.prepare(`UPDATE resources SET name = ?, address = ?, ports_json = ?, ssh_fp = ?, rdp_fp = ?,
        updated_at = ? WHERE id = ?`).run(input.name, input.address, JSON.stringify(input.ports),
        input.sshHostKeyFingerprint ?? null, input.rdpCertFingerprint ?? null, now(), id);
      if (info.changes === 0) throw new StoreConflict({ code: 'resource-not-found' });
      // Links remember the name, so a link outliving its resource still says what it was for.
      this.db.prepare(`UPDATE links SET resource_name = ? WHERE resource_id = ?`).run(input.name, id);
      const resource = toResource(this.db.prepare(`SELECT * FROM resources WHERE id = ?`).get(id) as Row);
      this.insertAudit(auditOf.resource('resource.update', actor, resource));
      return resource;
    });
  }

  deleteResource(id: string, actor: string) {
    return this.tx(() => {
      const r = this.db.prepare(`DELETE FROM resources WHERE id = ? RETURNING *`).get(id) as Row | undefined;
      if (!r) throw new StoreConflict({ code: 'resource-not-found' });
      const resource = toResource(r);
      this.insertAudit(auditOf.resource('resource.delete', actor, resource));
      return resource;
    });
  }

  pinRdpCertificate(id: string, fingerprint: string, actor: string) {
    return this.tx(() => {
      const pinned = this.db.prepare(`UPDATE resources SET rdp_fp = ? WHERE id = ? AND rdp_fp IS NULL RETURNING id, name`)
        .get(fingerprint, id) as Row | undefined;
      if (pinned) this.insertAudit(auditOf.certificatePinned(actor, { id: pinned.id, name: pinned.name }, fingerprint));
      const r = this.db.prepare(`SELECT rdp_fp FROM resources WHERE id = ?`).get(id) as Row | undefined;
      return r?.rdp_fp ?? undefined;
    });
  }

  listLinks() {
    return this.tx(() => (this.db.prepare(`${LINK_SELECT} ORDER BY l.created_at, l.rowid`).all() as Row[]).map(toLink));
  }

  createLinks(resourceIds: string[], createdBy: string, maxLinks: number, options: NewLinkOptions = {}) {
    return this.tx(() => {
      const count = (this.db.prepare(`SELECT count(*) AS n FROM links`).get() as Row).n as number;
      const over = linkLimitConflict(count, resourceIds.length, maxLinks);
      if (over) throw new StoreConflict(over);
      const insert = this.db.prepare(`INSERT INTO links (id, token, token_hash, resource_id, resource_name, created_at, created_by,
        label, policy_json, uses, code_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`);
      const at = now();
      const policy = { ...options.policy };
      if (options.accessCodeHash) policy.accessCode = true;
      else delete policy.accessCode;
      const created: Link[] = [];
      for (const rid of resourceIds) {
        const r = this.db.prepare(`SELECT name FROM resources WHERE id = ?`).get(rid) as Row | undefined;
        if (!r) throw new StoreConflict({ code: 'unknown-resource', id: rid });
        const token = newToken();
        const link: Link = {
          id: newId(), token, resourceId: rid, resourceName: r.name, status: 'active', createdAt: at, createdBy,
          policy, uses: 0,
        };
        if (options.label) link.label = options.label;
        insert.run(link.id, token, hashToken(token), rid, r.name, at, createdBy, options.label || null, storedPolicy(policy),
          options.accessCodeHash ?? null);
        this.insertAudit(auditOf.link('link.create', createdBy, link));
        created.push(link);
      }
      return created;
    });
  }

  updateLink(id: string, update: LinkUpdate, actor: string) {
    return this.tx(() => {
      const sets: string[] = [];
      const values: unknown[] = [];
      if (update.label !== undefined) {
        sets.push('label = ?');
        values.push(update.label || null);
      }
      if (update.policy !== undefined) {
        sets.push('policy_json = ?');
        values.push(storedPolicy(update.policy));
      }
      if (update.resetUses) sets.push('uses = 0');
      if (update.accessCodeHash !== undefined) {
        sets.push('code_hash = ?');
        values.push(update.accessCodeHash);
      }
      if (update.accessCodeHash !== undefined || update.unlock) sets.push('wrong_codes = NULL');
      if (update.unbindPasskey) {
        sets.push('passkey = NULL', 'passkey_challenge = NULL');
        this.db.prepare(`DELETE FROM link_passes WHERE link_id = ?`).run(id);
      }
      if (sets.length) this.db.prepare(`UPDATE links SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
      const r = this.db.prepare(`${LINK_SELECT} WHERE l.id = ?`).get(id) as Row | undefined;
      if (!r) throw new StoreConflict({ code: 'link-not-found' });
      const link = toLink(r);
      this.insertAudit(auditOf.link('link.update', actor, link));
      return link;
    });
  }

  getLink(id: string) {
    return this.tx(() => this.linkRecord(this.db.prepare(`${LINK_SELECT} WHERE l.id = ?`).get(id) as Row | undefined));
  }

  countUse(linkId: string) {
    return this.tx(() => this.db.prepare(`UPDATE links SET uses = uses + 1
      WHERE id = ? AND (json_extract(policy_json, '$.maxUses') IS NULL OR uses < json_extract(policy_json, '$.maxUses'))`)
      .run(linkId).changes === 1);
  }

  recordWrongCode(linkId: string, now: Date) {
    return this.tx(() => {
      const r = this.db.prepare(`SELECT wrong_codes FROM links WHERE id = ?`).get(linkId) as Row | undefined;
      if (!r) return undefined;
      const wrong = wrongCodesAfter(r.wrong_codes ? (JSON.parse(r.wrong_codes) as string[]) : [], now);
      this.db.prepare(`UPDATE links SET wrong_codes = ? WHERE id = ?`).run(JSON.stringify(wrong), linkId);
      return wrong;
    });
  }

  setPasskeyChallenge(linkId: string, challenge: PasskeyChallenge) {
    return this.tx(() => void this.db.prepare(`UPDATE links SET passkey_challenge = ? WHERE id = ?`).run(JSON.stringify(challenge), linkId));
  }

  takePasskeyChallenge(linkId: string) {
    return this.tx(() => {
      const r = this.db.prepare(`SELECT passkey_challenge FROM links WHERE id = ?`).get(linkId) as Row | undefined;
      if (!r?.passkey_challenge) return undefined;
      this.db.prepare(`UPDATE links SET passkey_challenge = NULL WHERE id = ?`).run(linkId);
      return JSON.parse(r.passkey_challenge) as PasskeyChallenge;
    });
  }

  bindPasskey(linkId: string, passkey: BoundPasskey) {
    return this.tx(() => {
      const bound = this.db.prepare(`UPDATE links SET passkey = ? WHERE id = ? AND passkey IS NULL`).run(JSON.stringify(passkey), linkId).changes === 1;
      const r = bound ? (this.db.prepare(`${LINK_SELECT} WHERE l.id = ?`).get(linkId) as Row | undefined) : undefined;
      if (r) this.insertAudit(auditOf.link('link.passkey-bound', 'link visitor', toLink(r)));
      return bound;
    });
  }

  setPasskeyCounter(linkId: string, counter: number) {
    return this.tx(() => {
      const r = this.db.prepare(`SELECT passkey FROM links WHERE id = ?`).get(linkId) as Row | undefined;
      if (!r?.passkey) return;
      this.db.prepare(`UPDATE links SET passkey = ? WHERE id = ?`).run(JSON.stringify({ ...JSON.parse(r.passkey), counter }), linkId);
    });
  }

  addLinkPass(linkId: string, passHash: string, expiresAt: Date) {
    return this.tx(() => {
      this.db.prepare(`DELETE FROM link_passes WHERE expires_at < ?`).run(now());
      this.db.prepare(`INSERT INTO link_passes (pass_hash, link_id, expires_at) VALUES (?, ?, ?)`).run(passHash, linkId, expiresAt.toISOString());
    });
  }

  linkPassValid(linkId: string, passHash: string, at: Date) {
    return this.tx(() => this.db.prepare(`SELECT 1 FROM link_passes WHERE pass_hash = ? AND link_id = ? AND expires_at > ?`)
      .get(passHash, linkId, at.toISOString()) !== undefined);
  }

  /** Inside a transaction: a link row with its live resource. */
  private linkRecord(r: Row | undefined): LinkRecord | undefined {
    if (!r) return undefined;
    const link: LinkRecord = withCodeHash(toLink(r), r);
    const res = this.db.prepare(`SELECT * FROM resources WHERE id = ?`).get(r.resource_id) as Row | undefined;
    if (res) link.resource = toResource(res);
    return link;
  }

  private deleteLinksWhere(column: 'resource_id' | 'token_hash', values: string[], actor: string): Link[] {
    const select = this.db.prepare(`${LINK_SELECT} WHERE l.${column} = ? ORDER BY l.rowid`);
    const del = this.db.prepare(`DELETE FROM links WHERE ${column} = ?`);
    const deleted: Link[] = [];
    for (const v of values) {
      deleted.push(...(select.all(v) as Row[]).map(toLink));
      del.run(v);
    }
    for (const l of deleted) this.insertAudit(auditOf.link('link.delete', actor, l));
    return deleted;
  }

  deleteLinksByResource(resourceIds: string[], actor: string) {
    return this.tx(() => this.deleteLinksWhere('resource_id', resourceIds, actor));
  }

  deleteLinksByTokenHash(tokenHashes: string[], actor: string) {
    return this.tx(() => this.deleteLinksWhere('token_hash', tokenHashes, actor));
  }

  findLinkByTokenHash(tokenHash: string) {
    return this.tx(() => this.linkRecord(this.db.prepare(`${LINK_SELECT} WHERE l.token_hash = ?`).get(tokenHash) as Row | undefined));
  }

  addAudit(e: NewAudit) {
    return this.tx(() => this.insertAudit(e));
  }

  updateAudit(id: number, u: AuditUpdate) {
    return this.tx(() => {
      this.db.prepare(`UPDATE audit SET outcome = ?, detail = coalesce(?, detail), bytes_up = coalesce(?, bytes_up),
        bytes_down = coalesce(?, bytes_down), duration_ms = coalesce(?, duration_ms), count = coalesce(?, count),
        files_up = coalesce(?, files_up), files_down = coalesce(?, files_down), file_bytes_up = coalesce(?, file_bytes_up),
        file_bytes_down = coalesce(?, file_bytes_down), files_counted_by = coalesce(?, files_counted_by) WHERE id = ?`)
        .run(u.outcome, u.detail ?? null, u.bytesUp ?? null, u.bytesDown ?? null, u.durationMs ?? null, u.count ?? null,
          ...fileColumnValues(u.files), id);
    });
  }

  listAudit(limit: number) {
    return this.tx(() => (this.db.prepare(`SELECT * FROM audit ORDER BY id DESC LIMIT ?`).all(limit) as Row[]).map(toAudit));
  }

  anyoneSignedIn() {
    return this.tx(() => this.db.prepare(`SELECT 1 FROM audit WHERE action = 'user.signin' LIMIT 1`).get() !== undefined);
  }
}
