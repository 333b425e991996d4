// The JSON API between the SPA and the proxy: one place for its shapes, imported by both sides.
// Every route is under /api. Users send `Authorization: Bearer <session token>`; there are no cookies.
// Every error is JSON `{ error: { code, message } }` where message is a sentence for a person.

export type Protocol = 'ssh' | 'rdp';

/** The four actions of the original product, plus the owner-only administration actions. */
export type Action =
  | 'links.create'
  | 'links.deleteByResource'
  | 'links.deleteByToken'
  | 'links.get'
  | 'admin'; // resources, users, the feature switch, the audit trail

export type Role = 'owner' | 'contributor' | 'reader';

export const ROLE_ACTIONS: Record<Role, readonly Action[]> = {
  owner: ['links.create', 'links.deleteByResource', 'links.deleteByToken', 'links.get', 'admin'],
  contributor: ['links.create', 'links.deleteByResource', 'links.deleteByToken', 'links.get'],
  reader: ['links.get'],
};

/** Whether moving from one role to another takes away an action (ends sessions opened with the old role). */
export function losesActions(from: Role, to: Role): boolean {
  return ROLE_ACTIONS[from].some((a) => !ROLE_ACTIONS[to].includes(a));
}

export const DEFAULT_PORTS: Record<Protocol, number> = { ssh: 22, rdp: 3389 };

export interface Resource {
  id: string;
  name: string;
  /** Host name or IP address, as the proxy dials it. */
  address: string;
  /** Which protocols a visitor may choose, and for each the ports allowed (first is the default). */
  ports: Partial<Record<Protocol, number[]>>;
  /** Optional pinned SSH host key fingerprint, OpenSSH form "SHA256:…". */
  sshHostKeyFingerprint?: string;
  /** Optional pinned RDP certificate fingerprint, "sha256:" + hex of the DER certificate. */
  rdpCertFingerprint?: string;
  createdAt: string;
  updatedAt: string;
}

export type ResourceInput = Pick<Resource, 'name' | 'address' | 'ports' | 'sshHostKeyFingerprint' | 'rdpCertFingerprint'>;

/** 'active' may still be refused at a given moment by its policy; the other statuses say why a link is unusable now. */
export type LinkStatus = 'active' | 'resource-deleted' | 'expired' | 'used-up' | 'outside-hours' | 'locked';

/** 0 = Sunday … 6 = Saturday, as Date.getDay(). */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export interface HoursWindow {
  days: Weekday[];
  /** Local wall-clock times "HH:MM"; `to` after `from` (a window does not cross midnight). */
  from: string;
  to: string;
}

/** Weekly hours in a time zone: "Monday to Friday, 08:00–18:00 in Europe/Berlin". */
export interface WeeklyHours {
  /** An IANA zone such as "Europe/Berlin". */
  timeZone: string;
  windows: HoursWindow[];
}

/** What a link allows; every field optional (an empty policy: no limits). Checked by src/shared/rules/policy.ts. */
export interface LinkPolicy {
  /** ISO instant after which the link no longer connects. */
  expiresAt?: string;
  /** Successful sign-ins allowed (a connection counts once the machine's first bytes were relayed). */
  maxUses?: number;
  hours?: WeeklyHours;
  /**
   * The link page asks for an access code before anything else. The code itself is set with the
   * `accessCode` field of a create or an edit; the proxy keeps only a slow hash of it.
   */
  accessCode?: boolean;
  /**
   * The link binds itself to the first visitor's passkey (WebAuthn): from then on it opens only in a
   * browser that proves that passkey. An owner or contributor can unbind it. Not with accessCode.
   */
  passkey?: boolean;
  /** The longest a session through the link may last, in minutes; the proxy ends it then. */
  maxSessionMinutes?: number;
  /** A session with no input from the visitor for this many minutes is ended by the proxy. */
  idleMinutes?: number;
  /**
   * Which way the clipboard may cross (left out: both ways). The proxy enforces it on RDP's clipboard
   * channel; for SSH, which is end to end, the page applies it (advisory). The visitor's own toggle can
   * only narrow it.
   */
  clipboard?: ClipboardRule;
  /**
   * Which way files may cross (left out: both ways): upload is page → machine, download machine → page.
   * The proxy enforces it on RDP's clipboard channel (file lists and file contents); for SSH's SFTP,
   * which is end to end, the page applies it.
   */
  fileTransfer?: FileTransferRule;
}

export type ClipboardRule = 'both' | 'to-machine' | 'from-machine' | 'off';
export type FileTransferRule = 'both' | 'upload' | 'download' | 'off';

export interface Link {
  /** Non-secret id, used in the audit trail. */
  id: string;
  /** The secret that goes in the URL fragment: #/l/<token>. */
  token: string;
  resourceId: string;
  /** Kept when the resource is deleted, so the listing still says what the link was for. */
  resourceName: string;
  status: LinkStatus;
  createdAt: string;
  createdBy: string;
  /** Who or what it is for ("for the vendor's support engineer"); shown in the list and the audit trail. */
  label?: string;
  policy?: LinkPolicy;
  /** Successful sign-ins so far. */
  uses?: number;
  /** Instants of recent wrong access codes (within the lockout window): too many lock the link. */
  wrongCodes?: string[];
  /** When the first visitor's passkey was bound to the link (policy.passkey). */
  passkeyBoundAt?: string;
}

