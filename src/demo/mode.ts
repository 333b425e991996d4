// Whether this page runs the offline demo: always when the site has no proxy (config.json says
// "proxy": null), and otherwise once the visitor chose "Try the demo" (remembered in this browser
// until they leave it), so links made in the demo open in the demo in the same browser.
import { hasProxy } from '../config/runtime';

const KEY = 'postern.demo';

/** Shown when RDP is chosen in the demo (the sign-in form, and the demo's RDP backend). */
export const RDP_NEEDS_PROXY =
  'RDP needs a Postern proxy: the proxy makes the connection to the desktop, and this demo runs without one. Try SSH to the Demo machine instead.';

/** The demo machine's sign-in, shown on the sign-in form in the demo. */
export const DEMO_CREDENTIALS = { username: 'demo', password: 'demo' } as const;

function saved(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // storage blocked: the demo then lasts as long as the site has no proxy
  }
}

export function isDemo(): boolean {
  return !hasProxy() || saved()?.getItem(KEY) === '1';
}

/** True when the demo is all there is (no proxy configured), so "Leave the demo" makes no sense. */
export function demoOnly(): boolean {
  return !hasProxy();
}

export function chooseDemo(): void {
  saved()?.setItem(KEY, '1');
}

export function leaveDemo(): void {
  saved()?.removeItem(KEY);
}

/** Answers whether the configured proxy answers its health check (a static host's 404 is "no"). */
export async function proxyReachable(healthUrl: string): Promise<boolean> {
  try {
    const res = await fetch(healthUrl, { cache: 'no-store', headers: { Accept: 'application/json' } });
    const body = (await res.json().catch(() => null)) as { ok?: unknown } | null;
    return res.ok && body?.ok === true;
  } catch {
    return false;
  }
}
