// The proxy's one storage interface. Every method is one atomic unit of work, so a backend can run
// it as a single transaction: SQLite (sqlite.ts, embedded) or PostgreSQL (postgres.ts, shared).
// A method that changes something an owner must be able to trace takes the actor's name and writes
// the audit row(s) in that same transaction (see audit-entries.ts): a change never lands without
// its audit entry, nor an entry without its change, whatever happens to the process.
import { conflictError, type Conflict } from '../../src/shared/rules/conflicts.ts';
import type { LiveSessionStore } from './live-session-store.ts';
import type { AuditEntry, Link, LinkDefaults, LinkPolicy, Resource, ResourceInput, Role, User } from '../../src/shared/api.ts';

/** A link as the proxy resolves it for a connection: the live resource, if it still exists. */
export interface LinkRecord extends Link {
  resource?: Resource;
  /** The slow hash of its access code (proxy/auth/access-code.ts), when it asks for one. Never sent out. */
  accessCodeHash?: string;
  /** The passkey bound to it (policy.passkey), once its first visitor registered one. */
  passkey?: BoundPasskey;
}

/** A WebAuthn credential bound to a link: its id and public key (base64url), and its signature counter. */
export interface BoundPasskey {
  id: string;
  publicKey: string;
  counter: number;
  transports?: string[];
  boundAt: string;
}

/** A WebAuthn ceremony under way for a link: its challenge, and the origin it was asked from. */
export interface PasskeyChallenge {
  challenge: string;
  origin: string;
  register: boolean;
  expiresAt: string;
}

/** What a batch of new links is given (both optional: no label, no limits). */
export interface NewLinkOptions {
  label?: string;
  policy?: LinkPolicy;
  /** The access code's slow hash, for links that ask for one. */
  accessCodeHash?: string;
}

/** An edit of one link; a field left out keeps its value. `label: ''` removes the label. */
export interface LinkUpdate {
  label?: string;
  /** Replaces the whole policy. */
  policy?: LinkPolicy;
  /** Renews a used-up link: its use count starts again from 0. */
  resetUses?: boolean;
  /** A new code's hash, or null to stop asking for a code; either clears the wrong codes. Left out: kept. */
  accessCodeHash?: string | null;
  /** Clears the wrong codes, and so the lock they make. */
  unlock?: boolean;
  /** Forgets the bound passkey and its passes: the next visitor binds theirs. */
  unbindPasskey?: boolean;
}

export type NewAudit = Omit<AuditEntry, 'id' | 'at'>;

/** What completes an audit entry (the count replaces the stored one); a field left out keeps its stored value. */
export type AuditUpdate = Pick<AuditEntry, 'outcome'> & Partial<Pick<AuditEntry, 'detail' | 'bytesUp' | 'bytesDown' | 'durationMs' | 'count' | 'files'>>;

/** Thrown by a store method whose precondition failed; nothing was written. It carries the fact;
 *  src/shared/rules/conflicts.ts words it. */
