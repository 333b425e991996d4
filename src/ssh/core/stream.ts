// The byte-stream seam: the same SshClient runs over a WebSocket (browser or `ws`), a Node
// socket (an adapter in tests/support) or an in-memory pipe. The relay convention is
// websockify's: binary WebSocket messages carrying raw TCP bytes, in order.

import { SshClient, type SshClientOptions } from './client';
import { SshError } from './wire/errors';

export interface ByteStream {
  write(bytes: Uint8Array): void;
  /** Closes the stream; pending writes are flushed first where the medium allows. */
  close(): void;
  onData(handler: (bytes: Uint8Array) => void): () => void;
  /** Fires once. `error` is set when the stream failed rather than ended normally. */
  onClose(handler: (error?: SshError) => void): () => void;
}

interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(id: unknown): void;
}

export interface ConnectOptions extends Omit<SshClientOptions, 'output'> {
  /** How often tick() runs (keepalive, timed rekey). Default 5 s. */
  tickMs?: number;
  timers?: Timers;
}

/**
 * Creates a client bound to an open stream. The handshake starts on the next microtask, so
 * listeners attached right after this call see every event, including the first state change.
 * The stream is closed once the session ends (after the final DISCONNECT has been written).
 */
export function connectSsh(stream: ByteStream, options: ConnectOptions): SshClient {
  const timers = options.timers ?? (globalThis as unknown as Timers);
  const client = new SshClient({ ...options, output: (bytes) => stream.write(bytes) });
  const offData = stream.onData((bytes) => client.receive(bytes));
  const offClose = stream.onClose((error) => client.streamClosed(error));
  const timer = timers.setInterval(() => client.tick(), options.tickMs ?? 5000);
  void client.closed.then(async () => {
    timers.clearInterval(timer);
    await client.flushed();
    offData();
    offClose();
    stream.close();
  });
  void Promise.resolve().then(() => client.start());
  return client;
}

/** The subset of the WebSocket interface used here; browsers' WebSocket and the `ws` package fit it. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: { data?: unknown; code?: number; reason?: string }) => void): void;
}

const OPEN = 1;

/**
 * Wraps a WebSocket (already created with the relay URL) as a ByteStream once it is open.
 * Rejects with SshError('stream-error') if it closes or fails before opening.
 * A WebSocket does not wait for readers: bytes that arrive before the first data subscriber (the
 * server's version line, while the caller still looks up known hosts) are kept and handed to it,
 * and an end that comes before anyone listens for it is reported to the first who does.
 */
export function webSocketStream(ws: WebSocketLike): Promise<ByteStream> {
  ws.binaryType = 'arraybuffer';
  const dataHandlers: Array<(b: Uint8Array) => void> = [];
  const closeHandlers: Array<(e?: SshError) => void> = [];
  let held: Uint8Array[] | null = [];
  let ended: { error?: SshError } | undefined;
  let closingByUs = false;
  const end = (error?: SshError) => {
    if (ended) return;
    ended = { error };
    for (const h of closeHandlers.splice(0)) h(error);
  };
  const stream: ByteStream = {
    write: (bytes) => {
      if (ws.readyState === OPEN) ws.send(bytes);
    },
    close: () => {
      closingByUs = true;
      ws.close(1000);
    },
    onData: (h) => {
      dataHandlers.push(h);
      if (held) {
        const early = held;
        held = null;
        for (const bytes of early) h(bytes);
      }
      return () => dataHandlers.splice(dataHandlers.indexOf(h) >>> 0, 1);
    },
    onClose: (h) => {
      if (ended) {
        const { error } = ended;
        queueMicrotask(() => h(error));
        return () => undefined;
      }
      closeHandlers.push(h);
      return () => closeHandlers.splice(closeHandlers.indexOf(h) >>> 0, 1);
    },
  };
  return new Promise<ByteStream>((resolve, reject) => {
    let opened = false;
    ws.addEventListener('open', () => {
      opened = true;
      resolve(stream);
    });
    ws.addEventListener('message', (event) => {
      if (!(event.data instanceof ArrayBuffer)) {
        end(new SshError('stream-error', 'The relay sent text instead of binary data; it does not follow the binary WebSocket convention.'));
        ws.close(1003);
        return;
      }
      const bytes = new Uint8Array(event.data);
      if (held) held.push(bytes);
      else for (const h of dataHandlers) h(bytes);
    });
    ws.addEventListener('error', () => undefined); // the close event that follows carries the detail
    ws.addEventListener('close', (event) => {
      const code = event.code ?? 1006;
      const reason = event.reason ?? '';
      if (!opened) {
        reject(
          new SshError('stream-error', reason ? `The relay refused the connection: ${reason}` : `Could not reach the relay (WebSocket closed with code ${code}).`, {
            reasonCode: code,
            serverMessage: reason,
          }),
        );
        return;
      }
      if (closingByUs || code === 1000) return end();
      end(
        new SshError('stream-error', reason ? `The relay closed the connection: ${reason}` : `The relay connection was lost (WebSocket code ${code}).`, {
          reasonCode: code,
          serverMessage: reason,
        }),
      );
    });
  });
}

/** Two connected in-memory ByteStreams; delivery is asynchronous, like a real socket. */
export function memoryPipe(): [ByteStream, ByteStream] {
  type Side = { data: Array<(b: Uint8Array) => void>; close: Array<(e?: SshError) => void>; closed: boolean };
  const sides: [Side, Side] = [
    { data: [], close: [], closed: false },
    { data: [], close: [], closed: false },
  ];
  const make = (me: Side, peer: Side): ByteStream => ({
    write: (bytes) => {
      if (me.closed) return;
      const copy = bytes.slice();
      void Promise.resolve().then(() => {
        for (const h of peer.data) h(copy); // bytes written before a close still arrive, as with TCP
      });
    },
    close: () => {
      for (const side of [me, peer]) {
        if (side.closed) continue;
        side.closed = true;
        void Promise.resolve().then(() => side.close.splice(0).forEach((h) => h()));
      }
    },
    onData: (h) => {
      me.data.push(h);
      return () => me.data.splice(me.data.indexOf(h) >>> 0, 1);
    },
    onClose: (h) => {
      me.close.push(h);
      return () => me.close.splice(me.close.indexOf(h) >>> 0, 1);
    },
  });
  return [make(sides[0], sides[1]), make(sides[1], sides[0])];
}
