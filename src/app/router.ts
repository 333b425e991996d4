// Hash routes: the fragment never reaches a server, so static hosts and their logs never see link tokens,
// and the built site works from any path.

export type ConsoleSection = 'resources' | 'links' | 'sessions' | 'users' | 'audit' | 'settings';

export const CONSOLE_SECTIONS: readonly ConsoleSection[] = ['resources', 'links', 'sessions', 'users', 'audit', 'settings'];

export type Route =
  | { name: 'home' }
  | { name: 'link'; token: string }
  | { name: 'signin'; token: string }
  | { name: 'console'; section: ConsoleSection }
  | { name: 'console-connect'; resourceId: string }
  /** This browser's encrypted SSH key vaults (src/vault). */
  | { name: 'keys' }
  /** SSH host keys this browser trusts (src/known-hosts). */
  | { name: 'known-hosts' }
  | { name: 'not-found'; path: string };

/** Parses a location hash such as "#/l/abc" into a route. Unknown paths become 'not-found', never an exception. */
export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const parts = path.split('/').filter((p) => p !== '');
  const [head, a, b] = parts.map(safeDecode);
  if (parts.length === 0) return { name: 'home' };
  if (head === 'l' && a && parts.length === 2) return { name: 'link', token: a };
  if (head === 'signin' && a && parts.length === 2) return { name: 'signin', token: a };
  if (head === 'keys' && parts.length === 1) return { name: 'keys' };
  if (head === 'known-hosts' && parts.length === 1) return { name: 'known-hosts' };
  if (head === 'console') {
    if (parts.length === 1) return { name: 'console', section: 'resources' };
    if (a === 'connect' && b && parts.length === 3) return { name: 'console-connect', resourceId: b };
    if (parts.length === 2 && (CONSOLE_SECTIONS as readonly string[]).includes(a)) {
      return { name: 'console', section: a as ConsoleSection };
    }
  }
  return { name: 'not-found', path };
}

/** The hash for a route, with each segment encoded. */
export function routeHash(route: Route): string {
  switch (route.name) {
    case 'home':
      return '#/';
    case 'link':
      return `#/l/${encodeURIComponent(route.token)}`;
    case 'signin':
      return `#/signin/${encodeURIComponent(route.token)}`;
    case 'console':
      return `#/console/${route.section}`;
    case 'console-connect':
      return `#/console/connect/${encodeURIComponent(route.resourceId)}`;
    case 'keys':
      return '#/keys';
    case 'known-hosts':
      return '#/known-hosts';
    case 'not-found':
      return `#${route.path}`;
  }
}

/** The full, shareable URL of a link: this page's address (any host, any path) plus the link's hash route. */
export function linkUrl(token: string, loc: Pick<Location, 'origin' | 'pathname'> = location): string {
  return loc.origin + loc.pathname + routeHash({ name: 'link', token });
}

/** Moves to a route. `replace` keeps one-time tokens out of the back-button history. */
export function navigate(route: Route, replace = false): void {
  const hash = routeHash(route);
  if (replace) {
    history.replaceState(null, '', hash);
    // replaceState does not fire hashchange; tell the app ourselves.
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = hash;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
