// The Postern API run inside the page for the offline demo: the same methods as ApiClient, the same
// rules (roles and their four link actions, the feature switch, the 500-link limit, links kept when
// their resource is deleted) and the same error sentences as the proxy, over records in IndexedDB
// (the demo's own database, storage.ts). Who "is signed in" is the demo user chosen in the role
// switcher, or the one whose one-time sign-in link was opened in this browser; there are no
// passwords or sessions to keep.
import { ApiError, type PosternApi } from '../api/client';
import {
  ROLE_ACTIONS,
  type Action,
  type AuditEntry,
  type Link,
  type LinkInfo,
  type Me,
  type Resource,
  type ResourceInput,
  type Role,
  type Settings,
  type User,
} from '../shared/api';
import { demoDb } from './storage';
import { bad, extractToken, looksLikeToken, newToken, resourceInput, role as parseRole, stringList, text } from './validate';
import { seedDemo } from './seed';

const MAX_LINKS = 500;
const MAX_PER_REQUEST = 500;
const MAX_INFLIGHT = 50;

const ACTION_NAMES: Record<Action, string> = {
  'links.create': 'create links',
  'links.deleteByResource': 'delete links by resource',
  'links.deleteByToken': 'delete links by token',
  'links.get': 'view links',
  admin: 'manage resources, users and settings',
};

const err = (status: number, code: ApiError['code'], message: string, field?: string) => new ApiError(status, code, message, field);
const now = () => new Date().toISOString();

export class LocalApi implements PosternApi {
  private seeded: Promise<void> | undefined;

  /** Seeds the demo records on first use (idempotent across tabs and visits). */
  ready(): Promise<void> {
    this.seeded ??= seedDemo().catch((e: unknown) => {
      this.seeded = undefined;
      throw e;
    });
    return this.seeded;
  }

  // --- the demo's own controls ---

  /** Acts as the first demo user with this role, as if they had signed in. */
  async actAs(role: Role): Promise<Me> {
    await this.ready();
    const user = (await (await demoDb()).getAll('users')).sort(byCreated).find((u) => u.role === role);
    if (!user) throw err(404, 'not-found', `There is no ${role} among the demo users any more. Add one under Users first.`);
    await (await demoDb()).put('meta', user.id, 'actingAs');
    return this.me();
  }

  // --- the API (src/shared/api.ts) ---

  /** Opening a user's one-time link makes this browser act as that user, as signing in would. */
  async signIn(signinToken: string): Promise<{ token: string; me: Me }> {
    await this.ready();
    const d = await demoDb();
    const key = await signinKey(signinToken);
    const userId = key && ((await d.get('meta', key)) as string | undefined);
    const user = userId && (await d.get('users', userId));
    if (!key || !user) {
      throw err(401, 'unauthenticated', 'This sign-in link is not valid: it was already used, has expired, or is mistyped. Ask an owner for a new one.');
    }
    await d.delete('meta', key); // one use only
    await d.put('meta', user.id, 'actingAs');
    await this.audit_({ action: 'user.signin', actor: user.name, outcome: 'ok' });
    return { token: 'demo', me: await this.me() };
  }
  async signOut(): Promise<void> {}

  async me(): Promise<Me> {
    const user = await this.actor();
    return { user, actions: [...ROLE_ACTIONS[user.role]], settings: await this.settings() };
  }

  async putSettings(s: { shareableLinks: boolean }): Promise<Settings> {
    const user = await this.require('admin');
    if (typeof s?.shareableLinks !== 'boolean') throw bad('shareableLinks must be true or false.', 'shareableLinks');
    await (await demoDb()).put('meta', s.shareableLinks, 'shareableLinks');
    await this.audit_({ action: s.shareableLinks ? 'feature.enable' : 'feature.disable', actor: user.name, outcome: 'ok' });
    return this.settings();
  }

  async resources(): Promise<Resource[]> {
    await this.require('links.get');
    return (await demoDb()).getAll('resources');
  }

