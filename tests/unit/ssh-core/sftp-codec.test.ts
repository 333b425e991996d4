// The SFTP codec against OpenSSH's sftp-server, with no SSH around it: the bytes OpenSSH's own sftp
// client sends and the server answers decode and encode back to the same bytes, every message the
// library uses among them; and the library's client does each operation against the real server.
// Then what a hostile server could send: truncated, oversized, unknown types, unknown ids.

import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SftpClient } from '../../../src/ssh/core/sftp/client';
import { SftpError } from '../../../src/ssh/core/sftp/errors';
import {
  Fxp,
  PacketFramer,
  decodeReply,
  decodeRequest,
  decodeVersion,
  encodeInit,
  encodeReply,
  encodeRequest,
  encodeWrite,
  isDirectory,
  packet,
} from '../../../src/ssh/core/sftp/protocol';
import { SshWriter } from '../../../src/ssh/core/wire/wire';
import { captureOpensshSession, NOBODY, sftpServerAvailable, startSftpServer, type SftpProcess } from './support/sftp-process';

if (!sftpServerAvailable) console.warn('sftp-codec.test.ts: /usr/lib/openssh/sftp-server is missing; the tests against it are skipped');

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const concat = (parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const isRoot = process.getuid?.() === 0;

describe.runIf(sftpServerAvailable)("OpenSSH's bytes", () => {
  let dir: string;
  let capture: ReturnType<typeof captureOpensshSession>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'postern-sftp-codec-'));
    writeFileSync(join(dir, 'data.bin'), new Uint8Array(70_000).map((_, i) => (i * 7) & 0xff));
    capture = captureOpensshSession(dir, [
      'ls -l',
      'mkdir sub',
      'put data.bin sub/copy.bin',
      'get sub/copy.bin back.bin',
      'rename sub/copy.bin sub/moved.bin',
      'chmod 600 sub/moved.bin',
      'ls -l sub',
      'rm sub/moved.bin',
      'rmdir sub',
      'pwd',
      '-rm no-such-file',
    ]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the session did what the batch asked', () => {
    expect(sha256(readFileSync(join(dir, 'back.bin')))).toBe(sha256(readFileSync(join(dir, 'data.bin'))));
    expect(existsSync(join(dir, 'sub'))).toBe(false);
  });

  test("every request of OpenSSH's sftp decodes and encodes back to the same bytes", () => {
    const packets = new PacketFramer().push(capture.requests);
    expect(packets[0][0]).toBe(Fxp.INIT);
    // INIT carries version 3 and no extension data; our encoder makes the same bytes.
    expect(concat([Uint8Array.of(0, 0, 0, packets[0].length), packets[0]])).toEqual(encodeInit());
    const types = new Set<number>();
    for (const body of packets.slice(1)) {
      const request = decodeRequest(body);
      types.add(request.type);
      const again = encodeRequest(request);
      expect(again.subarray(4)).toEqual(body);
    }
    // FSTAT and plain RENAME are not among them (OpenSSH's client stats by name and renames with
    // posix-rename@openssh.com); the server's answers to the library's own are checked below.
    for (const t of [Fxp.OPEN, Fxp.CLOSE, Fxp.READ, Fxp.WRITE, Fxp.LSTAT, Fxp.STAT, Fxp.SETSTAT, Fxp.OPENDIR, Fxp.READDIR, Fxp.REMOVE, Fxp.MKDIR, Fxp.RMDIR, Fxp.REALPATH, Fxp.EXTENDED]) {
      expect(types, `request type ${t}`).toContain(t);
    }
  });

  test("every reply of OpenSSH's sftp-server decodes and encodes back to the same bytes", () => {
    const packets = new PacketFramer().push(capture.replies);
    const version = decodeVersion(packets[0]);
    expect(version.version).toBe(3);
    expect([...version.extensions.keys()]).toEqual(expect.arrayContaining(['posix-rename@openssh.com', 'limits@openssh.com']));
    const types = new Set<number>();
    let listed: string[] = [];
    for (const body of packets.slice(1)) {
      const reply = decodeReply(body);
      types.add(reply.type);
      if (reply.type === Fxp.NAME && reply.names.length > 1) listed = listed.concat(reply.names.map((n) => n.filename));
      expect(encodeReply(reply).subarray(4)).toEqual(body);
    }
    for (const t of [Fxp.STATUS, Fxp.HANDLE, Fxp.DATA, Fxp.NAME, Fxp.ATTRS, Fxp.EXTENDED_REPLY]) expect(types, `reply type ${t}`).toContain(t);
    expect(listed).toContain('data.bin');
  });
});

