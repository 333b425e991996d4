// The worker's side of a transport (transport.ts): the byte stream the SSH client runs over.
import { messagePortStream, SshError, webSocketStream, type ByteStream } from '../core/index';
import { whyRelayRefused } from './refusal';
import type { SshTransport } from './transport';

/**
 * Opens the stream. Bytes that arrive before the client subscribes are kept by either stream, so the
 * caller may wait (for the page's known hosts) between opening and connecting.
 */
export async function openStream(transport: SshTransport): Promise<ByteStream> {
  if (transport.kind === 'port') return messagePortStream(transport.port);
  const { url, protocols } = transport;
  try {
    return await webSocketStream(new WebSocket(url, protocols) as never);
  } catch (e) {
    // A refusal comes without its reason (code 1006): ask the proxy for it.
    throw (e instanceof SshError && e.reasonCode === 1006 && (await whyRelayRefused(url, protocols))) || e;
  }
}