export interface User {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
}

export interface Settings {
  shareableLinks: boolean;
  maxLinks: number;
  maxInflight: number;
  /** What the console's new-link form starts with (owners set it in Settings); older proxies leave it out. */
  linkDefaults?: LinkDefaults;
}

/**
 * A link policy as a template for new links: an expiry counted from creation instead of an instant,
 * and whether to ask for an access code (each batch of links still gets its own code).
 */
export type LinkDefaults = Omit<LinkPolicy, 'expiresAt'> & { expiresIn?: '1h' | '1d' | '7d' };

export interface Me {
  user: User;
  actions: Action[];
  settings: Settings;
}

/** What a link page may know about its link: no address, no credentials. */
export interface LinkInfo {
  resourceName: string;
  ports: Partial<Record<Protocol, number[]>>;
  sshHostKeyFingerprint?: string;
  /** When the link stops working by itself (its expiry, or the end of its hours today). */
  closesAt?: string;
  usesLeft?: number;
  /** The link's session limits, so the page can say them (the proxy enforces them). */
  maxSessionMinutes?: number;
  idleMinutes?: number;
  /** The link's clipboard rule, when it narrows 'both'. */
  clipboard?: ClipboardRule;
  /** The link's file-transfer rule, when it narrows 'both'. */
  fileTransfer?: FileTransferRule;
}

export interface AuditEntry {
  id: number;
  at: string;
  /** 'link.create', 'link.delete', 'connect', 'resource.create', … */
  action: string;
  /** User name, or 'link visitor' for a connection through a link. */
  actor: string;
  linkId?: string;
  resourceId?: string;
  resourceName?: string;
  protocol?: Protocol;
  port?: number;
  clientAddress?: string;
  /** 'ok', 'open' (still running), or a short failure code such as 'refused', 'link-deleted'. */
  outcome: string;
  detail?: string;
  bytesUp?: number;
  bytesDown?: number;
  durationMs?: number;
  /** How many like events this entry stands for (refusals are aggregated); 1 when left out. */
  count?: number;
  /** A session's file transfers, when they were counted (left out when nothing counted them). */
  files?: FileCounts;
}

/**
 * Files moved during one session and their bytes, each way: "up" is to the machine, "down" from it.
 * `countedBy` says whose word it is: 'proxy' when the proxy saw the files cross (RDP's clipboard),
 * 'client' when the visitor's page reported them (SSH's SFTP is end to end: the proxy sees only
 * ciphertext, so these are what the page says it moved).
 */
export interface FileCounts {
  up: number;
  down: number;
  bytesUp: number;
  bytesDown: number;
  countedBy: 'proxy' | 'client';
}

/**
 * A tunnel open right now on some proxy of the installation (GET /api/sessions). The id is not a
 * secret: it names the session for a disconnect, and opens nothing.
 */
export interface LiveSessionInfo {
  id: string;
  /** The user's name, or 'link visitor' for a session opened through a link. */
  actor: string;
  linkId?: string;
  /** The link's label, when it has one (filled in by the API from the link). */
  linkLabel?: string;
  resourceId: string;
  resourceName: string;
  protocol: Protocol;
  port: number;
  clientAddress: string;
  startedAt: string;
  /** Bytes so far, browser → machine and back; on another proxy, as of its last heartbeat (every 5 s). */
  bytesUp: number;
  bytesDown: number;
  /** Which proxy relays it (a random id per proxy process). */
  proxyId: string;
}

/** What a visitor's page shows when an owner or contributor disconnects their session. */
export const DISCONNECTED_BY_ADMIN = 'An administrator ended this session.';

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; field?: string };
}

export type ApiErrorCode =
  | 'bad-request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'feature-disabled'
  | 'link-limit'
  | 'too-many-requests'
  | 'conflict'
  | 'resource-deleted'
  | 'link-expired'
  | 'link-used-up'
  | 'outside-hours'
  | 'link-locked'
  | 'access-code-required'
  | 'wrong-access-code'
  | 'passkey-required'
  | 'internal';

