// A ByteStream over a MessagePort: how the SSH client reaches the demo machine with no network.
// It follows the relay's convention, one binary message per chunk of bytes, in order, so the
// client runs over it exactly as over a WebSocket. The page makes a MessageChannel, hands one
// port to the demo worker ({ type: 'connect', port }) and the other to the SSH client, and each
// side wraps its port with messagePortStream().
//
// Messages on the port:
//   ArrayBuffer          bytes (transferred, not copied)
//   { end: true }        the sender closed the stream normally
//   { end: true, error } the sender failed; `error` is a sentence
// A MessagePort has no reliable "other side went away" event, so each side says goodbye itself.

import { SshError } from '../ssh/core/errors';
import type { ByteStream } from '../ssh/core/stream';

/** The part of MessagePort used here (DOM-free, so the SSH layer and Node's worker ports fit too). */
export interface MessagePortLike {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  start?(): void;
  close(): void;
}

type End = { end: true; error?: string };

function isEnd(data: unknown): data is End {
  return typeof data === 'object' && data !== null && (data as End).end === true;
}

export function messagePortStream(port: MessagePortLike): ByteStream {
  const dataHandlers: Array<(b: Uint8Array) => void> = [];
  const closeHandlers: Array<(e?: SshError) => void> = [];
  let ended = false;
  const end = (error?: SshError) => {
    if (ended) return;
    ended = true;
    port.close();
    for (const h of closeHandlers.splice(0)) h(error);
  };
  port.addEventListener('message', (event) => {
    if (ended) return;
    const data = event.data;
    if (data instanceof ArrayBuffer) {
      const bytes = new Uint8Array(data);
      for (const h of dataHandlers) h(bytes);
    } else if (isEnd(data)) {
      end(data.error ? new SshError('stream-error', data.error) : undefined);
    } else {
      const error = 'The demo connection sent something other than binary data.';
      port.postMessage({ end: true, error } satisfies End, []);
      end(new SshError('stream-error', error));
    }
  });
  port.start?.();
  return {
    write(bytes) {
      if (ended) return;
      // A copy of exactly these bytes (the caller's view may share a larger buffer), then moved.
      const copy = bytes.slice();
      port.postMessage(copy.buffer, [copy.buffer]);
    },
    close() {
      if (ended) return;
      port.postMessage({ end: true } satisfies End, []);
      end();
    },
    onData(h) {
      dataHandlers.push(h);
      return () => void dataHandlers.splice(dataHandlers.indexOf(h) >>> 0, 1);
    },
    onClose(h) {
      closeHandlers.push(h);
      return () => void closeHandlers.splice(closeHandlers.indexOf(h) >>> 0, 1);
    },
  };
}
