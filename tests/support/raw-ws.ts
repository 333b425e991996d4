// A raw WebSocket client over plain TCP, for sending what no well-behaved library would: malformed
// upgrade requests and every kind of invalid frame (RFC 6455 §5.2 layout, built by hand).
import net from 'node:net';

export interface RawConnection {
  socket: net.Socket;
  /** Status of the HTTP answer, or 0 if the socket closed without one. */
  status: number;
  /** The HTTP head and body the server answered with. */
  answer: string;
  /** Resolves when the server has closed the connection (or after `ms`, with false). */
  closedWithin(ms: number): Promise<boolean>;
}

/** Sends `request` as is and reads the HTTP answer's head (and, for a refusal, its body). */
export function rawRequest(port: number, request: string | Buffer, waitMs = 5_000): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let closed = false;
    const closedWaiters: (() => void)[] = [];
    socket.on('error', () => {});
    socket.on('close', () => {
      closed = true;
      for (const w of closedWaiters) w();
      finish();
    });
    const timer = setTimeout(finish, waitMs);
    let done = false;
    function finish() {
      if (done) return;
      const text = received.toString('latin1');
      done = true;
      clearTimeout(timer);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({
        socket,
        status,
        answer: text,
        closedWithin: (ms) => closed ? Promise.resolve(true) : new Promise((ok) => {
          const t = setTimeout(() => ok(false), ms);
          closedWaiters.push(() => { clearTimeout(t); ok(true); });
        }),
      });
    }
    socket.on('data', (d) => {
      received = Buffer.concat([received, d]);
      const text = received.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      // A 101 has no body; a refusal's body is short and read to its Content-Length.
      const length = Number(/content-length: (\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
      if (text.startsWith('HTTP/1.1 101') || received.length >= end + 4 + length) finish();
    });
    socket.once('connect', () => socket.write(request));
    socket.once('error', (e) => { if (!done && received.length === 0 && !closed) reject(e); });
  });
}

export function upgradeRequest(path: string, headers: Record<string, string> = {}): string {
  const all: Record<string, string> = {
    Host: 'proxy.test',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  const lines = Object.entries(all).filter(([, v]) => v !== '').map(([k, v]) => `${k}: ${v}`);
  return `GET ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

export interface FrameSpec {
  fin?: boolean;
  /** RSV1..3 as a 3-bit number. */
  rsv?: number;
  opcode: number;
  payload?: Buffer;
  /** Clients must mask (default true). */
  mask?: boolean;
  /** Declare this length instead of the payload's (to claim more than is sent). */
  declaredLength?: bigint | number;
}

export function frame(f: FrameSpec): Buffer {
  const payload = f.payload ?? Buffer.alloc(0);
  const mask = f.mask ?? true;
  const len = BigInt(f.declaredLength ?? payload.length);
  const head: number[] = [((f.fin ?? true) ? 0x80 : 0) | ((f.rsv ?? 0) << 4) | (f.opcode & 0x0f)];
  const m = mask ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (len < 126n) head.push(m | Number(len));
  else if (len < 65536n) {
    head.push(m | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(Number(len));
  } else {
    head.push(m | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(len);
  }
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const body = Buffer.from(payload);
  if (mask) for (let i = 0; i < body.length; i++) body[i] ^= key[i % 4];
  return Buffer.concat([Buffer.from(head), ext, mask ? key : Buffer.alloc(0), body]);
}

export function closePayload(code: number, reason = ''): Buffer {
  const b = Buffer.alloc(2 + Buffer.byteLength(reason));
  b.writeUInt16BE(code);
  b.write(reason, 2);
  return b;
}
