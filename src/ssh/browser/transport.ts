// How the SSH worker reaches the machine, chosen by whoever builds the SSH back end (the app's edge,
// src/main.ts): the Postern proxy's relay, or a MessagePort to a machine running in this page (the
// offline demo). Like noVNC's RFB(target, urlOrChannel), the back end takes the channel it is given and
// does not know how it was made. A transport crosses to the worker as it is (a port is transferred).
import type { ConnectOptions } from '../../session/contract';
import { tunnelCredential } from '../../session/refusal';

export type SshTransport =
  /**
   * A WebSocket the worker opens to the relay: binary messages carrying raw TCP bytes (websockify's convention).
   * With `fileReport`, the relay also takes the worker's file report as a text message (shared/rules/file-report.ts):
   * Postern's relay does on every SSH session; anything else (a stock websockify) must not be sent one.
   */
  | { kind: 'relay'; url: string; protocols: string[]; fileReport?: boolean }
  /** One end of a MessageChannel whose other end speaks SSH (see ssh/core/message-port-stream.ts). */
  | { kind: 'port'; port: MessagePort };

/** Makes the transport for one connection attempt; called again for each reconnection. */
export type OpenTransport = (options: ConnectOptions) => SshTransport;

/** The proxy's relay beside the page, whatever path the SPA is served from. */
export const relayTransport: OpenTransport = (options) => {
  const url = new URL('ws/relay', document.baseURI);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('protocol', 'ssh');
  url.searchParams.set('port', String(options.port));
  const a = options.authority;
  if (a.kind === 'user') url.searchParams.set('resource', a.resourceId);
  return { kind: 'relay', url: url.href, protocols: ['binary', tunnelCredential(a)], fileReport: true };
};

/** What to transfer (not copy) with the connect message. */
export function transferables(t: SshTransport): Transferable[] {
  return t.kind === 'port' ? [t.port] : [];
}
