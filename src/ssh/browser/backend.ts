// The SSH protocol back end the sign-in form calls. The app's edge (src/main.ts) loads it while a visitor
// fills in a form that offers SSH (or at Connect), never with the page, so xterm.js, the SSH client and
// its worker are fetched only for a visitor who may connect, and gives it the transport: the proxy's
// relay (relayTransport) or a port to the offline demo's machine.
import { ConnectError, type ProtocolBackend } from '../../session/contract';
import { likelyKeyTypes, openKnownHostsAhead, readKnownHosts } from './known-hosts';
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
      // Read now, not ahead: the host key is judged by the known hosts as they are at Connect. The
      // handshake does not wait for this read, only the judging of the server's key does; it asks first
      // for the key types the read-ahead found (prepareKnownHosts).
      const known = readKnownHosts(options);
      const session = new SshSession(options, host, open, known, likelyKeyTypes(options.authority, options.port));
      await session.start();
      return session;
    },
  };
}
