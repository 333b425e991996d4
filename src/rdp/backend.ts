// The RDP protocol back end for the sign-in form: starts a session (session.ts), mounts its desktop into
// the host element, and answers the form's contract (connect resolves once the desktop is up; `ended`
// says how it stopped). The proxy decides the target: the page only names the port.
import { mount, unmount } from 'svelte';
import { loadIronRdp } from '../../wasm/ironrdp';
import { ConnectError, type ClipboardWays, type ConnectOptions, type ProtocolBackend } from '../session/contract';
import { tunnelCredential, whyRefused } from '../session/refusal';
import { rdpAddressing, rdpProxyUrl } from './addressing';
import Desktop from './Desktop.svelte';
import { ironLogLevel } from './connection';
import { ProxyUnreachable } from './errors';
import { RdpSession } from './session';

// This module loads when a visitor chooses RDP on the form (the form asks for the back end then): IronRDP's
// download and init start now, so Connect finds them done. A failure here is retried, and reported, at Connect.
loadIronRdp(ironLogLevel()).catch(() => undefined);

/**
 * Which ways files may cross: files travel on the clipboard channel, so both the link's file-transfer
 * rule and its clipboard rule must allow a way (the proxy holds both). The visitor's clipboard toggle is
 * not asked: sending or taking a file is its own deliberate act.
 */
function fileWays(o: ConnectOptions): ClipboardWays {
  const files = o.fileTransfer ?? { to: true, from: true };
  const clipboard = o.clipboardRule ?? { to: true, from: true };
  return { to: files.to && clipboard.to, from: files.from && clipboard.from };
}

export const rdpBackend: ProtocolBackend = {
  async connect(options, host) {
    if (options.credential.kind !== 'password') {
      throw new ConnectError('bad-key', 'RDP signs in with a password, not a key.', 'password');
    }
    const proxyUrl = rdpProxyUrl();
    const session = new RdpSession({
      ...rdpAddressing(options),
      proxyUrl,
      username: options.username,
      password: options.credential.password,
      clipboard: options.clipboard,
      fileTransfer: fileWays(options),
      authority: options.authority.kind,
      resourceName: options.resourceName,
      port: options.port,
    });
    const view = mount(Desktop, { target: host.element, props: { session, shownSize: () => host.shownSize() } });
    // After the current event: the view may be the one reporting the end.
    void session.ended.then(() => queueMicrotask(() => void unmount(view)));
    try {
      await session.start();
    } catch (e) {
      // IronRDP reports a refused WebSocket (too many attempts, too many starting at once) as the proxy
      // being out of reach: ask the proxy why, and say that instead when it answers.
      if (!(e instanceof ProxyUnreachable)) throw e;
      const a = options.authority;
      const refused = await whyRefused(proxyUrl, {
        credential: tunnelCredential(a), protocol: 'rdp', port: options.port, resource: a.kind === 'user' ? a.resourceId : undefined,
      });
      throw refused ? new ConnectError('refused', refused.message) : e;
    }
    return session;
  },
};
