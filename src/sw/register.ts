/// <reference types="vite/client" />
// Registers the service worker (sw.js, beside index.html) so the site opens offline after one
// visit. Its scope is the folder the site is hosted in, so it works under any path. Nothing is
// registered by the dev server, where sw.js does not exist, or where service workers are absent
// (an insecure origin that is not localhost, or a browser with them turned off).
import { whenIdle } from '../ui/when-idle';

export function registerServiceWorker(): void {
  if (import.meta.env.DEV || !('serviceWorker' in navigator) || !window.isSecureContext) return;
  const url = new URL('sw.js', document.baseURI);
  // updateViaCache 'none': the browser always asks the host for sw.js, so a new build is seen on the next visit.
  const register = () =>
    navigator.serviceWorker.register(url, { updateViaCache: 'none' }).catch((e: unknown) => {
      // Offline use is a bonus; the app works without it. Leave a trace for whoever hosts it.
      console.warn(`Postern: offline support is not available (${e instanceof Error ? e.message : String(e)}).`);
    });
  if (document.readyState === 'complete') void register();
  else window.addEventListener('load', () => void register(), { once: true });
}

/** The message src/sw/sw.ts answers with its second stage (the same string is in sw.ts). */
const PRECACHE_REST = 'postern-precache-rest';
/** Longest wait for an idle moment before asking anyway. */
const IDLE_TIMEOUT_MS = 10_000;
let restAsked = false;

/**
 * Once a session is up: when the page is next idle, asks the service worker to store the rest of the
 * app (SSH, RDP, console) for offline use. Before that only the link page's shell was stored, so the
 * first visit's Connect did not compete with downloading everything. Asked once per page load.
 */
export function precacheRestWhenIdle(): void {
  if (restAsked || import.meta.env.DEV || !('serviceWorker' in navigator) || !window.isSecureContext) return;
  restAsked = true;
  const ask = () =>
    void navigator.serviceWorker.ready.then((reg) => reg.active?.postMessage({ type: PRECACHE_REST }), () => undefined);
  whenIdle(ask, IDLE_TIMEOUT_MS, 2_000);
}