/**
 * Routes (request body → response body):
 *   GET  /api/health                          → { ok: true, version }
 *   POST /api/session   { signinToken }        → { token, me: Me }         (a one-time sign-in URL's token)
 *   DELETE /api/session                        → 204                        (signs this session out)
 *   GET  /api/me                               → Me
 *   PUT  /api/settings  { shareableLinks?, linkDefaults? } → Settings      (admin; each audited on its own)
 *   GET  /api/resources                        → Resource[]                 (links.get)
 *   POST /api/resources ResourceInput          → Resource                   (admin)
 *   PUT  /api/resources/:id ResourceInput      → Resource                   (admin)
 *   DELETE /api/resources/:id                  → 204                        (admin)
 *   GET  /api/links                            → Link[]                     (links.get)
 *   POST /api/links     ({ resourceIds } | { all: true }) & { label?, policy?, accessCode? } → Link[]
 *        (links.create; one per resource, all with the same access code if one is given)
 *   PUT  /api/links/:id { label?, policy?, resetUses?, accessCode?, unlock? } → Link
 *        (links.create; renew without a new URL; a policy replaces the whole policy, so one without
 *        accessCode: true removes the code; `unlock` clears a lock of too many wrong codes)
 *   POST /api/links/delete-by-resource { resourceIds } → { deleted }       (links.deleteByResource)
 *   POST /api/links/delete-by-token    { tokens }      → { deleted }       (links.deleteByToken)
 *   POST /api/link-info { token, accessCode? } → LinkInfo                   (no auth: the link is the authority;
 *        a link with an access code answers access-code-required without one, wrong-access-code for a
 *        wrong one, link-locked after too many)
 *   POST /api/link-passkey/options { token }   → { register: boolean; options } (no auth: for a link bound to a
 *        passkey, WebAuthn options to register the first visitor's passkey, or to prove it afterwards)
 *   POST /api/link-passkey/verify { token, response } → { pass } (the ceremony's answer; a pass to use as
 *        the link's second secret, like an access code, for 12 hours)
 *   GET  /api/users                            → User[]                     (admin)
 *   POST /api/users     { name, role }         → { user, signinUrl }        (admin)
 *   PUT  /api/users/:id { role }               → User                       (admin)
 *   DELETE /api/users/:id                      → 204                        (admin)
 *   POST /api/users/:id/signin-link            → { signinUrl }              (admin)
 *   GET  /api/audit?limit=N                    → AuditEntry[]               (admin)
 *   GET  /api/sessions                         → LiveSessionInfo[]          (links.get; every proxy's live sessions)
 *   POST /api/sessions/disconnect { ids }      → { disconnected }           (links.deleteByResource or
 *        links.deleteByToken: owners and contributors, who may end a link's sessions by deleting it anyway;
 *        ends each named session within a second on whichever proxy relays it, audited as session.disconnect)
 *   POST /api/tunnel-check { credential, protocol, port, resource? } → 204 or the refusal
 *        (why a WebSocket upgrade was refused: browsers show a refused upgrade only as close 1006)
 *
 * WebSockets (never carry a secret in the URL; the secret rides in Sec-WebSocket-Protocol):
 *   /ws/relay?protocol=ssh&port=22             subprotocols ['binary', 'postern.link.<token>'], or
 *            'postern.link.<token>.<access code>' for a link with an access code
 *   /ws/relay?resource=<id>&protocol=ssh&port=22  subprotocols ['binary', 'postern.user.<session token>']
 *   /ws/rdp  RDCleanPath: proxy auth token 'link.<token>[.<access code>]' or 'user.<session token>'; destination
 *            '<resourceId>:<port>' for users, 'link:<port>' for links (only the port is taken from it).
 * The relay carries raw TCP bytes in binary messages, one to one (the websockify convention). On an SSH
 * session the page may also send text messages: its file report (rules/file-report.ts), which the
 * audit entry keeps as `files`, counted by the client. Any other text message closes the relay with 1003.
 */
export const WS_PROTOCOL_PREFIX = { link: 'postern.link.', user: 'postern.user.' } as const;

/**
 * RDP refusals reach IronRDP only as an HTTP status inside the RDCleanPath error, so each reason
 * gets its own status and the page turns it back into a sentence.
 */
export const RDP_STATUS = {
  badRequest: 400,
  unauthenticated: 401,
  forbidden: 403,
  notFound: 404,
  resourceDeleted: 410,
  featureDisabled: 423,
  /** Not HTTP statuses: RDCleanPath carries any number, and the page needs one per reason. */
  linkExpired: 440,
  linkUsedUp: 441,
  outsideHours: 442,
  linkLocked: 443,
  accessCodeRequired: 444,
  wrongAccessCode: 445,
  passkeyRequired: 446,
  requestTimeout: 408,
  tooLarge: 413,
  notSupported: 501,
  targetFailed: 502,
  busy: 503,
  targetTimeout: 504,
} as const;

/** WebSocket close codes the proxy uses, so the page can explain what happened. */
export const CLOSE = {
  badRequest: 4400,
  unauthenticated: 4401,
  forbidden: 4403,
  notFound: 4404,
  featureDisabled: 4405,
  resourceDeleted: 4410,
  linkDeleted: 4411,
  linkExpired: 4412,
  linkUsedUp: 4413,
  outsideHours: 4414,
  linkLocked: 4415,
  accessCodeRequired: 4416,
  wrongAccessCode: 4417,
  passkeyRequired: 4418,
  /** An owner or contributor disconnected the session from the console (POST /api/sessions/disconnect). */
  endedByAdmin: 4420,
  /** The session reached the link's longest session, or its idle limit. */
  sessionTooLong: 4421,
  sessionIdle: 4422,
  tooManyRequests: 4429,
  /** RDP with NLA: the machine ended the connection before CredSSP finished (the credentials were probably refused). */
  nlaRefused: 4430,
  targetUnreachable: 4502,
  targetTimeout: 4504,
} as const;
