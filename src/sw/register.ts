// Registers the service worker (sw.js, beside index.html) so the site opens offline after one
/// <reference types="vite/client" />
// visit. Its scope is the folder the site is hosted in, so it works under any path. Nothing is
// registered by the dev server, where sw.js does not exist, or where service workers are absent
// (an insecure origin that is not localhost, or a browser with them turned off).

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