  async createResource(input: ResourceInput): Promise<Resource> {
    const user = await this.require('admin');
    const at = now();
    const r: Resource = { ...clean(resourceInput(input)), id: crypto.randomUUID(), createdAt: at, updatedAt: at };
    await (await demoDb()).put('resources', r);
    await this.audit_({ action: 'resource.create', actor: user.name, resourceId: r.id, resourceName: r.name, outcome: 'ok' });
    return r;
  }

  async updateResource(id: string, input: ResourceInput): Promise<Resource> {
    const user = await this.require('admin');
    const valid = clean(resourceInput(input));
    const d = await demoDb();
    const old = await d.get('resources', id);
    if (!old) throw err(404, 'not-found', 'That resource no longer exists.');
    const r: Resource = { ...valid, id, createdAt: old.createdAt, updatedAt: now() };
    await d.put('resources', r);
    await this.audit_({ action: 'resource.update', actor: user.name, resourceId: r.id, resourceName: r.name, outcome: 'ok' });
    return r;
  }

  async deleteResource(id: string): Promise<void> {
    const user = await this.require('admin');
    const tx = (await demoDb()).transaction(['resources', 'links'], 'readwrite');
    const r = await tx.objectStore('resources').get(id);
    if (!r) {
      await tx.done;
      throw err(404, 'not-found', 'That resource no longer exists.');
    }
    await tx.objectStore('resources').delete(id);
    // Its links stay listed, marked, so the console still says what they were for.
    for (const l of await tx.objectStore('links').getAll()) {
      if (l.resourceId === id) await tx.objectStore('links').put({ ...l, status: 'resource-deleted' });
    }
    await tx.done;
    await this.audit_({ action: 'resource.delete', actor: user.name, resourceId: r.id, resourceName: r.name, outcome: 'ok' });
  }

  async links(): Promise<Link[]> {
    await this.require('links.get');
    return (await demoDb()).getAll('links');
  }

  async createLinks(req: { resourceIds: string[] } | { all: true }): Promise<Link[]> {
    const user = await this.require('links.create');
    if (!(await this.settings()).shareableLinks) {
      throw err(403, 'feature-disabled', 'Shareable links are turned off. An owner can turn them on in Settings.');
    }
    const d = await demoDb();
    const ids = 'all' in req && req.all === true
      ? (await d.getAllKeys('resources'))
      : stringList((req as { resourceIds?: unknown }).resourceIds, 'resourceIds', 'Resources', MAX_PER_REQUEST);
    if (ids.length === 0) throw bad('There are no resources to create links for.', 'resourceIds');
    const tx = d.transaction(['resources', 'links'], 'readwrite');
    const count = await tx.objectStore('links').count();
    if (count + ids.length > MAX_LINKS) {
      tx.abort();
      await tx.done.catch(() => undefined);
      throw err(409, 'link-limit', `This installation allows at most ${MAX_LINKS} links; ` +
        `it has ${count}, so ${ids.length} more would be too many. Delete some links first.`);
    }
    const created: Link[] = [];
    const at = now();
    for (const rid of ids) {
      const r = await tx.objectStore('resources').get(rid);
      if (!r) {
        tx.abort();
        await tx.done.catch(() => undefined);
        throw err(404, 'not-found', `Resource ${rid} does not exist; no links were created.`);
      }
      created.push({ id: crypto.randomUUID(), token: newToken(), resourceId: r.id, resourceName: r.name, status: 'active', createdAt: at, createdBy: user.name });
    }
    for (const l of created) await tx.objectStore('links').put(l);
    await tx.done;
    for (const l of created) await this.audit_({ action: 'link.create', actor: user.name, linkId: l.id, resourceId: l.resourceId, resourceName: l.resourceName, outcome: 'ok' });
    return created;
  }

  async deleteLinksByResource(resourceIds: string[]): Promise<{ deleted: number }> {
    const user = await this.require('links.deleteByResource');
    const ids = new Set(stringList(resourceIds, 'resourceIds', 'Resources', MAX_PER_REQUEST));
    return this.deleteLinks(user, (l) => ids.has(l.resourceId));
  }

