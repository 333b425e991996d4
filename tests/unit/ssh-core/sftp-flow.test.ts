// Pipelining, flow control and cancellation of the SFTP client, against an in-memory server the
// test drives: it can hold replies back, answer out of order, read short, or fail a write.

import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { SftpClient } from '../../../src/ssh/core/sftp/client';
import { Fxp, PacketFramer, Status, decodeRequest, encodeReply, encodeVersion, type Reply, type Request } from '../../../src/ssh/core/sftp/protocol';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** One file, one handle; replies go out at once unless `hold` is set, then on release(). */
class MemoryServer {
  file: Uint8Array;
  exists: boolean;
  readonly client: SftpClient;
  readonly requests: Request[] = [];
  held: Reply[] = [];
  hold = false;
  /** Reverse each released batch (out-of-order replies). */
  reverse = false;
  /** Answer reads with at most this many bytes. */
  shortReads = Infinity;
  /** Answer writes at or past this offset with FAILURE. */
  failWritesAt = Infinity;
  outstanding = 0;
  maxOutstanding = 0;
  private readonly framer = new PacketFramer();

  constructor(file: Uint8Array, exists = true) {
    this.file = file;
    this.exists = exists;
    this.client = new SftpClient({ write: (b) => this.receive(b), close: () => undefined });
  }

  async start(): Promise<SftpClient> {
    const hello = this.client.init();
    await hello;
    return this.client;
  }

  count(type: number): number {
    return this.requests.filter((q) => q.type === type).length;
  }

  release(): void {
    const batch = this.held.splice(0);
    if (this.reverse) batch.reverse();
    for (const r of batch) this.send(r);
  }

  private send(reply: Reply): void {
    this.outstanding--;
    const bytes = encodeReply(reply);
    queueMicrotask(() => this.client.receive(bytes));
  }

  private receive(bytes: Uint8Array): void {
    for (const body of this.framer.push(bytes)) {
      if (body[0] === Fxp.INIT) {
        const v = encodeVersion(3, []);
        queueMicrotask(() => this.client.receive(v));
        continue;
      }
      const q = decodeRequest(body);
      this.requests.push(q);
      this.outstanding++;
      this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
      const reply = this.answer(q);
      if (this.hold && (q.type === Fxp.READ || q.type === Fxp.WRITE)) this.held.push(reply);
      else this.send(reply);
    }
  }

  private answer(q: Request): Reply {
    const ok: Reply = { type: Fxp.STATUS, id: q.id, code: Status.OK, message: '' };
    switch (q.type) {
      case Fxp.LSTAT:
        return this.exists ? { type: Fxp.ATTRS, id: q.id, attrs: { size: this.file.length } } : { type: Fxp.STATUS, id: q.id, code: Status.NO_SUCH_FILE, message: 'No such file' };
      case Fxp.OPEN:
        if (q.flags & 0x10) this.file = new Uint8Array(0);
        this.exists = true;
        return { type: Fxp.HANDLE, id: q.id, handle: Uint8Array.of(0, 0, 0, 1) };
      case Fxp.FSTAT:
        return { type: Fxp.ATTRS, id: q.id, attrs: { size: this.file.length } };
      case Fxp.READ: {
        if (q.offset >= this.file.length) return { type: Fxp.STATUS, id: q.id, code: Status.EOF, message: 'EOF' };
        const n = Math.min(q.length, this.shortReads, this.file.length - q.offset);
        return { type: Fxp.DATA, id: q.id, data: this.file.slice(q.offset, q.offset + n) };
      }
      case Fxp.WRITE: {
        if (q.offset + q.data.length > this.failWritesAt) return { type: Fxp.STATUS, id: q.id, code: Status.FAILURE, message: 'Failure' };
        const end = q.offset + q.data.length;
        if (end > this.file.length) {
          const grown = new Uint8Array(end);
          grown.set(this.file);
          this.file = grown;
        }
        this.file.set(q.data, q.offset);
        return ok;
      }
      case Fxp.REMOVE:
        this.exists = false;
        return ok;
      default:
        return ok;
    }
  }
}

