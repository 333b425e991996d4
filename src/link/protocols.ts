// The protocols this page can open, each behind a dynamic import() so none of their code is fetched
// before a visitor presses Connect. Plugging in a protocol is a change to one line here.
import type { Protocol } from '../shared/api';
import { prepareSshWorker } from '../ssh/browser/spare-worker';
import { isDemo } from '../demo/mode';
import { ConnectError, type ConnectBackend, type ProtocolBackend } from '../session/contract';

const PROTOCOL_NAMES: Record<Protocol, string> = { ssh: 'SSH', rdp: 'RDP' };

const loaders: Record<Protocol, () => Promise<ProtocolBackend>> = {
  ssh: () => {
    prepareSshWorker(); // the SSH worker loads in parallel with the terminal's code
    return import('../ssh/browser/backend').then((m) => m.sshBackend(m.relayTransport));
  },
  rdp: () => import('../rdp/backend').then((m) => m.rdpBackend),
};

function backendFor(demo: boolean): ConnectBackend {
  return (protocol) => {
    // The offline demo: SSH to its in-page machine, and a sentence for RDP instead of loading its WASM.
    const load = demo ? () => import('../demo/backend').then((m) => m.demoBackend(protocol)) : loaders[protocol];
    if (!load) return Promise.reject(new ConnectError('unavailable', `Unknown protocol "${protocol}".`, 'protocol'));
    return load().catch((e: unknown) => {
      if (e instanceof ConnectError) throw e;
      // A chunk that fails to load is almost always the network or a redeploy mid-visit.
      throw new ConnectError(
        'unreachable',
        `Could not load the ${PROTOCOL_NAMES[protocol]} client. Check your connection and reload the page.`,
      );
    });
  };
}

/** Through the Postern proxy, whatever mode the page is in (a real link opened in a browser that tried the demo). */
export const proxyBackend: ConnectBackend = backendFor(false);
const demoBackend: ConnectBackend = backendFor(true);

/** The default backend: loads the chosen protocol's code on first use; in the offline demo, the demo's. */
export const defaultBackend: ConnectBackend = (protocol) => (isDemo() ? demoBackend : proxyBackend)(protocol);

function notYetAvailable(protocol: Protocol): ProtocolBackend {
  return {
    connect() {
      return Promise.reject(
        new ConnectError('unavailable', `${PROTOCOL_NAMES[protocol]} is not available in this version of Postern yet.`, 'protocol'),
      );
    },
  };
}
