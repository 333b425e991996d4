// The app's services for the offline demo: the same pages over an API that runs in this page
// (local-api.ts, its records in storage.ts) and an SSH machine in a Web Worker (machine.ts). src/main.ts
// imports this file only when the demo is chosen, so a real proxy's visitors never download any of it.
import { ApiError } from '../api/client';
import { leaveDemo } from '../app/mode';
import { openProxyLink } from '../app/proxy';
import type { AppServices, FormNotes } from '../app/services';
import { hasProxy } from '../config/runtime';
import type { ConsoleCache } from '../storage/db';
import { demoConnect, RDP_NEEDS_PROXY } from './backend';
import { localApi } from './local-api';
import { DEMO_PASSWORD, DEMO_USER } from './protocol';

const FORM_NOTES: FormNotes = {
  credentials: { lead: 'This is the Postern demo, running in this browser. Sign in to the Demo machine', username: DEMO_USER, password: DEMO_PASSWORD },
  unavailable: { rdp: RDP_NEEDS_PROXY },
};

/**
 * The demo's API keeps its own records, so the console caches nothing besides them; and there is no
 * session to keep: whoever opens the console acts as the demo user last chosen.
 */
const noCache: ConsoleCache = {
  async loadSession() {
    try {
      return { token: 'demo', me: await localApi().me() };
    } catch (e) {
      throw new Error(`The demo could not start: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  },
  saveSession: async () => undefined,
  readAll: async () => [],
  replaceAll: async () => undefined,
  clearAll: async () => undefined,
};

export function demoServices(): AppServices {
  const api = localApi();
  return {
    api: () => api,
    openCache: async () => noCache,
    async openLink(token, accessCode) {
      try {
        return { info: await api.linkInfo(token, accessCode), connect: demoConnect, formNotes: FORM_NOTES };
      } catch (e) {
        // A link the demo does not know goes to the proxy, when there is one, so a real link still
        // opens in a browser that once tried the demo.
        if (!hasProxy() || !(e instanceof ApiError && e.code === 'not-found')) throw e;
      }
      return openProxyLink(token, accessCode);
    },
    connect: demoConnect,
    formNotes: FORM_NOTES,
    identity: {
      kind: 'acting',
      badge: 'Demo',
      badgeTitle: 'Everything here lives in this browser; no proxy is involved.',
      actAs: (role) => api.actAs(role),
    },
    about: 'This is the demo: the console, its links and a small SSH machine all run in this browser.',
    switchTo: { proxy: hasProxy() ? leaveDemo : undefined },
  };
}
