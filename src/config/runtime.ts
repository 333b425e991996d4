// Runtime configuration: which Postern proxy this copy of the SPA talks to, read at startup from
// config.json beside index.html, so one build can be hosted anywhere and pointed at any proxy
// without rebuilding. A proxy chosen in the console (overrideProxy) wins over the file.
//
// config.json:
//   { "proxy": "" }                            the proxy serves this site (same origin, same path)
//   { "proxy": "https://proxy.example/pt/" }   a proxy elsewhere (it must allow this origin: CORS)
//   { "proxy": null }                          no proxy at all: a static demo site
// A relative URL is read against config.json's own address.

export interface RuntimeConfig {
  /** The proxy's base URL (absolute, ending in "/"), or null when there is none. */
  proxy: string | null;
  /** Where the value came from. */
  source: 'default' | 'file' | 'override';
  /** Set when config.json or the override could not be used; `proxy` then falls back to the default. */
  problem?: ConfigProblem;
}

export interface ConfigProblem {
  kind: 'config-invalid';
  /** A sentence for the person who hosts the site. */
  message: string;
}

const OVERRIDE_KEY = 'postern.proxy';

/** Reads a proxy value; throws a sentence naming the field when it cannot be used. */
export function parseProxy(value: unknown, base: string, where: string): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw new Error(`${where}: "proxy" must be a URL, "" (this site) or null (no proxy).`);
  let url: URL;
  try {
    url = new URL(value.trim() || './', base);
  } catch {
    throw new Error(`${where}: "proxy" is not a valid URL: "${value}".`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${where}: "proxy" must start with https:// or http://, not ${url.protocol}.`);
  if (url.search || url.hash || url.username || url.password) throw new Error(`${where}: "proxy" must be a plain address, without ?query, #fragment or credentials.`);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.href;
}

/** The config a JSON document describes; unknown fields are ignored so newer files still load. */
export function parseRuntimeConfig(json: unknown, configUrl: string): RuntimeConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('config.json must hold a JSON object such as { "proxy": "" }.');
  const proxy = 'proxy' in json ? parseProxy((json as { proxy: unknown }).proxy, configUrl, 'config.json') : parseProxy('', configUrl, 'config.json');
  return { proxy, source: 'file' };
}

function defaults(base: string): RuntimeConfig {
  return { proxy: parseProxy('', base, 'default'), source: 'default' };
}

let current: RuntimeConfig | undefined;

export interface LoadOptions {
  /** The page's base URL; config.json is looked up beside it. */
  base?: string;
  fetch?: typeof fetch;
  storage?: Pick<Storage, 'getItem'> | null;
}

/**
 * Loads config.json (network first: the service worker never answers it from an old cache while
 * online). A missing file means the defaults; a broken one is reported in `problem`, never thrown,
 * so the site still opens and can say what is wrong.
 */
export async function loadRuntimeConfig(options: LoadOptions = {}): Promise<RuntimeConfig> {
  const base = options.base ?? document.baseURI;
  const configUrl = new URL('config.json', base).href;
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  let config = defaults(base);
  try {
    const res = await doFetch(configUrl, { cache: 'no-cache', headers: { Accept: 'application/json' } });
    if (res.ok) {
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new Error('config.json is not valid JSON.');
      }
      config = parseRuntimeConfig(json, configUrl);
    }
  } catch (e) {
    // A network failure (offline, no file) keeps the defaults; a bad file is worth a sentence.
    if (e instanceof Error && /config\.json/.test(e.message)) config = { ...config, problem: { kind: 'config-invalid', message: e.message } };
  }
  const storage = options.storage === undefined ? globalThis.localStorage : options.storage;
  const override = storage?.getItem(OVERRIDE_KEY);
  if (override != null) {
    try {
      config = { proxy: parseProxy(JSON.parse(override), base, 'The proxy set in the console'), source: 'override' };
    } catch (e) {
      config = { ...config, problem: { kind: 'config-invalid', message: e instanceof Error ? e.message : String(e) } };
    }
  }
  current = config;
  return config;
}

/** Sets (or with undefined, clears) the proxy chosen in the console; takes effect on the next load. */
export function overrideProxy(value: string | null | undefined, storage: Pick<Storage, 'setItem' | 'removeItem'> = localStorage): void {
  if (value === undefined) return storage.removeItem(OVERRIDE_KEY);
  parseProxy(value, document.baseURI, 'The proxy address'); // refuse a bad value now, with a sentence
  storage.setItem(OVERRIDE_KEY, JSON.stringify(value));
}

/** The loaded config; before loadRuntimeConfig() finishes, the same-origin default. */
export function runtimeConfig(): RuntimeConfig {
  return current ?? defaults(document.baseURI);
}

/** True when a proxy is configured (it may still be unreachable). */
export function hasProxy(): boolean {
  return runtimeConfig().proxy !== null;
}

function proxyOrThrow(): string {
  const proxy = runtimeConfig().proxy;
  if (proxy === null) throw new Error('This site is configured without a Postern proxy (demo only).');
  return proxy;
}

/** The API's base URL, e.g. "https://proxy.example/pt/api/"; join paths with new URL('links', apiBase()). */
export function apiBase(): string {
  return new URL('api/', proxyOrThrow()).href;
}

/** The WebSocket base, e.g. "wss://proxy.example/pt/"; the relay is new URL('ws/relay', wsBase()). */
export function wsBase(): string {
  const url = new URL(proxyOrThrow());
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}