describe.runIf(sftpServerAvailable)('the client against sftp-server', () => {
  let dir: string;
  let server: SftpProcess;
  let sftp: SftpClient;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'postern-sftp-client-'));
    server = await startSftpServer(dir);
    sftp = server.client;
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('hello: version 3 and the extensions OpenSSH offers', () => {
    expect(sftp.extensions.has('posix-rename@openssh.com')).toBe(true);
    expect(new PacketFramer().push(server.fromServer[0])[0][0]).toBe(Fxp.VERSION);
  });

  test('realpath, stat, lstat, list', async () => {
    writeFileSync(join(dir, 'a file with spaces.txt'), 'hello');
    writeFileSync(join(dir, 'naïve – 日本.txt'), 'utf-8');
    mkdirSync(join(dir, 'folder'));
    expect(await sftp.realpath('.')).toBe(dir);
    const attrs = await sftp.stat('a file with spaces.txt');
    expect(attrs.size).toBe(5);
    expect(attrs.permissions! & 0o777).toBe(statSync(join(dir, 'a file with spaces.txt')).mode & 0o777);
    expect(isDirectory(await sftp.lstat('folder'))).toBe(true);
    const names = (await sftp.list('.')).map((n) => n.filename).sort();
    expect(names).toEqual(['a file with spaces.txt', 'folder', 'naïve – 日本.txt'].sort());
  });

  test('a listing of more than one READDIR answer', async () => {
    mkdirSync(join(dir, 'many'));
    for (let i = 0; i < 250; i++) writeFileSync(join(dir, 'many', `f${i}`), '');
    expect((await sftp.list('many')).length).toBe(250);
  });

  test('mkdir, rename, remove, rmdir, and their errors as sentences', async () => {
    await sftp.mkdir('made');
    expect(statSync(join(dir, 'made')).isDirectory()).toBe(true);
    await expect(sftp.mkdir('made')).rejects.toMatchObject({ kind: 'file-exists', message: 'Could not create the folder “made”: “made” already exists.' });
    writeFileSync(join(dir, 'one'), '1');
    writeFileSync(join(dir, 'two'), '2');
    await expect(sftp.rename('one', 'two')).rejects.toMatchObject({ kind: 'file-exists' });
    await sftp.rename('one', 'two', { overwrite: true });
    expect(readFileSync(join(dir, 'two'), 'utf8')).toBe('1');
    await sftp.rename('two', 'made/three');
    await expect(sftp.rmdir('made')).rejects.toMatchObject({ kind: 'failure' });
    await sftp.remove('made/three');
    await sftp.rmdir('made');
    expect(existsSync(join(dir, 'made'))).toBe(false);
    await expect(sftp.remove('made')).rejects.toMatchObject({ kind: 'no-such-file', message: 'Could not delete “made”: no such file or folder.' });
  });

  test('permission denied is said as such', async () => {
    writeFileSync(join(dir, 'locked'), 'x');
    chmodSync(join(dir, 'locked'), 0);
    // Root may read a mode-000 file: as root, the server runs as nobody, who may enter the folder.
    chmodSync(dir, 0o755);
    const restricted = isRoot ? await startSftpServer(dir, NOBODY) : server;
    try {
      await expect(restricted.client.download('locked', () => undefined).done).rejects.toMatchObject({ kind: 'permission-denied', message: 'Could not open “locked”: permission denied.' });
    } finally {
      if (restricted !== server) await restricted.stop();
    }
  });

  test('download and upload: empty, one byte, odd sizes, 3 MB; checksums equal', async () => {
    for (const size of [0, 1, 32 * 1024 - 1, 32 * 1024, 32 * 1024 + 1, 3_000_000]) {
      const bytes = new Uint8Array(size).map(() => (Math.random() * 256) | 0);
      writeFileSync(join(dir, `in-${size}`), bytes);
      const chunks: Uint8Array[] = [];
      let progress = 0;
      const got = await sftp.download(`in-${size}`, (c) => void chunks.push(c.slice()), { onProgress: (n) => (progress = n) }).done;
      expect(got).toBe(size);
      expect(progress).toBe(size);
      expect(sha256(concat(chunks))).toBe(sha256(bytes));
      async function* source() {
        for (let at = 0; at < size; at += 10_000) yield bytes.subarray(at, at + 10_000);
      }
      expect(await sftp.upload(`out-${size}`, source()).done).toBe(size);
      expect(sha256(readFileSync(join(dir, `out-${size}`)))).toBe(sha256(bytes));
    }
  });

  test('the server understood every request (FSTAT among them) and each answer encodes back to its bytes', async () => {
    const packets = new PacketFramer().push(concat(server.fromServer));
    const types = new Set<number>();
    for (const body of packets.slice(1)) {
      const reply = decodeReply(body);
      types.add(reply.type);
      expect(Buffer.from(encodeReply(reply).subarray(4)).equals(body)).toBe(true);
      // sftp-server answers a request it cannot parse with BAD_MESSAGE (5) and one it lacks with OP_UNSUPPORTED (8).
      if (reply.type === Fxp.STATUS) expect([5, 8]).not.toContain(reply.code);
    }
    expect([...types].sort()).toEqual([Fxp.STATUS, Fxp.HANDLE, Fxp.DATA, Fxp.NAME, Fxp.ATTRS, Fxp.EXTENDED_REPLY].sort());
  });

  test('an exclusive upload onto an existing file says the file exists and leaves it alone', async () => {
    writeFileSync(join(dir, 'keep'), 'precious');
    async function* source() {
      yield new Uint8Array(10);
    }
    await expect(sftp.upload('keep', source(), { exclusive: true }).done).rejects.toMatchObject({ kind: 'file-exists' });
    expect(readFileSync(join(dir, 'keep'), 'utf8')).toBe('precious');
  });
});