  async deleteLinksByToken(tokens: string[]): Promise<{ deleted: number }> {
    const user = await this.require('links.deleteByToken');
    const list = stringList(tokens, 'tokens', 'Tokens', MAX_PER_REQUEST).map(extractToken);
    const badAt = list.findIndex((t) => !looksLikeToken(t));
    if (badAt >= 0) throw bad(`Entry ${badAt + 1} is not a link token or link URL; nothing was deleted.`, 'tokens');
    const set = new Set(list);
    return this.deleteLinks(user, (l) => set.has(l.token));
  }

  /** No sign-in needed: the link is the authority, as with the proxy. */
  async linkInfo(token: string): Promise<LinkInfo> {
    return infoFor(await this.findLink(token)).info;
  }

  /** The resource behind a link, for the demo's connect backend (the proxy does this look-up itself). */
  async linkTarget(token: string): Promise<Resource> {
    return infoFor(await this.findLink(token)).resource;
  }

  async users(): Promise<User[]> {
    await this.require('admin');
    return (await demoDb()).getAll('users');
  }

  async createUser(name: string, role: Role): Promise<{ user: User; signinUrl: string }> {
    const actor = await this.require('admin');
    const n = text(name, 'name', 'Name', 100);
    const user: User = { id: crypto.randomUUID(), name: n, role: parseRole(role), createdAt: now() };
    const d = await demoDb();
    if ((await d.getAll('users')).some((u) => u.name === n)) throw err(409, 'conflict', `A user named "${n}" already exists.`);
    await d.put('users', user);
    await this.audit_({ action: 'user.create', actor: actor.name, outcome: 'ok', detail: `${user.name} (${user.role})` });
    return { user, signinUrl: await this.signinUrl(user.id) };
  }

  async setUserRole(id: string, role: Role): Promise<User> {
    const actor = await this.require('admin');
    const r = parseRole(role);
    const d = await demoDb();
    const old = await d.get('users', id);
    if (!old) throw err(404, 'not-found', 'That user no longer exists.');
    if (old.role === 'owner' && r !== 'owner') await this.ownerRemains(id);
    const user = { ...old, role: r };
    await d.put('users', user);
    await this.audit_({ action: 'user.role', actor: actor.name, outcome: 'ok', detail: `${user.name} → ${user.role}` });
    return user;
  }

  async deleteUser(id: string): Promise<void> {
    const actor = await this.require('admin');
    const d = await demoDb();
    const old = await d.get('users', id);
    if (!old) throw err(404, 'not-found', 'That user no longer exists.');
    if (old.role === 'owner') await this.ownerRemains(id);
    await d.delete('users', id);
    await this.audit_({ action: 'user.delete', actor: actor.name, outcome: 'ok', detail: old.name });
  }

  async newSigninLink(id: string): Promise<{ signinUrl: string }> {
    await this.require('admin');
    if (!(await (await demoDb()).get('users', id))) throw err(404, 'not-found', 'That user no longer exists.');
    return { signinUrl: await this.signinUrl(id) };
  }

  async audit(limit = 500): Promise<AuditEntry[]> {
    await this.require('admin');
    const all = await (await demoDb()).getAll('audit');
    return all.sort((a, b) => b.id - a.id).slice(0, Math.min(Math.max(1, limit), 5000));
  }

  /** Records a connection through the demo (the proxy audits its own tunnels). */
  async recordConnect(entry: Omit<AuditEntry, 'id' | 'at' | 'action'>): Promise<void> {
    await this.ready();
    await this.audit_({ action: 'connect', ...entry });
  }

  // --- helpers ---

  private async settings(): Promise<Settings> {
    await this.ready();
    const on = await (await demoDb()).get('meta', 'shareableLinks');
    return { shareableLinks: on !== false, maxLinks: MAX_LINKS, maxInflight: MAX_INFLIGHT };
  }

