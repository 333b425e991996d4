// The worker's side of a transport (transport.ts): the byte stream the SSH client runs over.
import { messagePortStream, SshError, webSocketStream, type ByteStream } from '../core/index';
import { whyRelayRefused } from './refusal';
import type { SshTransport } from './transport';

export interface OpenedStream {
  stream: ByteStream;
  /** Sends one text message beside the stream's bytes (the file report); only where the transport takes one. */
  sendReport?: (text: string) => void;
}

/**
 * Opens the stream. Bytes that arrive before the client subscribes are kept by either stream, so the
 * caller may wait (for the page's known hosts) between opening and connecting.
 */
export async function openStream(transport: SshTransport): Promise<OpenedStream> {
  if (transport.kind === 'port') return { stream: messagePortStream(transport.port) };
  const { url, protocols } = transport;
  const ws = new WebSocket(url, protocols);
  try {
    const stream = await webSocketStream(ws as never);
    if (!transport.fileReport) return { stream };
    return {
      stream,
      sendReport: (text) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(text);
      },
    };
  } catch (e) {
    // A refusal comes without its reason (code 1006): ask the proxy for it.
    throw (e instanceof SshError && e.reasonCode === 1006 && (await whyRelayRefused(url, protocols))) || e;
  }
}
