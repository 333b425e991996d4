// The app's services with a Postern proxy behind them: its JSON API, its relay for SSH and its RDCleanPath
// endpoint for RDP, and this browser's IndexedDB as the console's cache. Everything heavy loads on first
// use, so the link page carries none of the console's storage and no protocol while it loads; SSH's code
// and worker load while the visitor fills in the form, so Connect does not wait for them.
import { ApiClient } from '../api/client';
import { apiBase } from '../config/runtime';
import { loadOnDemand, type ConnectBackend, type ProtocolBackend } from '../session/contract';
import { prepareSshWorker } from '../ssh/browser/spare-worker';
import { switchToDemo } from './mode';
import type { AppServices, OpenedLink } from './services';

let sshLoading: Promise<ProtocolBackend> | undefined;

/** SSH's back end (xterm.js, the session) and its worker, which starts making its key-exchange keys. Loaded once. */
function loadSsh(): Promise<ProtocolBackend> {
  prepareSshWorker(); // its own thread: it loads in parallel with the terminal's code
  const loading = (sshLoading ??= import('../ssh/browser/backend').then((m) => m.sshBackend(m.relayTransport)));
  loading.catch(() => {
    if (sshLoading === loading) sshLoading = undefined; // a chunk that failed to load is fetched again next time
  });
  return loading;
}

/** What shows that a visitor is at the form: then SSH loads (as it would at Connect, only sooner). */
const FORM_EVENTS = ['pointerdown', 'keydown', 'input', 'focusin'] as const;
/** A visitor who has not touched the page by then is reading it: load anyway, well before they could press Connect. */
const PREPARE_AFTER_MS = 2000;

/**
 * Loads SSH ahead of Connect once the form offers it: at the visitor's first touch of the page, or after
 * PREPARE_AFTER_MS. Not while the page itself loads, so the form appears as fast as before (the link
 * page's script budget counts what loads until it does). The link's known hosts are read ahead too, so
 * that reading them again at Connect is quick.
 */
function prepareSshAhead(token: string, ports: number[]): void {
  if (typeof document === 'undefined') return;
  const go = () => {
    clearTimeout(timer);
    for (const type of FORM_EVENTS) document.removeEventListener(type, go, true);
    loadSsh().catch(() => undefined); // Connect reports a failure
    import('../ssh/browser/known-hosts')
      .then((m) => m.prepareKnownHosts({ kind: 'link', token }, ports))
      .catch(() => undefined); // Connect reads them again, and says so if it cannot
  };
  const timer = setTimeout(go, PREPARE_AFTER_MS);
  for (const type of FORM_EVENTS) document.addEventListener(type, go, { capture: true, passive: true });
}

/** SSH through the proxy's relay, RDP through its RDCleanPath endpoint. */
export const proxyConnect: ConnectBackend = loadOnDemand({
  ssh: loadSsh,
  rdp: () => import('../rdp/backend').then((m) => m.rdpBackend),
});

/** A link as the proxy describes it; one that offers SSH starts loading it for the form. */
export async function openProxyLink(token: string, accessCode?: string): Promise<OpenedLink> {
  const info = await new ApiClient().linkInfo(token, accessCode);
  if (info.ports.ssh?.length && !sshLoading) prepareSshAhead(token, info.ports.ssh);
  return { info, connect: proxyConnect, formNotes: {} };
}

/** Answers whether the proxy answers its health check (a static host's 404 is "no"). */
async function reachable(): Promise<boolean> {
  try {
    const res = await fetch(new URL('health', apiBase()).href, { cache: 'no-store', headers: { Accept: 'application/json' } });
    const body = (await res.json().catch(() => null)) as { ok?: unknown } | null;
    return res.ok && body?.ok === true;
  } catch {
    return false;
  }
}

export function proxyServices(): AppServices {
  return {
    api: (getToken) => new ApiClient({ getToken }),
    openCache: () => import('../storage/db').then((m) => m.consoleCache),
    openLink: openProxyLink,
    provePasskey: (token) => import('./passkey').then((m) => m.provePasskey(token)),
    connect: proxyConnect,
    formNotes: {},
    identity: { kind: 'session' },
    switchTo: { demo: switchToDemo },
    proxyReachable: reachable,
  };
}
