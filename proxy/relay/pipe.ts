// The two directions of a TCP ↔ WebSocket relay, each with backpressure: a slow browser pauses the
// target socket, a slow target pauses the WebSocket. Target → browser reads go through a Gatherer
// (gather.ts), which needs the socket created with its `onread` option: reads then land in the
// gatherer's buffer and skip Node's stream machinery, and returning false stops reading at once.
import type net from 'node:net';
import type { WebSocket } from 'ws';
import { Gatherer } from './gather.ts';

/** One object for every send (ws copies what it needs); no compression on ciphertext. */
const SEND_OPTIONS = { binary: true, compress: false } as const;

export interface Downstream {
  /** Pass as `onread` to net.connect() for the socket that attach() will get. */
  onread: net.OnReadOpts;
  attach(socket: net.Socket): void;
  /** Bytes read from the target so far. */
  bytes(): number;
  /** Bytes of read buffer held for this connection (none while it is idle). */
  heldBytes(): number;
}

/**
 * Target → browser. Create before the socket (for `onread`), then attach the socket.
 * `onFirstBytes` runs once, when the target's first bytes are read (a link's use counts then).
 */
export function socketToWebSocket(ws: WebSocket, onFirstBytes?: () => void): Downstream {
  let socket: net.Socket | undefined;
  const gatherer = new Gatherer({
    now: () => performance.now(),
    isOpen: () => ws.readyState === ws.OPEN,
    buffered: () => ws.bufferedAmount,
    send: (message, written) => ws.send(message, SEND_OPTIONS, written),
    pauseReading: () => socket?.pause(),
    resumeReading: () => socket?.resume(),
    after: (ms, fn) => {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    },
    soon: (fn) => setImmediate(fn),
  });
  return {
    onread: {
      buffer: () => gatherer.readBuffer(),
      callback: (n) => {
        if (onFirstBytes && n > 0) {
          const first = onFirstBytes;
          onFirstBytes = undefined;
          first();
        }
        return gatherer.onRead(n);
      },
    },
    attach(s) {
      socket = s;
      // Whatever was gathered goes out before the relay closes the WebSocket (listeners run in order).
      s.on('end', () => gatherer.flush());
      s.on('close', () => {
        gatherer.flush();
        gatherer.stop();
      });
    },
    bytes: () => gatherer.bytes,
    heldBytes: () => gatherer.heldBytes(),
  };
}

/** Browser → target: writes each message; while the socket's buffer is full the WebSocket is paused. */
export function webSocketToSocket(ws: WebSocket, socket: net.Socket): (data: Buffer) => void {
  const resume = () => ws.resume();
  return (data) => {
    if (!socket.write(data) && !ws.isPaused) {
      ws.pause();
      socket.once('drain', resume);
    }
  };
}