const random = (n: number) => new Uint8Array(n).map(() => (Math.random() * 256) | 0);

async function* chunksOf(bytes: Uint8Array, size: number, pulled?: { count: number }) {
  for (let at = 0; at < bytes.length; at += size) {
    if (pulled) pulled.count++;
    yield bytes.slice(at, at + size);
  }
}

describe('downloads', () => {
  test('keep exactly the allowed number of reads outstanding, and deliver in order when answered out of order', async () => {
    const server = new MemoryServer(random(5_000_000));
    const sftp = await server.start();
    server.hold = true;
    server.reverse = true;
    const chunks: Uint8Array[] = [];
    const transfer = sftp.download('f', (c) => void chunks.push(c), { chunkSize: 32768, maxOutstanding: 8 });
    for (let i = 0; i < 200 && server.count(Fxp.CLOSE) === 0; i++) {
      await tick();
      server.release();
    }
    expect(await transfer.done).toBe(5_000_000);
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(server.file));
    expect(server.maxOutstanding).toBe(8);
    // One read per chunk, plus the one past the end that sees EOF.
    expect(server.count(Fxp.READ)).toBe(Math.ceil(5_000_000 / 32768) + 1);
  });

  test('short reads: the rest of each chunk is asked for again', async () => {
    const server = new MemoryServer(random(300_000));
    server.shortReads = 1000;
    const sftp = await server.start();
    const chunks: Uint8Array[] = [];
    expect(await sftp.download('f', (c) => void chunks.push(c), { maxOutstanding: 4 }).done).toBe(300_000);
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(server.file));
    expect(server.count(Fxp.READ)).toBeGreaterThanOrEqual(300);
  });

  test('an empty file: one read, EOF, CLOSE', async () => {
    const server = new MemoryServer(new Uint8Array(0));
    const sftp = await server.start();
    expect(await sftp.download('f', () => undefined).done).toBe(0);
    expect(server.requests.map((q) => q.type)).toEqual([Fxp.OPEN, Fxp.FSTAT, Fxp.READ, Fxp.CLOSE]);
  });

  test('a slow consumer holds back reading: no more than the window is ever asked for or kept', async () => {
    const server = new MemoryServer(random(4_000_000));
    const sftp = await server.start();
    let unblock!: () => void;
    let delivered = 0;
    const transfer = sftp.download(
      'f',
      async (c) => {
        delivered += c.length;
        if (delivered === 32768) await new Promise<void>((resolve) => (unblock = resolve));
      },
      { chunkSize: 32768, maxOutstanding: 16 },
    );
    for (let i = 0; i < 50; i++) await tick();
    // The sink sits on the first chunk: 16 read in total, at most, until it returns.
    expect(server.count(Fxp.READ)).toBeLessThanOrEqual(17);
    expect(delivered).toBe(32768);
    unblock();
    expect(await transfer.done).toBe(4_000_000);
  });

  test('cancel stops issuing reads, closes the handle, and rejects with "cancelled"', async () => {
    const server = new MemoryServer(random(10_000_000));
    const sftp = await server.start();
    let transfer: ReturnType<SftpClient['download']> | undefined = undefined;
    let delivered = 0;
    transfer = sftp.download(
      'big file',
      (c) => {
        delivered += c.length;
        if (delivered >= 1_000_000) transfer!.cancel();
      },
      { maxOutstanding: 8 },
    );
    await expect(transfer.done).rejects.toMatchObject({ kind: 'cancelled', message: 'The transfer of “big file” was cancelled.' });
    const reads = server.count(Fxp.READ);
    expect(reads).toBeLessThan(1_000_000 / 32768 + 10);
    expect(server.requests.at(-1)!.type).toBe(Fxp.CLOSE);
    for (let i = 0; i < 20; i++) await tick();
    expect(server.count(Fxp.READ)).toBe(reads);
    expect(sftp.isOpen).toBe(true);
  });

  test('the connection going away mid-download is "connection-lost"', async () => {
    const server = new MemoryServer(random(2_000_000));
    const sftp = await server.start();
    server.hold = true;
    const transfer = sftp.download('f', () => undefined);
    await tick();
    sftp.channelClosed('the SSH connection was lost.');
    await expect(transfer.done).rejects.toMatchObject({ kind: 'connection-lost', message: 'The file transfer session ended: the SSH connection was lost.' });
  });
});

