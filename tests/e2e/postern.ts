// Helpers for the browser tests: a real proxy serving the built SPA, an owner's API session to arrange
// state quickly, and signing a browser page in as a user of a given role (through a real sign-in URL).
import { expect, type Page } from '@playwright/test';
import { join } from 'node:path';
import { apiClient, ROOT, signIn, startProxy, type ProxyProcess } from '../support/proxy';
import type { Link, Resource, Role } from '../../src/shared/api';

export { ROOT };
export const E2E_DIST = join(ROOT, '.tmp', 'e2e-dist');

type Call = ReturnType<typeof apiClient>;

export interface Postern {
  proxy: ProxyProcess;
  url: string;
  /** The owner's API session, made from the printed one-time URL (absent when the test uses that URL itself). */
  owner: Call;
  stop(): Promise<void>;
}

export async function startPostern(opts: { env?: Record<string, string>; ownerSession?: boolean } = {}): Promise<Postern> {
  const proxy = await startProxy({ staticDir: E2E_DIST, env: opts.env });
  if (!proxy.ownerSigninUrl) throw new Error(`the proxy printed no sign-in URL:\n${proxy.output()}`);
  let owner: Call = () => Promise.reject(new Error('this test uses the printed sign-in URL itself'));
  if (opts.ownerSession !== false) owner = (await signIn(proxy.url, proxy.ownerSigninUrl)).call;
  return { proxy, url: proxy.url, owner, stop: () => proxy.stop() };
}

/** Fails the test with the proxy's own words when an arranging call is refused. */
export async function ok<T = unknown>(p: ReturnType<Call>, status = [200, 201, 204]): Promise<T> {
  const r = await p;
  if (!status.includes(r.status)) throw new Error(`API answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body as T;
}

export function addResource(pt: Postern, name: string, ports: Resource['ports'] = { ssh: [22], rdp: [3389] }) {
  return ok<Resource>(pt.owner('POST', '/api/resources', { name, address: '127.0.0.1', ports }));
}

export function setFeature(pt: Postern, on: boolean) {
  return ok(pt.owner('PUT', '/api/settings', { shareableLinks: on }));
}

export function createLinks(pt: Postern, resourceIds: string[]) {
  return ok<Link[]>(pt.owner('POST', '/api/links', { resourceIds }));
}

let userCount = 0;

/** Creates a user with this role and returns a one-time sign-in URL and an API session of their own. */
export async function newUser(pt: Postern, role: Role, name = `${role}-${++userCount}`) {
  const { user, signinUrl } = await ok<{ user: { id: string }; signinUrl: string }>(
    pt.owner('POST', '/api/users', { name, role }),
  );
  // A second one-time URL gives the test its own session for calling the API directly as this user.
  const second = await ok<{ signinUrl: string }>(pt.owner('POST', `/api/users/${user.id}/signin-link`, {}));
  const api = await signIn(pt.url, second.signinUrl);
  return { name, signinUrl, api: api.call };
}

/** Opens a sign-in URL in the page and waits for the console to greet the user. */
export async function signInPage(page: Page, pt: Postern, signinUrl: string, name: string, role: Role) {
  await page.goto(pt.url + '/' + signinUrl.slice(signinUrl.indexOf('#/signin/')));
  await expect(page.getByText(`Signed in as ${name} (${role})`)).toBeVisible();
}

/** Signs a page in as a fresh user of this role. */
export async function signInAs(page: Page, pt: Postern, role: Role) {
  const u = await newUser(pt, role);
  await signInPage(page, pt, u.signinUrl, u.name, role);
  return u;
}

/** The row of a table that mentions this text. */
export function row(page: Page, text: string) {
  return page.getByRole('row').filter({ hasText: text });
}
