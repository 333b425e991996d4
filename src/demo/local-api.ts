// The Postern API run inside the page for the offline demo: the same methods as ApiClient and the
// same rules as the proxy, from the same module (src/shared/rules: validation, roles and their four
// link actions, refusals, the link limit, conflicts, with their sentences), over records in IndexedDB
// (the demo's own database, storage.ts). Who "is signed in" is the demo user chosen in the role
// switcher, or the one whose one-time sign-in link was opened in this browser; there are no
// passwords or sessions to keep.
import type { PosternApi } from '../api/client';
import { conflictError, type Conflict } from '../shared/rules/conflicts.ts';
import { ApiError } from '../shared/rules/errors.ts';
import { DEFAULT_MAX_INFLIGHT, DEFAULT_MAX_LINKS, linkLimitConflict, MAX_PER_REQUEST } from '../shared/rules/limits.ts';
import { requireAction, requireDisconnect, SIGN_IN_AGAIN, SIGNIN_LINK_INVALID } from '../shared/rules/permissions.ts';
import { LINKS_OFF_FOR_CREATE, linkInfoOf, linkRefusal, linkStatus, refusalError } from '../shared/rules/refusals.ts';
import { accessCodeChange, linkDefaultsInput, linkSettings, type LinkSettings } from '../shared/rules/policy.ts';
import { checkDemoAccessCode, hasDemoAccessCode, setDemoAccessCode } from './access-code';
import {
  asObject, extractToken, linkTokens, looksLikeToken, noResourcesForLinks, resourceInput, role as parseRole, shareableLinks, stringList, text,
} from '../shared/rules/validate.ts';
import {
  ROLE_ACTIONS,
  type Action,
  type AuditEntry,
  type Link,
  type LinkDefaults,
  type LinkInfo,
  type LiveSessionInfo,
  type Me,
  type Resource,
  type ResourceInput,
  type Role,
  type Settings,
  type User,
} from '../shared/api';
import { demoDb } from './storage';
import { seedDemo } from './seed';

