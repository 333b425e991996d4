// The one door to the proxy's JSON API. It adds the bearer token, turns error bodies into ApiError and
// network failures into OfflineError, so the UI can branch on a kind and show the API's own sentence.
import { apiBase, hasProxy } from '../config/runtime';
import { ApiError } from '../shared/rules/errors.ts';
import type { LinkSettings } from '../shared/rules/policy.ts';
import type {
  ApiErrorBody,
  AuditEntry,
  LiveSessionInfo,
  Link,
  LinkDefaults,
  LinkInfo,
  Me,
  Resource,
  ResourceInput,
  Role,
  Settings,
  User,
} from '../shared/api';

/** The proxy answered, and said no: the rules' one error (src/shared/rules/errors.ts), which the
 *  offline demo's API throws too. `message` is a sentence for a person; `field` names the input at fault. */
export { ApiError };

/** The proxy could not be reached at all (network down, proxy stopped, or a static host with no API). */
export class OfflineError extends Error {
  readonly code = 'offline';
  constructor(message = "Can't reach the Postern proxy. Check your connection and try again.") {
    super(message);
    this.name = 'OfflineError';
  }
}

export interface ApiClientOptions {
  /** Where the API lives; by default "api/" beside the page, so the SPA works under any path. */
  baseUrl?: string;
  /** The signed-in user's session token, if any. Read on every request so sign-out takes effect at once. */
  getToken?: () => string | null;
  fetch?: typeof fetch;
}

/** The API as the console and link page use it: the proxy's (ApiClient) or the offline demo's (src/demo/local-api.ts); passkey ceremonies talk to a proxy only (src/app/passkey.ts). */
export type PosternApi = Omit<ApiClient, 'request' | 'linkPasskeyOptions' | 'linkPasskeyVerify'>;

export class ApiClient {
  private readonly base: string;
  private readonly getToken: () => string | null;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: ApiClientOptions = {}) {
    this.base = opts.baseUrl ?? (hasProxy() ? apiBase() : new URL('api/', document.baseURI).href);
    this.getToken = opts.getToken ?? (() => null);
    this.fetchImpl = opts.fetch ?? globalThis.fetch.bind(globalThis);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = this.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchImpl(new URL(path.replace(/^\//, ''), this.base).href, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
      });
    } catch {
      throw new OfflineError();
    }
    const text = await res.text().catch(() => '');
    const json = parseJson(text);
    if (res.ok) {
      if (res.status === 204 || text === '') return undefined as T;
      // A 200 that is not JSON is a static host answering for a proxy that is not there.
      if (json === undefined) throw new OfflineError();
      return json as T;
    }
    const err = (json as ApiErrorBody | undefined)?.error;
    if (err && typeof err.message === 'string' && typeof err.code === 'string') {
      throw new ApiError(err.code, err.message, err.field, res.status);
    }
    // An error page that is not ours: a static host (404) or a gateway in between (502, 504).
    if (res.status === 404 || res.status === 405 || res.status >= 502) throw new OfflineError();
    throw new ApiError('internal', `The Postern proxy answered with an unexpected error (HTTP ${res.status}).`, undefined, res.status);
  }

  // --- routes (see src/shared/api.ts) ---
  signIn(signinToken: string) {
    return this.request<{ token: string; me: Me }>('POST', 'session', { signinToken });
  }
  signOut() {
    return this.request<void>('DELETE', 'session');
  }
  me() {
    return this.request<Me>('GET', 'me');
  }
  putSettings(s: { shareableLinks?: boolean; linkDefaults?: LinkDefaults }) {
    return this.request<Settings>('PUT', 'settings', s);
  }
  resources() {
    return this.request<Resource[]>('GET', 'resources');
  }
  createResource(r: ResourceInput) {
    return this.request<Resource>('POST', 'resources', r);
  }
  updateResource(id: string, r: ResourceInput) {
    return this.request<Resource>('PUT', `resources/${encodeURIComponent(id)}`, r);
  }
  deleteResource(id: string) {
    return this.request<void>('DELETE', `resources/${encodeURIComponent(id)}`);
  }
  links() {
    return this.request<Link[]>('GET', 'links');
  }
  createLinks(req: ({ resourceIds: string[] } | { all: true }) & LinkSettings) {
    return this.request<Link[]>('POST', 'links', req);
  }
  /** Edits or renews a link; its URL stays the same. */
  updateLink(id: string, settings: LinkSettings) {
    return this.request<Link>('PUT', `links/${encodeURIComponent(id)}`, settings);
  }
  deleteLinksByResource(resourceIds: string[]) {
    return this.request<{ deleted: number }>('POST', 'links/delete-by-resource', { resourceIds });
  }
  deleteLinksByToken(tokens: string[]) {
    return this.request<{ deleted: number }>('POST', 'links/delete-by-token', { tokens });
  }
  linkPasskeyOptions(token: string) {
    return this.request<{ register: boolean; options: unknown }>('POST', 'link-passkey/options', { token });
  }
  linkPasskeyVerify(token: string, response: unknown) {
    return this.request<{ pass: string }>('POST', 'link-passkey/verify', { token, response });
  }
  linkInfo(token: string, accessCode?: string) {
    return this.request<LinkInfo>('POST', 'link-info', accessCode === undefined ? { token } : { token, accessCode });
  }
  users() {
    return this.request<User[]>('GET', 'users');
  }
  createUser(name: string, role: Role) {
    return this.request<{ user: User; signinUrl: string }>('POST', 'users', { name, role });
  }
  setUserRole(id: string, role: Role) {
    return this.request<User>('PUT', `users/${encodeURIComponent(id)}`, { role });
  }
  deleteUser(id: string) {
    return this.request<void>('DELETE', `users/${encodeURIComponent(id)}`);
  }
  newSigninLink(id: string) {
    return this.request<{ signinUrl: string }>('POST', `users/${encodeURIComponent(id)}/signin-link`, {});
  }
  audit(limit = 500) {
    return this.request<AuditEntry[]>('GET', `audit?limit=${limit}`);
  }
  /** Every proxy's live sessions. */
  liveSessions() {
    return this.request<LiveSessionInfo[]>('GET', 'sessions');
  }
  /** Ends these live sessions wherever they run (owners and contributors). */
  disconnectSessions(ids: string[]) {
    return this.request<{ disconnected: number }>('POST', 'sessions/disconnect', { ids });
  }
}

/** The sentence to show for any failure: ours when we made it, the API's when it answered. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError || e instanceof OfflineError) return e.message;
  if (e instanceof Error && e.message) return e.message;
  return 'Something went wrong. Please try again.';
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