export class StoreConflict extends Error {
  readonly code: 'link-limit' | 'last-owner' | 'not-found' | 'duplicate';
  constructor(readonly fact: Conflict) {
    super(conflictError(fact).message);
    this.code = fact.code === 'duplicate-user' ? 'duplicate'
      : fact.code === 'link-limit' || fact.code === 'last-owner' ? fact.code : 'not-found';
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
  /** A link's label, policy or use count was edited: sessions through it are checked against it afresh. */
  | { kind: 'link-updated'; linkId: string }
  /** The user is gone, and with them every session token they had. */
  | { kind: 'user-deleted'; userId: string }
  /** The user's role changed to one that lacks an action the old one had. */
  | { kind: 'user-role-lowered'; userId: string; role: Role }
  /** One session token was signed out (sessionHash: the hash of that token, as stored). */
  | { kind: 'signed-out'; sessionHash: string }
  /** An owner or contributor disconnected these live sessions (their ids); whichever proxy holds one ends it. */
  | { kind: 'sessions-disconnected'; ids: string[] }
  | { kind: 'resync' };

export interface Store {
  close(): Promise<void>;

  /**
   * Present when several proxies may share this store: reports every committed change that ends
   * sessions, this proxy's own included. Returns the unsubscribe function.
   */
  onChange?(listener: (change: StoreChange) => void): () => void;

  getShareableLinks(): Promise<boolean>;
  /** Audits feature.enable / feature.disable. */
  setShareableLinks(on: boolean, actor: string): Promise<void>;
  /** What the console's new-link form starts with ({} until an owner sets them). */
  getLinkDefaults(): Promise<LinkDefaults>;
  /** Audits settings.link-defaults. */
  setLinkDefaults(defaults: LinkDefaults, actor: string): Promise<void>;

  countUsers(): Promise<number>;
  listUsers(): Promise<User[]>;
  getUser(id: string): Promise<User | undefined>;
  /** Audits user.create. */
  createUser(name: string, role: Role, actor: string): Promise<User>;
  /** Refuses (last-owner) to leave the installation without an owner. Audits user.role. */
  setUserRole(id: string, role: Role, actor: string): Promise<{ user: User; previousRole: Role }>;
  /** Deletes the user with their sessions and sign-in tokens; returns who it was. Audits user.delete. */
  deleteUser(id: string, actor: string): Promise<User>;

  /** One-time sign-in tokens, stored as hashes. */
  addSigninToken(userId: string, tokenHash: string, expiresAt: Date): Promise<void>;
  /**
   * Uses a one-time sign-in token (it is deleted, used or expired) and, if it was valid, starts a
   * session under `sessionHash` and audits user.signin. Returns the signed-in user.
   */
  signIn(signinHash: string, sessionHash: string, now: Date): Promise<User | undefined>;
  getSessionUser(tokenHash: string): Promise<User | undefined>;
  /** Signs one session out. */
  deleteSession(tokenHash: string): Promise<void>;

  listResources(): Promise<Resource[]>;
  getResource(id: string): Promise<Resource | undefined>;
  /** Audits resource.create. */
  createResource(input: ResourceInput, actor: string): Promise<Resource>;
  /** Audits resource.update. */
  updateResource(id: string, input: ResourceInput, actor: string): Promise<Resource>;
  /** Returns what was deleted. Audits resource.delete. */
  deleteResource(id: string, actor: string): Promise<Resource>;
  /**
   * Trust on first use for RDP: pins the fingerprint only if none is pinned yet; returns the pinned
   * one. Audits rdp.certificate-pinned when this call is the one that pinned it.
   */
  pinRdpCertificate(id: string, fingerprint: string, actor: string): Promise<string | undefined>;

  listLinks(): Promise<Link[]>;
  /**
   * Creates one link per resource, all or none, each with the given label and policy: refuses
   * (link-limit) past maxLinks. Audits link.create for each.
   */
  createLinks(resourceIds: string[], createdBy: string, maxLinks: number, options?: NewLinkOptions): Promise<Link[]>;
  /** Edits or renews a link without changing its token; refuses (not-found) if it is gone. Audits link.update. */
  updateLink(id: string, update: LinkUpdate, actor: string): Promise<Link>;
  getLink(id: string): Promise<LinkRecord | undefined>;
  /**
   * Counts one successful use, atomically and only while the link is under its use limit: returns
   * false (nothing counted) if the link is used up or gone, so two visitors cannot both spend the last use.
   */
  countUse(linkId: string): Promise<boolean>;
  /**
   * Records one wrong access code at `now`, atomically: returns the link's recent wrong codes
   * afterwards (older than the lockout window dropped), or undefined if the link is gone.
   */
  recordWrongCode(linkId: string, now: Date): Promise<string[] | undefined>;

  /** Starts a WebAuthn ceremony for a link (the last one started wins). */
  setPasskeyChallenge(linkId: string, challenge: PasskeyChallenge): Promise<void>;
  /** Takes the link's ceremony, once: later calls find none. */
  takePasskeyChallenge(linkId: string): Promise<PasskeyChallenge | undefined>;
  /** Binds the passkey only if none is bound yet (the first visitor wins). Audits link.passkey-bound. */
  bindPasskey(linkId: string, passkey: BoundPasskey): Promise<boolean>;
  setPasskeyCounter(linkId: string, counter: number): Promise<void>;
  /** A pass earned by proving the link's passkey (its hash), valid until expiresAt. */
  addLinkPass(linkId: string, passHash: string, expiresAt: Date): Promise<void>;
  linkPassValid(linkId: string, passHash: string, now: Date): Promise<boolean>;
  /** Audits link.delete for each link deleted. */
  deleteLinksByResource(resourceIds: string[], actor: string): Promise<Link[]>;
  /** Audits link.delete for each link deleted. */
  deleteLinksByTokenHash(tokenHashes: string[], actor: string): Promise<Link[]>;
  findLinkByTokenHash(tokenHash: string): Promise<LinkRecord | undefined>;

  /** Every proxy's live sessions (see live-session-store.ts). */
  readonly liveSessions: LiveSessionStore;

  /** An entry that is not part of a change above (connections, refusals); count defaults to 1. */
  addAudit(entry: NewAudit): Promise<number>;
  updateAudit(id: number, update: AuditUpdate): Promise<void>;
  /** Newest first; every entry has its count. */
  listAudit(limit: number): Promise<AuditEntry[]>;
  /** Whether anyone has ever signed in (the audit trail keeps every user.signin). */
  anyoneSignedIn(): Promise<boolean>;
}
