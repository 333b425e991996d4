// The two ends of a relayed session in API tests: a TCP service on loopback to relay to, and a
// WebSocket client of /ws/relay that keeps what it receives and how it ended.
import net from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import WebSocket from 'ws';

export interface EchoServer {
  port: number;
  close(): void;
}

/** A real TCP service to relay to: it echoes every byte back, upper-cased. */
export async function startEchoServer(): Promise<EchoServer> {
  const server = net.createServer((s) => s.on('data', (d) => s.write(d.toString('latin1').toUpperCase())));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

/**
 * The echo service for one test file: started before the file's tests (and before the hooks it
 * registers after this call), closed after them.
 */
export function echoServerForFile(): { readonly port: number } {
  let server: EchoServer | undefined;
  beforeAll(async () => {
    server = await startEchoServer();
  });
  afterAll(() => server?.close());
  return {
    get port() {
      if (!server) throw new Error('the echo service has not started yet');
      return server.port;
    },
  };
}

export type RelayClient = ReturnType<typeof openRelay>;

/** A WebSocket to `proxyUrl`'s /ws/relay?`query`, offering `protocols` (a link's or a user's token). */
export function openRelay(proxyUrl: string, query: string, protocols: string[], headers: Record<string, string> = {}) {
  const ws = new WebSocket(`${proxyUrl.replace('http', 'ws')}/ws/relay?${query}`, protocols, { headers });
  ws.binaryType = 'nodebuffer';
  const received: Buffer[] = [];
  ws.on('message', (d: Buffer) => received.push(d));
  const closed = new Promise<{ code: number; reason: string }>((ok) => ws.on('close', (code, reason) => ok({ code, reason: reason.toString() })));
  ws.on('error', () => {});
  /** A refused upgrade: the HTTP status and the sentence in its body (no WebSocket was made). */
  const refused = new Promise<{ status: number; body: string }>((ok) => {
    ws.once('unexpected-response', (_q, r) => {
      let body = '';
      r.on('data', (d: Buffer) => (body += d));
      r.on('end', () => ok({ status: r.statusCode ?? 0, body }));
    });
  });
  const opened = new Promise<void>((ok, fail) => {
    ws.once('open', () => ok());
    void refused.then((r) => fail(new Error(`HTTP ${r.status}`)));
  });
  opened.catch(() => {});
  const text = () => Buffer.concat(received).toString();
  /** Sends `sent` to the echo service and waits until it has come back, upper-cased. */
  const echoes = async (sent: string) => {
    received.length = 0;
    ws.send(Buffer.from(sent));
    while (text() !== sent.toUpperCase()) await new Promise((r) => setTimeout(r, 5));
  };
  return { ws, received, closed, opened, refused, text, echoes };
}

/** Resolves as `p` does, or fails when that takes longer than `ms`. */
export function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(`not within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
