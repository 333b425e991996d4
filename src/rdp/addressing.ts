// How the page names its RDP connection to the proxy (see the WebSocket notes in shared/api.ts):
// the proxy that served the page, a token saying who asks, and a destination naming only the port.
import { linkSecret, type ConnectOptions } from '../session/contract';

/** ws(s)://<this page's host>/<base>/ws/rdp: the proxy that served the page. */
export function rdpProxyUrl(base: string = document.baseURI): string {
  const url = new URL('ws/rdp', base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  url.search = '';
  return url.href;
}

/** The RDCleanPath token and destination for this authority (see shared/api.ts). */
export function rdpAddressing(o: Pick<ConnectOptions, 'authority' | 'port'>): { authToken: string; destination: string } {
  return o.authority.kind === 'link'
    ? { authToken: `link.${linkSecret(o.authority)}`, destination: `link:${o.port}` }
    : { authToken: `user.${o.authority.sessionToken}`, destination: `${o.authority.resourceId}:${o.port}` };
}
