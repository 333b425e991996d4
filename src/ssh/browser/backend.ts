// The SSH protocol back end the sign-in form calls. The app's edge (src/main.ts) loads it while a visitor
// fills in a form that offers SSH (or at Connect), never with the page, so xterm.js, the SSH client and
// its worker are fetched only for a visitor who may connect, and gives it the transport: the proxy's
// relay (relayTransport) or a port to the offline demo's machine.
import { ConnectError, type ProtocolBackend } from '../../session/contract';
import { openKnownHostsAhead, readKnownHosts } from './known-hosts';
import { SshSession } from './session';
import type { OpenTransport } from './transport';

export { relayTransport, type OpenTransport, type SshTransport } from './transport';

/** Made when the SSH code loads, ahead of Connect where the page prepares it (src/app/proxy.ts). */
export function sshBackend(open: OpenTransport): ProtocolBackend {
  openKnownHostsAhead();
  return {
    async connect(options, host) {
      if (options.protocol !== 'ssh') throw new ConnectError('unavailable', 'This is the SSH client; choose SSH.', 'protocol');
      if (typeof Worker === 'undefined' || typeof WebSocket === 'undefined') {
        throw new ConnectError('unavailable', 'This browser cannot run the SSH client (it lacks Web Workers or WebSockets).');
      }
      if (!globalThis.crypto?.subtle) {
        // WebCrypto exists only in secure contexts: https://, or http://localhost.
        throw new ConnectError('unavailable', 'SSH in the browser needs this page to be served over https:// (WebCrypto is off on plain http).');
      }
      // Read now, not ahead: the host key is judged by the known hosts as they are at Connect. With the
      // database opened ahead (prepareKnownHosts) this is one short request, and the worker then gets them
      // with its connect message instead of waiting for this thread to build the terminal.
      const known = await readKnownHosts(options).catch((e: unknown) => {
        throw new ConnectError('protocol', `Could not read this browser's known hosts: ${String(e)}`);
      });
      performance.mark('postern-ssh:known-hosts');
      const session = new SshSession(options, host, open, known);
      await session.start();
      return session;
    },
  };
}
