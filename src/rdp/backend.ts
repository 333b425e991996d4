// The RDP protocol backend for the sign-in form: mounts the desktop into the host element and turns
// its life into the form's contract (connect resolves once the session is up; `ended` says how it
// stopped). The proxy decides the target: the page only names the port.
import { mount, unmount } from 'svelte';
import { ConnectError, type ConnectOptions, type ProtocolBackend, type Session } from '../session/contract';
import { rdpAddressing, rdpProxyUrl } from './addressing';
import Desktop from './Desktop.svelte';

/** What Desktop.svelte exports. */
interface DesktopView {
  close(reason?: ConnectError | null): void;
}

export const rdpBackend: ProtocolBackend = {
  connect(options: ConnectOptions, host: HTMLElement): Promise<Session> {
    if (options.credential.kind !== 'password') {
      return Promise.reject(new ConnectError('bad-key', 'RDP signs in with a password, not a key.', 'password'));
    }
    const password = options.credential.password;
    return new Promise<Session>((resolve, reject) => {
      let up = false;
      let endedWith: (reason: ConnectError | null) => void = () => {};
      const ended = new Promise<ConnectError | null>((r) => (endedWith = r));
      let view: DesktopView | undefined;
      const remove = () => {
        if (!view) return;
        const v = view;
        view = undefined;
        // After the current event: the component may be the one reporting its end.
        queueMicrotask(() => void unmount(v as unknown as Record<string, unknown>));
      };
      view = mount(Desktop, {
        target: host,
        props: {
          params: {
            ...rdpAddressing(options),
            proxyUrl: rdpProxyUrl(),
            username: options.username,
            password,
            shareClipboard: options.shareClipboard,
            authority: options.authority.kind,
            resourceName: options.resourceName,
            port: options.port,
          },
          onUp: () => {
            up = true;
            resolve({ ended, close: () => view?.close(), ownDisconnect: true });
          },
          onEnd: (reason: ConnectError | null) => {
            remove();
            if (up) endedWith(reason);
            else reject(reason ?? new ConnectError('unreachable', `The connection to "${options.resourceName}" closed before the desktop appeared.`));
          },
        },
      }) as unknown as DesktopView;
    });
  },
};
