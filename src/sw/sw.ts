// The service worker: after one visit the app opens with the network off, and the demo machine
// with it. Built by the "postern-sw" plugin in vite.config.ts as dist/sw.js, with the build's
// file list (in stages) and version written in where MANIFEST is read below.
//
// Precaching comes in two stages, so a first visit does not download the whole app while the
// visitor presses Connect:
//   at install  the shell: what the home page and the link page need to show and run their form
//               (and, where config.json says there is no proxy, the offline demo's services)
//   later       everything else (SSH and RDP code, the console), when a page asks for it with the
//               message { type: 'postern-precache-rest' }: src/sw/register.ts sends it once a
//               session is up and the page is idle. When it is done, the cache holds COMPLETE_KEY
//               ("precache-complete.json", beside index.html), which is how a test or a page knows.
// A visitor whose previous version had finished both stages gets both at install of the next one.
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
interface ExtendableMessageEvent extends ExtendableEvent {
  readonly data: unknown;
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
  addEventListener(type: 'message', listener: (event: ExtendableMessageEvent) => void): void;
}
const sw = self as unknown as ServiceWorkerScope;

/** Replaced at build time with the stages of src/sw/vite-plugin.ts (SwManifest): {"version": "...", "shell": ["./", "index.html", …], "demo": […], "rest": […]}. */
const MANIFEST: { version: string; shell: string[]; demo: string[]; rest: string[] } = JSON.parse('__POSTERN_SW_MANIFEST__');
const PREFIX = 'postern-';
const CACHE = `${PREFIX}${MANIFEST.version}`;
const SHELL = './';
/** Written last by the second stage; the same name is read by tests/e2e (precache.spec.ts). */
const COMPLETE_KEY = 'precache-complete.json';
/** The page's request for the second stage; the same string is sent by src/sw/register.ts. */
const PRECACHE_REST = 'postern-precache-rest';
/** Second-stage downloads at once: few, so they stay in the background of a live session. */
const PARALLEL = 3;

const inScope = (path: string) => new URL(path, sw.registration.scope).href;
// cache: 'reload' skips the HTTP cache, so a stale copy never gets pinned under the new version.
const fresh = (path: string) => new Request(inScope(path), { cache: 'reload' });

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const returning = await previousVersionComplete();
      const cache = await caches.open(CACHE);
      const config = await fetch(inScope('config.json'), { cache: 'no-cache' }).catch(() => undefined); // optional
      let demo = false;
      if (config?.ok) {
        demo = await config.clone().json().then((c: unknown) => (c as { proxy?: unknown } | null)?.proxy === null, () => false);
        await cache.put(inScope('config.json'), config);
      }
      await cache.addAll([...MANIFEST.shell, ...(demo ? MANIFEST.demo : [])].map(fresh));
      if (returning) await completePrecache();
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('message', (event) => {
  if ((event.data as { type?: unknown } | null)?.type !== PRECACHE_REST) return;
  event.waitUntil(completePrecache().catch((e: unknown) => {
    // Offline or the host is down: the next session asks again. The app works meanwhile.
    console.warn(`Postern: the rest of the app could not be stored for offline use (${e instanceof Error ? e.message : String(e)}).`);
  }));
});

/** True when an older version of this site had stored everything: its visitor gets everything again now. */
async function previousVersionComplete(): Promise<boolean> {
  for (const name of await caches.keys()) {
    if (!name.startsWith(PREFIX) || name === CACHE) continue;
    if (await (await caches.open(name)).match(inScope(COMPLETE_KEY))) return true;
  }
  return false;
}

let completing: Promise<void> | undefined;

/** The second stage: every file of the manifest not cached yet, then COMPLETE_KEY. Runs once at a time. */
function completePrecache(): Promise<void> {
  completing ??= (async () => {
    const cache = await caches.open(CACHE);
    if (await cache.match(inScope(COMPLETE_KEY))) return;
    const all = [...MANIFEST.shell, ...MANIFEST.demo, ...MANIFEST.rest];
    const missing: string[] = [];
    for (const path of all) if (!(await cache.match(inScope(path)))) missing.push(path);
    const next = () => missing.shift();
    await Promise.all(Array.from({ length: PARALLEL }, async () => {
      for (let path = next(); path !== undefined; path = next()) {
        const res = await fetch(fresh(path));
        if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
        await cache.put(inScope(path), res);
      }
    }));
    await cache.put(inScope(COMPLETE_KEY), new Response(JSON.stringify({ version: MANIFEST.version, files: all.length }), {
      headers: { 'content-type': 'application/json' },
    }));
  })().finally(() => (completing = undefined));
  return completing;
}

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
  // Files not precached (the 6 MB RDP client, say) are kept once they have been used.
  if (res.ok && res.type === 'basic') {
    const cache = await caches.open(CACHE);
    await cache.put(request, res.clone());
  }
  return res;
}
