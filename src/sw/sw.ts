// The service worker: after one visit the app opens with the network off, and the demo machine
// with it. Built by the "postern-sw" plugin in vite.config.ts as dist/sw.js, with the build's
// file list and version written in where MANIFEST is read below.
//
// Policy, per request (same origin, inside this site's folder, GET only):
//   api/ and ws/        never touched: always the network, never cached
//   config.json         network first, so a changed proxy setting applies at once; cache when offline
//   page navigations    network first (a new version shows on the next visit), cached shell offline
//   everything else     cache first (hashed names never change content), then the network
// Updates: a new build has a new version, so a new sw.js; it installs beside the old one, takes
// over at once (skipWaiting, clients.claim) and deletes the old caches. Pages already open keep the
// code they loaded; a page chunk they load later comes from the network (see docs in the report).

interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}
interface ServiceWorkerScope {
  readonly registration: { readonly scope: string };
  readonly location: { readonly origin: string };
  skipWaiting(): Promise<void>;
  readonly clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
}
const sw = self as unknown as ServiceWorkerScope;

/** Replaced at build time with {"version": "...", "precache": ["./", "index.html", "assets/…", …]}. */
const MANIFEST: { version: string; precache: string[] } = JSON.parse('__POSTERN_SW_MANIFEST__');
const PREFIX = 'postern-';
const CACHE = `${PREFIX}${MANIFEST.version}`;
const SHELL = './';

const inScope = (path: string) => new URL(path, sw.registration.scope).href;

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // cache: 'reload' skips the HTTP cache, so a stale copy never gets pinned under the new version.
      await cache.addAll(MANIFEST.precache.map((path) => new Request(inScope(path), { cache: 'reload' })));
      await fetch(inScope('config.json'), { cache: 'no-cache' })
        .then((res) => (res.ok ? cache.put(inScope('config.json'), res) : undefined))
        .catch(() => undefined); // optional: a site may have no config.json
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const scope = sw.registration.scope;
  if (!request.url.startsWith(scope)) return; // other origins (a proxy elsewhere) and other sites
  const path = new URL(request.url).pathname.slice(new URL(scope).pathname.length);
  if (path.startsWith('api/') || path.startsWith('ws/')) return;
  if (path === 'config.json') return event.respondWith(networkFirst(request, inScope('config.json')));
  if (request.mode === 'navigate') return event.respondWith(networkFirst(request, inScope(SHELL)));
  event.respondWith(cacheFirst(request));
});

/** The network's answer (kept as the offline copy under `key`), or the kept copy when offline. */
async function networkFirst(request: Request, key: string): Promise<Response> {
  try {
    const res = await fetch(request, { cache: 'no-cache' });
    if (res.ok) {
      const cache = await caches.open(CACHE);
      await cache.put(key, res.clone());
    }
    return res;
  } catch (e) {
    const kept = await caches.match(key);
    if (kept) return kept;
    throw e;
  }
}

async function cacheFirst(request: Request): Promise<Response> {
  const kept = await caches.match(request);
  if (kept) return kept;
  const res = await fetch(request);
  // Files not precached (large WebAssembly, say) are kept once they have been used.
  if (res.ok && res.type === 'basic') {
    const cache = await caches.open(CACHE);
    await cache.put(request, res.clone());
  }
  return res;
}
