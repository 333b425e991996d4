// A ByteStream over a MessagePort, beside webSocketStream (stream.ts): how the SSH client reaches a
// machine running in the same browser (the offline demo's, in a Web Worker) with no network, and how
// that machine's server reads the other end. It follows the relay's convention, one binary message
// per chunk of bytes, in order, so the client runs over it exactly as over a WebSocket. Whoever makes
// the MessageChannel hands one port to each side, and each side wraps its port here.
//
// Messages on the port:
//   ArrayBuffer          bytes (transferred, not copied)
//   { end: true }        the sender closed the stream normally
//   { end: true, error } the sender failed; `error` is a sentence
// A MessagePort has no reliable "other side went away" event, so each side says goodbye itself.

import { SshError } from './wire/errors';
import type { ByteStream } from './stream';

/** The part of MessagePort used here (DOM-free: a browser's MessagePort and Node's both fit). */
export interface MessagePortLike {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  start?(): void;
  close(): void;
}

type End = { end: true; error?: string };

const NOT_BINARY = 'The demo connection sent something other than binary data.';

function isEnd(data: unknown): data is End {
  return typeof data === 'object' && data !== null && (data as End).end === true;
}

/**
 * Wraps a port at once. As with webSocketStream, bytes that arrive before the first data subscriber
 * are kept for it, and an end that comes before anyone listens is reported to the first who does.
 */
export function messagePortStream(port: MessagePortLike): ByteStream {
  const dataHandlers: Array<(b: Uint8Array) => void> = [];
  const closeHandlers: Array<(e?: SshError) => void> = [];
  let held: Uint8Array[] | null = [];
  let ended: { error?: SshError } | undefined;
  const end = (error?: SshError) => {
    if (ended) return;
    ended = { error };
    port.close();
    for (const h of closeHandlers.splice(0)) h(error);
  };
  port.addEventListener('message', (event) => {
    if (ended) return;
    const data = event.data;
    if (data instanceof ArrayBuffer) {
      const bytes = new Uint8Array(data);
      if (held) held.push(bytes);
      else for (const h of dataHandlers) h(bytes);
    } else if (isEnd(data)) {
      end(data.error ? new SshError('stream-error', data.error, { serverMessage: data.error }) : undefined);
    } else {
      port.postMessage({ end: true, error: NOT_BINARY } satisfies End, []);
      end(new SshError('stream-error', NOT_BINARY));
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
      if (held) {
        const early = held;
        held = null;
        for (const bytes of early) h(bytes);
      }
      return () => void dataHandlers.splice(dataHandlers.indexOf(h) >>> 0, 1);
    },
    onClose(h) {
      if (ended) {
        const { error } = ended;
        queueMicrotask(() => h(error));
        return () => undefined;
      }
      closeHandlers.push(h);
      return () => void closeHandlers.splice(closeHandlers.indexOf(h) >>> 0, 1);
    },
  };
}
