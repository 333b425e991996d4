// Socket → WebSocket with backpressure: the socket pauses while the WebSocket's send buffer is full.
// Reads are coalesced during a burst: a pty makes sshd write about 4 KB at a time, and a browser takes
// 4 KB messages at about half the rate of 16 KB+ ones. The first read after a quiet spell goes out at
// once (a keystroke's echo waits for nothing); reads that follow it closely are gathered for at most
// GATHER_MS or MAX_MESSAGE bytes, whichever comes first — Nagle's idea, bounded to a millisecond.
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

const HIGH_WATER = 4 * 1024 * 1024;
const MAX_MESSAGE = 64 * 1024;
const GATHER_MS = 1;
/** A read this soon after the previous message is part of a burst and may wait to be gathered. */
const BURST_GAP_MS = 2;

/** Returns a function that reports how many bytes went down so far. */
export function pipeSocketToWebSocket(socket: Duplex, ws: WebSocket): () => number {
  let bytes = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  let lastSentAt = -Infinity;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pendingBytes === 0) return;
    const message = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    lastSentAt = performance.now();
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount + message.length <= HIGH_WATER) return void ws.send(message, { binary: true });
    // The browser is reading slower than the target writes: stop reading until this message is out.
    socket.pause();
    ws.send(message, { binary: true }, () => socket.resume());
  };

  socket.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (ws.readyState !== ws.OPEN) return;
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes >= MAX_MESSAGE) return flush();
    if (timer) return;
    const quiet = performance.now() - lastSentAt > BURST_GAP_MS && ws.bufferedAmount === 0;
    if (quiet) return flush();
    timer = setTimeout(flush, GATHER_MS);
  });
  // Whatever was gathered goes out before the relay closes the WebSocket (listeners run in order).
  socket.on('end', flush);
  socket.on('close', flush);
  return () => bytes;
}