describe('uploads', () => {
  test('keep the allowed number of writes outstanding and pull the source only as room opens', async () => {
    const server = new MemoryServer(new Uint8Array(0), false);
    const sftp = await server.start();
    server.hold = true;
    const bytes = random(3_000_000);
    const pulled = { count: 0 };
    const transfer = sftp.upload('up', chunksOf(bytes, 32768, pulled), { maxOutstanding: 6 });
    for (let i = 0; i < 20; i++) await tick();
    // Six writes out, and the source read no further than the seventh chunk while none is answered.
    expect(server.count(Fxp.WRITE)).toBe(6);
    expect(pulled.count).toBeLessThanOrEqual(7);
    for (let i = 0; i < 500 && server.count(Fxp.CLOSE) === 0; i++) {
      server.release();
      await tick();
    }
    expect(await transfer.done).toBe(3_000_000);
    expect(server.maxOutstanding).toBe(6);
    expect(sha256(server.file)).toBe(sha256(bytes));
  });

  test("a source's odd-sized pieces are cut into whole chunks", async () => {
    const server = new MemoryServer(new Uint8Array(0), false);
    const sftp = await server.start();
    const bytes = random(1_000_003);
    expect(await sftp.upload('up', chunksOf(bytes, 7777), { chunkSize: 65536 }).done).toBe(1_000_003);
    const writes = server.requests.filter((q) => q.type === Fxp.WRITE);
    expect(writes.slice(0, -1).every((q) => q.type === Fxp.WRITE && q.data.length === 65536)).toBe(true);
    expect(sha256(server.file)).toBe(sha256(bytes));
  });

  test('cancel stops pulling the source, closes the handle and removes the file it had created', async () => {
    const server = new MemoryServer(new Uint8Array(0), false);
    const sftp = await server.start();
    const pulled = { count: 0 };
    const bytes = random(10_000_000);
    let transfer: ReturnType<SftpClient['upload']> | undefined = undefined;
    transfer = sftp.upload('part', chunksOf(bytes, 32768, pulled), {
      maxOutstanding: 4,
      onProgress: (n) => {
        if (n >= 500_000) transfer!.cancel();
      },
    });
    await expect(transfer.done).rejects.toMatchObject({ kind: 'cancelled' });
    expect(pulled.count).toBeLessThan(500_000 / 32768 + 6);
    const types = server.requests.map((q) => q.type);
    expect(types.slice(-2)).toEqual([Fxp.CLOSE, Fxp.REMOVE]);
    expect(server.exists).toBe(false);
  });

  test('a failed write on a full disk: the sentence says the server gave no reason and what is likely', async () => {
    const server = new MemoryServer(new Uint8Array(0), true);
    server.failWritesAt = 200_000;
    const sftp = await server.start();
    await expect(sftp.upload('full', chunksOf(random(1_000_000), 32768)).done).rejects.toMatchObject({
      kind: 'failure',
      message: 'Could not write “full”: the server reported a failure without saying why; the disk may be full or over quota.',
    });
    // The file existed before: the upload wrote a hidden file beside it, and removes that, not the file.
    const removed = server.requests.filter((q) => q.type === Fxp.REMOVE);
    expect(removed).toHaveLength(1);
    expect(removed[0]).toMatchObject({ path: expect.stringMatching(/^\.full\.postern-[0-9a-f]{8}\.part$/) });
    expect(server.count(Fxp.CLOSE)).toBe(2); // the write check on the old file, then the hidden file
  });
});