/** A client whose "server" is the test: it sees what the client writes and feeds it bytes. */
function scripted(): { client: SftpClient; sent: Uint8Array[]; closed: () => boolean } {
  const sent: Uint8Array[] = [];
  let closed = false;
  const client = new SftpClient({ write: (b) => void sent.push(b), close: () => void (closed = true) });
  return { client, sent, closed: () => closed };
}

async function helloed() {
  const s = scripted();
  const hello = s.client.init();
  s.client.receive(packet(Fxp.VERSION, (w) => w.uint32(3)));
  await hello;
  return s;
}

describe('malformed packets from the server end the SFTP session with a sentence, never a throw', () => {
  test('a packet longer than the cap is refused from its length alone', async () => {
    const { client, closed } = await helloed();
    const pending = client.stat('x');
    client.receive(Uint8Array.of(0x7f, 0xff, 0xff, 0xff, Fxp.ATTRS));
    await expect(pending).rejects.toMatchObject({ kind: 'bad-message', message: expect.stringContaining('a packet of 2147483647 bytes') });
    expect(closed()).toBe(true);
    expect(client.isOpen).toBe(false);
    await expect(client.stat('y')).rejects.toBeInstanceOf(SftpError);
  });

  test('a truncated reply (a string longer than its packet)', async () => {
    const { client } = await helloed();
    const pending = client.realpath('.');
    // NAME, id 1, count 1, filename length 1000 with only 20 bytes present.
    client.receive(packet(Fxp.NAME, (w) => w.uint32(1).uint32(1).uint32(1000).raw(new Uint8Array(20))));
    await expect(pending).rejects.toMatchObject({ kind: 'bad-message', message: expect.stringContaining('ends in the middle of a file name') });
  });

  test('a name count larger than the packet could hold', async () => {
    const { client } = await helloed();
    const pending = client.realpath('.');
    client.receive(packet(Fxp.NAME, (w) => w.uint32(1).uint32(0xffffffff)));
    await expect(pending).rejects.toMatchObject({ kind: 'bad-message', message: expect.stringContaining('a list of 4294967295 names') });
  });

  test('a reply type that does not exist', async () => {
    const { client } = await helloed();
    const pending = client.stat('x');
    client.receive(packet(77, (w) => w.uint32(1)));
    await expect(pending).rejects.toMatchObject({ kind: 'bad-message', message: expect.stringContaining('unknown type 77') });
  });

  test('an answer to a request never sent', async () => {
    const { client } = await helloed();
    const pending = client.stat('x');
    client.receive(packet(Fxp.STATUS, (w) => w.uint32(999).uint32(0).string('').string('')));
    await expect(pending).rejects.toMatchObject({ kind: 'bad-message', message: expect.stringContaining('request 999, which was never sent') });
  });

  test('a reply with trailing bytes, an empty packet, an oversized handle, and a version other than 3', async () => {
    let s = await helloed();
    let pending: Promise<unknown> = s.client.stat('x');
    s.client.receive(packet(Fxp.ATTRS, (w) => w.uint32(1).uint32(0).byte(9)));
    await expect(pending).rejects.toMatchObject({ message: expect.stringContaining('trailing bytes') });

    s = await helloed();
    pending = s.client.stat('x');
    s.client.receive(Uint8Array.of(0, 0, 0, 0));
    await expect(pending).rejects.toMatchObject({ message: expect.stringContaining('an empty packet') });

    s = await helloed();
    pending = s.client.list('x');
    s.client.receive(packet(Fxp.HANDLE, (w) => w.uint32(1).bytes(new Uint8Array(300))));
    await expect(pending).rejects.toMatchObject({ message: expect.stringContaining('a handle of 300 bytes') });

    const fresh = scripted();
    const hello = fresh.client.init();
    fresh.client.receive(packet(Fxp.VERSION, (w) => w.uint32(6)));
    await expect(hello).rejects.toMatchObject({ kind: 'unsupported', message: 'The server speaks SFTP version 6; this client speaks version 3.' });
  });

  test('random garbage after the hello never throws out of receive()', async () => {
    for (let round = 0; round < 200; round++) {
      const { client } = await helloed();
      const pending = client.stat('x').catch((e: unknown) => e);
      const junk = new Uint8Array(1 + ((Math.random() * 64) | 0)).map(() => (Math.random() * 256) | 0);
      expect(() => client.receive(junk)).not.toThrow();
      client.close();
      expect(await pending).toBeInstanceOf(SftpError);
    }
  });

  test('a STATUS of an unknown code is a sentence for that request, and the session goes on', async () => {
    const { client } = await helloed();
    const pending = client.remove('x');
    client.receive(packet(Fxp.STATUS, (w) => w.uint32(1).uint32(42).string('odd').string('')));
    await expect(pending).rejects.toMatchObject({ kind: 'failure', message: 'Could not delete “x”: the server answered with status 42. The server said: “odd”' });
    expect(client.isOpen).toBe(true);
  });

  test('DATA split into single bytes comes out whole; a DATA length that disagrees with its packet ends the session', async () => {
    let s = await helloed();
    const reading = s.client.read(Uint8Array.of(1), 0, 100, 'f');
    for (const b of encodeReply({ type: Fxp.DATA, id: 1, data: Uint8Array.of(5, 6, 7, 8) })) s.client.receive(Uint8Array.of(b));
    expect([...(await reading)!]).toEqual([5, 6, 7, 8]);

    s = await helloed();
    const bad = s.client.read(Uint8Array.of(1), 0, 100, 'f');
    s.client.receive(packet(Fxp.DATA, (w) => w.uint32(1).uint32(50).raw(new Uint8Array(10))));
    await expect(bad).rejects.toMatchObject({ kind: 'bad-message', message: expect.stringContaining('a DATA length of 50 in 10 bytes') });
    expect(s.client.isOpen).toBe(false);

    s = await helloed();
    const more = s.client.read(Uint8Array.of(1), 0, 4, 'f');
    s.client.receive(encodeReply({ type: Fxp.DATA, id: 1, data: new Uint8Array(5) }));
    await expect(more).rejects.toMatchObject({ kind: 'bad-message', message: expect.stringContaining('a read of 4 bytes with 5') });
  });

  test('a reply split into single bytes still parses', async () => {
    const { client } = await helloed();
    const pending = client.realpath('.');
    const reply = encodeReply({ type: Fxp.NAME, id: 1, names: [{ filename: '/home/ü', longname: '', attrs: {} }] });
    for (const b of reply) client.receive(Uint8Array.of(b));
    expect(await pending).toBe('/home/ü');
  });
});

