// Socket → WebSocket with backpressure: the socket pauses while the WebSocket's send buffer is full.
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

const HIGH_WATER = 4 * 1024 * 1024;

/** Returns a function that reports how many bytes went down so far. */
export function pipeSocketToWebSocket(socket: Duplex, ws: WebSocket): () => number {
  let bytes = 0;
  socket.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount + chunk.length <= HIGH_WATER) return void ws.send(chunk, { binary: true });
    // The browser is reading slower than the target writes: stop reading until this chunk is out.
    socket.pause();
    ws.send(chunk, { binary: true }, () => socket.resume());
  });
  return () => bytes;
}