  /** The demo user being acted as; the first owner when none was chosen (or that one was deleted). */
  private async actor(): Promise<User> {
    await this.ready();
    const d = await demoDb();
    const id = (await d.get('meta', 'actingAs')) as string | undefined;
    const chosen = id ? await d.get('users', id) : undefined;
    if (chosen) return chosen;
    const owner = (await d.getAll('users')).sort(byCreated).find((u) => u.role === 'owner');
    if (!owner) throw err(401, 'unauthenticated', 'Please sign in again: your session has ended or is not valid.');
    return owner;
  }

  private async require(action: Action): Promise<User> {
    const user = await this.actor();
    if (!ROLE_ACTIONS[user.role].includes(action)) throw err(403, 'forbidden', `Your role (${user.role}) cannot ${ACTION_NAMES[action]}.`);
    return user;
  }

  private async ownerRemains(changingId: string): Promise<void> {
    const others = (await (await demoDb()).getAll('users')).filter((u) => u.role === 'owner' && u.id !== changingId);
    if (others.length === 0) throw err(409, 'conflict', 'This is the only owner; make someone else an owner first.');
  }

  private async findLink(token: string): Promise<{ link: Link; resource?: Resource; shareable: boolean }> {
    await this.ready();
    const t = extractToken(typeof token === 'string' ? token : '');
    const d = await demoDb();
    const link = looksLikeToken(t) ? (await d.getAll('links')).find((l) => l.token === t) : undefined;
    if (!link) throw err(404, 'not-found', 'This link does not exist. It may have been deleted, or mistyped.');
    const resource = link.status === 'active' ? await d.get('resources', link.resourceId) : undefined;
    return { link, resource, shareable: (await this.settings()).shareableLinks };
  }

  private async deleteLinks(user: User, match: (l: Link) => boolean): Promise<{ deleted: number }> {
    const tx = (await demoDb()).transaction('links', 'readwrite');
    const gone = (await tx.store.getAll()).filter(match);
    for (const l of gone) await tx.store.delete(l.id);
    await tx.done;
    for (const l of gone) await this.audit_({ action: 'link.delete', actor: user.name, linkId: l.id, resourceId: l.resourceId, resourceName: l.resourceName, outcome: 'ok' });
    return { deleted: gone.length };
  }

  private async audit_(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<void> {
    const tx = (await demoDb()).transaction('audit', 'readwrite');
    const last = await tx.store.openCursor(null, 'prev');
    await tx.store.put({ ...entry, id: ((last?.key as number | undefined) ?? 0) + 1, at: now() });
    await tx.done;
  }

  /** A one-time sign-in URL that works in this browser's demo; only the token's hash is kept. */
  private async signinUrl(userId: string): Promise<string> {
    const token = newToken();
    await (await demoDb()).put('meta', userId, (await signinKey(token))!);
    return new URL(`#/signin/${token}`, document.baseURI).href;
  }
}

/** The meta key for a sign-in token: its SHA-256, so the token itself is never stored. */
async function signinKey(token: string): Promise<string | undefined> {
  if (!looksLikeToken(token)) return undefined;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)));
  return 'signin:' + Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

function infoFor(found: { link: Link; resource?: Resource; shareable: boolean }): { info: LinkInfo; resource: Resource } {
  if (!found.shareable) throw err(403, 'feature-disabled', 'Shareable links are turned off on this Postern, so this link cannot be used now.');
  const r = found.resource;
  if (!r) {
    throw err(410, 'resource-deleted', `The machine this link was for ("${found.link.resourceName}") has been deleted, so the link no longer connects.`);
  }
  const info: LinkInfo = { resourceName: r.name, ports: r.ports };
  if (r.sshHostKeyFingerprint) info.sshHostKeyFingerprint = r.sshHostKeyFingerprint;
  return { info, resource: r };
}

/** Drops optional fields left undefined, so records read back exactly as written. */
function clean(r: ResourceInput): ResourceInput {
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as ResourceInput;
}

const byCreated = (a: User, b: User) => a.createdAt.localeCompare(b.createdAt);

let shared: LocalApi | undefined;

/** The page's one demo API. */
export function localApi(): LocalApi {
  shared ??= new LocalApi();
  return shared;
}
