// Rows as node-postgres returns them (timestamptz as Date, bigint as string, jsonb parsed) turned into
// the same API objects the SQLite store returns, so both backends answer alike.
import { withCodeColumns } from './access-code-columns.ts';
import type { AuditEntry, Link, Resource, User } from '../../src/shared/api.ts';
import { filesOfRow } from './audit-files.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- columns are whatever the SQL selected
export type Row = Record<string, any>;

/** ISO 8601 in UTC with milliseconds, exactly as new Date().toISOString() writes it. */
export const iso = (d: Date | string): string => (d instanceof Date ? d : new Date(d)).toISOString();

/** bigint columns arrive as strings so that no precision is lost; our counters fit in a double. */
const num = (v: unknown): number => Number(v);

export function toUser(r: Row): User {
  return { id: r.id, name: r.name, role: r.role, createdAt: iso(r.created_at) };
}

export function toResource(r: Row): Resource {
  const res: Resource = {
    id: r.id,
    name: r.name,
    address: r.address,
    ports: r.ports,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
  if (r.ssh_fp) res.sshHostKeyFingerprint = r.ssh_fp;
  if (r.rdp_fp) res.rdpCertFingerprint = r.rdp_fp;
  return res;
}

export function toLink(r: Row): Link {
  const link: Link = {
    id: r.id,
    token: r.token,
    resourceId: r.resource_id,
    resourceName: r.current_name ?? r.resource_name,
    status: r.current_name == null ? 'resource-deleted' : 'active',
    createdAt: iso(r.created_at),
    createdBy: r.created_by,
    policy: r.policy ?? {},
    uses: num(r.uses ?? 0),
  };
  if (r.label) link.label = r.label;
  return withCodeColumns(link, r);
}

export function toAudit(r: Row): AuditEntry {
  const e: AuditEntry = { id: num(r.id), at: iso(r.at), action: r.action, actor: r.actor, outcome: r.outcome, count: num(r.count) };
  const text: [keyof AuditEntry, string][] = [
    ['linkId', 'link_id'], ['resourceId', 'resource_id'], ['resourceName', 'resource_name'],
    ['protocol', 'protocol'], ['clientAddress', 'client_address'], ['detail', 'detail'],
  ];
  const numbers: [keyof AuditEntry, string][] = [
    ['port', 'port'], ['bytesUp', 'bytes_up'], ['bytesDown', 'bytes_down'], ['durationMs', 'duration_ms'],
  ];
  for (const [key, col] of text) if (r[col] != null) Object.assign(e, { [key]: r[col] });
  for (const [key, col] of numbers) if (r[col] != null) Object.assign(e, { [key]: num(r[col]) });
  const files = filesOfRow(r);
  if (files) e.files = files;
  return e;
}

/** Links with their resource's current name; a null name means the resource was deleted. */
export const LINK_SELECT = `SELECT l.*, r.name AS current_name FROM links l LEFT JOIN resources r ON r.id = l.resource_id`;
