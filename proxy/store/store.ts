// The proxy's one storage interface. Every method is one atomic unit of work, so a backend can run
// it as a single transaction: SQLite (sqlite.ts, embedded) or PostgreSQL (postgres.ts, shared).
import type { AuditEntry, Link, Resource, ResourceInput, Role, User } from '../../src/shared/api.ts';

/** A link as the proxy resolves it for a connection: the live resource, if it still exists. */
export interface LinkRecord extends Link {
  resource?: Resource;
}

export interface NewAudit extends Omit<AuditEntry, 'id' | 'at'> {}

/** What completes an audit entry; a field left out keeps its stored value. */
export interface AuditUpdate {
  outcome: string;
  detail?: string;
  bytesUp?: number;
  bytesDown?: number;
  durationMs?: number;
  /** How many events the entry stands for now (replaces the stored count). */
  count?: number;
}

/** Thrown by a store method whose precondition failed; nothing was written. */
export class StoreConflict extends Error {
  constructor(
    readonly code: 'link-limit' | 'last-owner' | 'not-found' | 'duplicate',
    message: string,
  ) {
    super(message);
  }
}

/**
 * A change that ends live sessions, made by any proxy sharing the store. 'resync' means changes may
 * have been missed (the listening connection dropped), so live sessions must be checked afresh.
 */
export type StoreChange =
  | { kind: 'links-deleted'; linkIds: string[] }
  | { kind: 'resource-deleted'; resourceId: string }
  | { kind: 'links-disabled' }
  | { kind: 'resync' };

export interface Store {
  close(): Promise<void>;

  /**
   * Present when several proxies may share this store: reports every committed change that ends
   * sessions, this proxy's own included. Returns the unsubscribe function.
   */
  onChange?(listener: (change: StoreChange) => void): () => void;

  getShareableLinks(): Promise<boolean>;
  setShareableLinks(on: boolean): Promise<void>;

  countUsers(): Promise<number>;
  listUsers(): Promise<User[]>;
  getUser(id: string): Promise<User | undefined>;
  createUser(name: string, role: Role): Promise<User>;
  /** Refuses (last-owner) to leave the installation without an owner. */
  setUserRole(id: string, role: Role): Promise<User>;
  deleteUser(id: string): Promise<void>;

  /** One-time sign-in tokens, stored as hashes. */
  addSigninToken(userId: string, tokenHash: string, expiresAt: Date): Promise<void>;
  /** Deletes the token and returns its user, if it existed and had not expired. */
  consumeSigninToken(tokenHash: string, now: Date): Promise<string | undefined>;

  addSession(userId: string, tokenHash: string): Promise<void>;
  getSessionUser(tokenHash: string): Promise<User | undefined>;
  deleteSession(tokenHash: string): Promise<void>;

  listResources(): Promise<Resource[]>;
  getResource(id: string): Promise<Resource | undefined>;
  createResource(input: ResourceInput): Promise<Resource>;
  updateResource(id: string, input: ResourceInput): Promise<Resource>;
  deleteResource(id: string): Promise<void>;
  /** Trust on first use for RDP: pins the fingerprint only if none is pinned yet; returns the pinned one. */
  pinRdpCertificate(id: string, fingerprint: string): Promise<string | undefined>;

  listLinks(): Promise<Link[]>;
  /** Creates one link per resource, all or none: refuses (link-limit) past maxLinks. */
  createLinks(resourceIds: string[], createdBy: string, maxLinks: number): Promise<Link[]>;
  deleteLinksByResource(resourceIds: string[]): Promise<Link[]>;
  deleteLinksByTokenHash(tokenHashes: string[]): Promise<Link[]>;
  findLinkByTokenHash(tokenHash: string): Promise<LinkRecord | undefined>;

  /** count defaults to 1. */
  addAudit(entry: NewAudit): Promise<number>;
  updateAudit(id: number, update: AuditUpdate): Promise<void>;
  /** Newest first; every entry has its count. */
  listAudit(limit: number): Promise<AuditEntry[]>;
}