test('requests as bytes: the layouts of draft-ietf-secsh-filexfer-02', () => {
  const handle = Uint8Array.of(0, 0, 0, 7);
  // READ: uint32 length, byte 5, uint32 id, string handle, uint64 offset, uint32 len
  expect([...encodeRequest({ type: Fxp.READ, id: 9, handle, offset: 2 ** 32 + 5, length: 32768 })]).toEqual([
    0, 0, 0, 25, 5, 0, 0, 0, 9, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0x80, 0,
  ]);
  // OPEN with permissions: flags 4, then the mode.
  const open = encodeRequest({ type: Fxp.OPEN, id: 1, path: 'a', flags: 0x1a, attrs: { permissions: 0o644 } });
  expect([...open]).toEqual([0, 0, 0, 22, 3, 0, 0, 0, 1, 0, 0, 0, 1, 97, 0, 0, 0, 0x1a, 0, 0, 0, 4, 0, 0, 1, 0xa4]);
  // WRITE from pieces: the same bytes as from one array.
  const data = Uint8Array.of(1, 2, 3, 4, 5, 6, 7);
  expect(encodeWrite(6, handle, 2 ** 40, [data.subarray(0, 3), data.subarray(3)])).toEqual(encodeRequest({ type: Fxp.WRITE, id: 6, handle, offset: 2 ** 40, data }));
  // RENAME: two strings.
  expect([...encodeRequest({ type: Fxp.RENAME, id: 2, from: 'a', to: 'bc' })]).toEqual([0, 0, 0, 16, 18, 0, 0, 0, 2, 0, 0, 0, 1, 97, 0, 0, 0, 2, 98, 99]);
  // FSTAT: the handle.
  expect([...encodeRequest({ type: Fxp.FSTAT, id: 4, handle })]).toEqual([0, 0, 0, 13, 8, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 7]);
  // posix-rename@openssh.com (OpenSSH PROTOCOL §4.3): the extension name, then the two paths.
  const paths = new SshWriter().string('a').string('b').finish();
  const ext = decodeRequest(encodeRequest({ type: Fxp.EXTENDED, id: 3, name: 'posix-rename@openssh.com', data: paths }).subarray(4));
  expect(ext).toMatchObject({ type: Fxp.EXTENDED, name: 'posix-rename@openssh.com' });
});