const conflict = (c: Conflict) => conflictError(c);
const PASSKEY_NEEDS_PROXY = 'Binding a link to a passkey needs a Postern proxy: this demo runs without one.';
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
    if (!user) throw new ApiError('not-found', `There is no ${role} among the demo users any more. Add one under Users first.`);
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
    if (!key || !user) throw new ApiError('unauthenticated', SIGNIN_LINK_INVALID);
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

  async putSettings(s: { shareableLinks?: boolean; linkDefaults?: LinkDefaults }): Promise<Settings> {
    const user = await this.require('admin');
    const body = asObject(s);
    if (body.shareableLinks === undefined && body.linkDefaults === undefined) {
      throw new ApiError('bad-request', 'Send shareableLinks, linkDefaults, or both.');
    }
    const on = body.shareableLinks === undefined ? undefined : shareableLinks(body.shareableLinks);
    const defaults = body.linkDefaults === undefined ? undefined : linkDefaultsInput(body.linkDefaults, new Date());
    if (on !== undefined) {
      await (await demoDb()).put('meta', on, 'shareableLinks');
      await this.audit_({ action: on ? 'feature.enable' : 'feature.disable', actor: user.name, outcome: 'ok' });
    }
    if (defaults) {
      await (await demoDb()).put('meta', defaults, 'linkDefaults');
      await this.audit_({ action: 'settings.link-defaults', actor: user.name, outcome: 'ok', detail: JSON.stringify(defaults) });
    }
    return this.settings();
  }

  async resources(): Promise<Resource[]> {
    await this.require('links.get');
    return (await demoDb()).getAll('resources');
  }

  async createResource(input: ResourceInput): Promise<Resource> {
    const user = await this.require('admin');
    const at = now();
    const r: Resource = { ...resourceInput(input), id: crypto.randomUUID(), createdAt: at, updatedAt: at };
    await (await demoDb()).put('resources', r);
    await this.audit_({ action: 'resource.create', actor: user.name, resourceId: r.id, resourceName: r.name, outcome: 'ok' });
    return r;
  }

  async updateResource(id: string, input: ResourceInput): Promise<Resource> {
    const user = await this.require('admin');
    const valid = resourceInput(input);
    const d = await demoDb();
    const old = await d.get('resources', id);
    if (!old) throw conflict({ code: 'resource-not-found' });
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
      throw conflict({ code: 'resource-not-found' });
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
    const at = new Date();
    return (await demoDb()).getAll('links').then((all) => all.map((l) => ({ ...l, status: linkStatus(l, at) })));
  }

  async createLinks(req: ({ resourceIds: string[] } | { all: true }) & LinkSettings): Promise<Link[]> {
    const user = await this.require('links.create');
    if (!(await this.settings()).shareableLinks) {
      throw new ApiError('feature-disabled', LINKS_OFF_FOR_CREATE);
    }
    // The same checks as the proxy's, from the same module.
    const { label, policy, accessCode } = linkSettings(asObject(req), new Date());
    if (policy?.passkey) throw new ApiError('bad-request', PASSKEY_NEEDS_PROXY, 'passkey');
    accessCodeChange({ policy, accessCode }, false);
    const d = await demoDb();
    const ids = 'all' in req && req.all === true
      ? (await d.getAllKeys('resources'))
      : stringList((req as { resourceIds?: unknown }).resourceIds, 'resourceIds', 'Resources', MAX_PER_REQUEST);
    if (ids.length === 0) throw noResourcesForLinks();
    const tx = d.transaction(['resources', 'links'], 'readwrite');
    const over = linkLimitConflict(await tx.objectStore('links').count(), ids.length, DEFAULT_MAX_LINKS);
    if (over) {
      tx.abort();
      await tx.done.catch(() => undefined);
      throw conflict(over);
    }
    const created: Link[] = [];
    const at = now();
    for (const rid of ids) {
      const r = await tx.objectStore('resources').get(rid);
      if (!r) {
        tx.abort();
        await tx.done.catch(() => undefined);
        throw conflict({ code: 'unknown-resource', id: rid });
      }
      created.push({
        id: crypto.randomUUID(), token: newToken(), resourceId: r.id, resourceName: r.name, status: 'active', createdAt: at, createdBy: user.name,
        ...(label ? { label } : {}), policy: { ...policy, ...(accessCode ? { accessCode: true } : {}) }, uses: 0,
      });
    }
    for (const l of created) await tx.objectStore('links').put(l);
    await tx.done;
    if (accessCode) await setDemoAccessCode(created.map((l) => l.id), accessCode);
    for (const l of created) await this.audit_({ action: 'link.create', actor: user.name, linkId: l.id, resourceId: l.resourceId, resourceName: l.resourceName, outcome: 'ok', ...(label ? { detail: label } : {}) });
    return created;
  }

  /** Edits or renews a link without changing its token (PUT /api/links/:id on the proxy). */
  async updateLink(id: string, settings: LinkSettings): Promise<Link> {
    const user = await this.require('links.create');
    const edit = linkSettings(asObject(settings), new Date());
    if (edit.policy?.passkey) throw new ApiError('bad-request', PASSKEY_NEEDS_PROXY, 'passkey');
    const hadCode = await hasDemoAccessCode(id);
    const codeChange = accessCodeChange(edit, hadCode);
    const tx = (await demoDb()).transaction('links', 'readwrite');
    const old = await tx.store.get(id);
    if (!old) {
      tx.abort();
      await tx.done.catch(() => undefined);
      throw conflict({ code: 'link-not-found' });
    }
    const link: Link = { ...old };
    if (edit.label !== undefined) {
      if (edit.label) link.label = edit.label;
      else delete link.label;
    }
    link.policy = { ...(edit.policy ?? old.policy) };
    // Whether it asks for a code follows from the stored hash, as on the proxy.
    if (codeChange === 'set' || (codeChange === 'keep' && hadCode)) link.policy.accessCode = true;
    else delete link.policy.accessCode;
    if (edit.resetUses) link.uses = 0;
    if (codeChange !== 'keep' || edit.unlock) delete link.wrongCodes;
    await tx.store.put(link);
    await tx.done;
    if (codeChange !== 'keep') await setDemoAccessCode([link.id], codeChange === 'set' ? edit.accessCode : undefined);
    await this.audit_({ action: 'link.update', actor: user.name, linkId: link.id, resourceId: link.resourceId, resourceName: link.resourceName, outcome: 'ok', ...(link.label ? { detail: link.label } : {}) });
    return { ...link, status: linkStatus(link, new Date()) };
  }

  async deleteLinksByResource(resourceIds: string[]): Promise<{ deleted: number }> {
    const user = await this.require('links.deleteByResource');
    const ids = new Set(stringList(resourceIds, 'resourceIds', 'Resources', MAX_PER_REQUEST));
    return this.deleteLinks(user, (l) => ids.has(l.resourceId));
  }

  async deleteLinksByToken(tokens: string[]): Promise<{ deleted: number }> {
    const user = await this.require('links.deleteByToken');
    const set = new Set(linkTokens(tokens, MAX_PER_REQUEST));
    return this.deleteLinks(user, (l) => set.has(l.token));
  }

  /** No sign-in needed: the link is the authority, as with the proxy. */
  async linkInfo(token: string, accessCode?: string): Promise<LinkInfo> {
    const { link, resource } = await this.linkResource(token);
    const wrong = await checkDemoAccessCode(link, accessCode, new Date());
    if (wrong) throw refusalError(wrong);
    return linkInfoOf(resource, link, new Date());
  }

  /**
   * The resource behind a link, for the demo's connect backend (the proxy does this look-up itself).
   * The demo's machine is in the page and always answers, so the use counts here, as it starts; a
   * link whose last use went meanwhile is refused as used up, as by the proxy.
   */
  async linkTarget(token: string, accessCode?: string): Promise<Resource> {
    const { link, resource } = await this.linkResource(token);
    const wrong = await checkDemoAccessCode(link, accessCode, new Date());
    if (wrong) throw refusalError(wrong);
    const tx = (await demoDb()).transaction('links', 'readwrite');
    const now = await tx.store.get(link.id);
    const refused = linkRefusal(now, true, resource, new Date());
    if (refused || !now) {
      await tx.done;
      throw refusalError(refused ?? { code: 'not-found', message: 'This link does not exist.' });
    }
    await tx.store.put({ ...now, uses: (now.uses ?? 0) + 1 });
    await tx.done;
    return resource;
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
    if ((await d.getAll('users')).some((u) => u.name === n)) throw conflict({ code: 'duplicate-user', name: n });
    await d.put('users', user);
    await this.audit_({ action: 'user.create', actor: actor.name, outcome: 'ok', detail: `${user.name} (${user.role})` });
    return { user, signinUrl: await this.signinUrl(user.id) };
  }

  async setUserRole(id: string, role: Role): Promise<User> {
    const actor = await this.require('admin');
    const r = parseRole(role);
    const d = await demoDb();
    const old = await d.get('users', id);
    if (!old) throw conflict({ code: 'user-not-found' });
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
    if (!old) throw conflict({ code: 'user-not-found' });
    if (old.role === 'owner') await this.ownerRemains(id);
    await d.delete('users', id);
    await this.audit_({ action: 'user.delete', actor: actor.name, outcome: 'ok', detail: old.name });
  }

  async newSigninLink(id: string): Promise<{ signinUrl: string }> {
    await this.require('admin');
    if (!(await (await demoDb()).get('users', id))) throw conflict({ code: 'user-not-found' });
    return { signinUrl: await this.signinUrl(id) };
  }

  async audit(limit = 500): Promise<AuditEntry[]> {
    await this.require('admin');
    const all = await (await demoDb()).getAll('audit');
    return all.sort((a, b) => b.id - a.id).slice(0, Math.min(Math.max(1, limit), 5000));
  }

  /**
   * The demo machine runs in this tab, and a session with it ends with the page that opened it, so
   * no other page could list it: the demo lists none, with the proxy's shapes and permission rules.
   */
  async liveSessions(): Promise<LiveSessionInfo[]> {
    await this.require('links.get');
    return [];
  }

  async disconnectSessions(ids: string[]): Promise<{ disconnected: number }> {
    requireDisconnect(await this.actor());
    stringList(ids, 'ids', 'Sessions', MAX_PER_REQUEST);
    return { disconnected: 0 };
  }

  /** Records a connection through the demo (the proxy audits its own tunnels). */
  async recordConnect(entry: Omit<AuditEntry, 'id' | 'at' | 'action'>): Promise<void> {
    await this.ready();
    await this.audit_({ action: 'connect', ...entry });
  }

  // --- helpers ---

  private async settings(): Promise<Settings> {
    await this.ready();
    const d = await demoDb();
    const on = await d.get('meta', 'shareableLinks');
    const linkDefaults = ((await d.get('meta', 'linkDefaults')) as LinkDefaults | undefined) ?? {};
    return { shareableLinks: on !== false, maxLinks: DEFAULT_MAX_LINKS, maxInflight: DEFAULT_MAX_INFLIGHT, linkDefaults };
  }

  /** The demo user being acted as; the first owner when none was chosen (or that one was deleted). */
  private async actor(): Promise<User> {
    await this.ready();
    const d = await demoDb();
    const id = (await d.get('meta', 'actingAs')) as string | undefined;
    const chosen = id ? await d.get('users', id) : undefined;
    if (chosen) return chosen;
    const owner = (await d.getAll('users')).sort(byCreated).find((u) => u.role === 'owner');
    if (!owner) throw new ApiError('unauthenticated', SIGN_IN_AGAIN);
    return owner;
  }

  private async require(action: Action): Promise<User> {
    const user = await this.actor();
    requireAction(user, action);
    return user;
  }

  private async ownerRemains(changingId: string): Promise<void> {
    const others = (await (await demoDb()).getAll('users')).filter((u) => u.role === 'owner' && u.id !== changingId);
    if (others.length === 0) throw conflict({ code: 'last-owner' });
  }

  /**
   * For a session open through a link (src/demo/live-rules.ts): the link as it is now, or why it no
   * longer allows the session (deleted, links off, machine gone, expired, outside its hours).
   */
  async liveLink(token: string, now: Date): Promise<{ link: Link } | { refused: string }> {
    const t = extractToken(token);
    const d = await demoDb();
    const link = looksLikeToken(t) ? (await d.getAll('links')).find((l) => l.token === t) : undefined;
    const resource = link?.status === 'active' ? await d.get('resources', link.resourceId) : undefined;
    const refused = linkRefusal(link, (await this.settings()).shareableLinks, resource, now, { live: true });
    return refused ? { refused: refused.message } : { link: link! };
  }

  /** The link and its resource, or the refusal the proxy would give (the same rule). */
  private async linkResource(token: string): Promise<{ link: Link; resource: Resource }> {
    await this.ready();
    const t = extractToken(typeof token === 'string' ? token : '');
    const d = await demoDb();
    const link = looksLikeToken(t) ? (await d.getAll('links')).find((l) => l.token === t) : undefined;
    const resource = link?.status === 'active' ? await d.get('resources', link.resourceId) : undefined;
    const refused = linkRefusal(link, (await this.settings()).shareableLinks, resource, new Date());
    if (refused) throw refusalError(refused);
    return { link: link!, resource: resource! };
  }

  private async deleteLinks(user: User, match: (l: Link) => boolean): Promise<{ deleted: number }> {
    const tx = (await demoDb()).transaction('links', 'readwrite');
    const gone = (await tx.store.getAll()).filter(match);
    for (const l of gone) await tx.store.delete(l.id);
    await tx.done;
    await setDemoAccessCode(gone.map((l) => l.id), undefined);
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

const byCreated = (a: User, b: User) => a.createdAt.localeCompare(b.createdAt);

/** 32 random bytes in base64url: 43 characters, the proxy's token shape. */
function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

let shared: LocalApi | undefined;

/** The page's one demo API. */
export function localApi(): LocalApi {
  shared ??= new LocalApi();
  return shared;
}
