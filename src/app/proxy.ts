// The app's services with a Postern proxy behind them: its JSON API, its relay for SSH and its RDCleanPath
// endpoint for RDP, and this browser's IndexedDB as the console's cache. Everything heavy loads on first
// use, so the link page carries none of the console's storage and no protocol before Connect.
import { ApiClient } from '../api/client';
import { apiBase } from '../config/runtime';
import { loadOnDemand, type ConnectBackend } from '../session/contract';
import { prepareSshWorker } from '../ssh/browser/spare-worker';
import { switchToDemo } from './mode';
import type { AppServices, OpenedLink } from './services';

/** SSH through the proxy's relay, RDP through its RDCleanPath endpoint. */
export const proxyConnect: ConnectBackend = loadOnDemand({
  ssh: () => {
    prepareSshWorker(); // the SSH worker loads in parallel with the terminal's code
    return import('../ssh/browser/backend').then((m) => m.sshBackend(m.relayTransport));
  },
  rdp: () => import('../rdp/backend').then((m) => m.rdpBackend),
});

/** A link as the proxy describes it. */
export async function openProxyLink(token: string, accessCode?: string): Promise<OpenedLink> {
  return { info: await new ApiClient().linkInfo(token, accessCode), connect: proxyConnect, formNotes: {} };
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
