// Socket → WebSocket with backpressure: the socket pauses while the WebSocket's send buffer is full.
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

const HIGH_WATER = 4 * 1024 * 1024;

/** Returns a function that reports how many bytes went down so far. */
export function pipeSocketToWebSocket(socket: Duplex, ws: WebSocket): () => number {
  let bytes = 0;
  let paused = false;
  socket.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (ws.readyState !== ws.OPEN) return;
    ws.send(chunk, { binary: true }, () => {
      if (paused && ws.bufferedAmount < HIGH_WATER / 2) {
        paused = false;
        socket.resume();
      }
    });
    if (!paused && ws.bufferedAmount > HIGH_WATER) {
      paused = true;
      socket.pause();
    }
  });
  return () => bytes;
}
