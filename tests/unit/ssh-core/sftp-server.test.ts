// The SFTP server part (src/ssh/core/sftp/server.ts) and the demo machine's sftp subsystem: the
// library's SFTP client against it, through the whole SSH stack in memory (the real client core
// and the real demo server), and the server part alone against malformed and abusive input.

import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { openSftp, type SftpClient } from '../../../src/ssh/core/sftp/index';
import { SftpClient as RawClient } from '../../../src/ssh/core/sftp/client';
import { SftpServer } from '../../../src/ssh/core/sftp/server';
import { Fxp, PacketFramer, Status, decodeReply, encodeInit, encodeRequest, packet } from '../../../src/ssh/core/sftp/protocol';
import { MemoryFs } from '../../../src/demo/shell/fs';
import { sftpView } from '../../../src/demo/shell/sftp';
import { machineFiles } from '../../../src/demo/shell/shell';
import { collectUntilClose } from '../../support/ssh-node';
import { signedIn } from '../demo/support';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const random = (n: number) => new Uint8Array(n).map(() => (Math.random() * 256) | 0);
async function* once(bytes: Uint8Array) {
  yield bytes;
}

describe('the demo machine serves SFTP over its files', () => {
  async function session(): Promise<{ sftp: SftpClient; ssh: Awaited<ReturnType<typeof signedIn>>['client'] }> {
    const { client } = await signedIn();
    return { sftp: await openSftp(client), ssh: client };
  }

  test('hello, home, listing, and a file read back as the shell shows it', async () => {
    const { sftp, ssh } = await session();
    expect(sftp.extensions.has('posix-rename@openssh.com')).toBe(true);
    expect(await sftp.realpath('.')).toBe('/home/demo');
    const names = (await sftp.list('.')).map((n) => n.filename).sort();
    expect(names).toEqual(expect.arrayContaining(['.profile', 'README.txt', 'notes']));
    const chunks: Uint8Array[] = [];
    await sftp.download('README.txt', (c) => void chunks.push(c.slice())).done;
    const text = new TextDecoder().decode(Buffer.concat(chunks));
    expect(text).toBe(machineFiles('demo').read('/home/demo/README.txt'));
    expect(text).toContain('This machine runs inside your browser.');
    ssh.close();
  });

  test('an upload of 3 MB comes back with the same SHA-256, and the shell lists it', async () => {
    const { sftp, ssh } = await session();
    const bytes = random(3_000_000);
    async function* pieces() {
      for (let at = 0; at < bytes.length; at += 50_000) yield bytes.subarray(at, at + 50_000);
    }
    expect(await sftp.upload('/tmp/upload ü.bin', pieces()).done).toBe(3_000_000);
    const back: Uint8Array[] = [];
    expect(await sftp.download('/tmp/upload ü.bin', (c) => void back.push(c.slice())).done).toBe(3_000_000);
    expect(sha256(Buffer.concat(back))).toBe(sha256(bytes));
    const ls = await collectUntilClose(await ssh.exec('ls -l /tmp'));
    expect(ls.output).toContain('3000000 upload ü.bin');
    await sftp.remove('/tmp/upload ü.bin');
    ssh.close();
  });

  test('mkdir, rename, remove, rmdir, and the errors as sentences', async () => {
    const { sftp, ssh } = await session();
    await sftp.mkdir('made here');
    await expect(sftp.mkdir('made here')).rejects.toMatchObject({ kind: 'file-exists', message: 'Could not create the folder “made here”: “made here” already exists.' });
    await sftp.upload('made here/a.txt', once(new TextEncoder().encode('a'))).done;
    await sftp.upload('made here/b.txt', once(new TextEncoder().encode('b'))).done;
    await expect(sftp.rename('made here/a.txt', 'made here/b.txt')).rejects.toMatchObject({ kind: 'file-exists' });
    await sftp.rename('made here/a.txt', 'made here/b.txt', { overwrite: true });
    expect((await sftp.list('made here')).map((n) => n.filename)).toEqual(['b.txt']);
    await expect(sftp.rmdir('made here')).rejects.toMatchObject({ kind: 'failure', serverMessage: 'Directory not empty' });
    await sftp.remove('made here/b.txt');
    await sftp.rmdir('made here');
    await expect(sftp.stat('made here')).rejects.toMatchObject({ kind: 'no-such-file', message: 'Could not look at “made here”: no such file or folder.' });
    ssh.close();
  });

  test('outside the home and /tmp the machine is read-only: permission denied', async () => {
    const { sftp, ssh } = await session();
    await expect(sftp.upload('/etc/motd', once(new Uint8Array(3))).done).rejects.toMatchObject({
      kind: 'permission-denied',
      message: 'Could not write to “/etc/motd”: permission denied.',
    });
    await expect(sftp.mkdir('/etc/new')).rejects.toMatchObject({ kind: 'permission-denied' });
    await expect(sftp.remove('/etc/hostname')).rejects.toMatchObject({ kind: 'permission-denied' });
    expect(machineFiles('demo').read('/etc/motd')).toBe('Welcome to the Postern demo machine.\n');
    ssh.close();
  });

  test('another subsystem is refused, and the connection goes on', async () => {
    const { ssh } = await session();
    await expect(ssh.openSubsystem('netconf')).rejects.toMatchObject({ kind: 'request-refused' });
    expect((await collectUntilClose(await ssh.exec('echo still here'))).output).toBe('still here\n');
    ssh.close();
  });
});

/** The server part alone, on a MemoryFs of its own, wired to a client or to raw bytes. */
function wired(capacity = 10 * 1024 * 1024) {
  const fs = new MemoryFs({ home: { u: {} }, etc: { x: 'read only' } }, ['/home/u'], capacity);
  const toClient: Uint8Array[] = [];
  let closed = false;
  let client: RawClient | undefined;
  const server = new SftpServer(sftpView(fs, '/home/u'), {
    write: (b) => {
      toClient.push(b);
      if (client) queueMicrotask(() => client!.receive(b));
    },
    drained: () => Promise.resolve(),
    close: () => void (closed = true),
  });
  return {
    fs,
    server,
    toClient,
    closed: () => closed,
    async client(): Promise<RawClient> {
      client = new RawClient({ write: (b) => queueMicrotask(() => server.receive(b)), close: () => server.end() });
      await client.init();
      await client.readLimits();
      return client;
    },
    /** Sends INIT, then `bytes`; returns the replies after the VERSION. */
    async raw(bytes: Uint8Array): Promise<ReturnType<typeof decodeReply>[]> {
      server.receive(encodeInit());
      server.receive(bytes);
      await new Promise((resolve) => setTimeout(resolve, 0));
      return new PacketFramer().push(Buffer.concat(toClient)).slice(1).map(decodeReply);
    },
  };
}

describe('the SFTP server part', () => {
  test('a full disk: the write fails and the client says what is likely, with the server’s words', async () => {
    const w = wired(1_000_000);
    const sftp = await w.client();
    await expect(sftp.upload('big.bin', once(random(2_000_000))).done).rejects.toMatchObject({
      kind: 'failure',
      message: 'Could not write “big.bin”: the server reported a failure without saying why; the disk may be full or over quota. The server said: “No space left on device”',
    });
    // The file the upload created is removed; the budget is whole again.
    expect(() => w.fs.get('/home/u/big.bin')).toThrow('No such file or directory');
    expect(w.fs.usage.used).toBe(9);
  });

  test('reads longer than its limit are answered short, and the client asks for the rest', async () => {
    const w = wired();
    const sftp = await w.client();
    const bytes = random(1_500_000);
    await sftp.upload('f', once(bytes)).done;
    const back: Uint8Array[] = [];
    await sftp.download('f', (c) => void back.push(c.slice()), { chunkSize: 1_000_000 }).done;
    expect(sha256(Buffer.concat(back))).toBe(sha256(bytes));
  });

  test('an unknown request type gets OP_UNSUPPORTED for its id, and the session goes on', async () => {
    const w = wired();
    const replies = await w.raw(Buffer.concat([packet(99, (x) => x.uint32(7)), encodeRequest({ type: Fxp.REALPATH, id: 8, path: '.' })]));
    expect(replies[0]).toMatchObject({ type: Fxp.STATUS, id: 7, code: Status.OP_UNSUPPORTED });
    expect(replies[1]).toMatchObject({ type: Fxp.NAME, id: 8, names: [{ filename: '/home/u' }] });
    expect(w.closed()).toBe(false);
  });

  test('a bad handle is an error for that request, not for the session', async () => {
    const w = wired();
    const replies = await w.raw(encodeRequest({ type: Fxp.READ, id: 3, handle: Uint8Array.of(9, 9, 9, 9), offset: 0, length: 10 }));
    expect(replies[0]).toMatchObject({ type: Fxp.STATUS, id: 3, code: Status.BAD_MESSAGE, message: 'No such handle' });
  });

  test('at most 64 open handles', async () => {
    const w = wired();
    const opens = Buffer.concat(Array.from({ length: 65 }, (_, i) => encodeRequest({ type: Fxp.OPENDIR, id: i + 1, path: '.' })));
    const replies = await w.raw(opens);
    expect(replies.filter((r) => r.type === Fxp.HANDLE).length).toBe(64);
    expect(replies[64]).toMatchObject({ type: Fxp.STATUS, id: 65, message: 'Too many open handles (at most 64)' });
  });

  test('malformed input ends the SFTP session, never throws: truncated, oversized, no INIT first', async () => {
    let w = wired();
    await w.raw(packet(Fxp.OPEN, (x) => x.uint32(1).uint32(500).raw(new Uint8Array(10))));
    expect(w.closed()).toBe(true);

    w = wired();
    expect(() => w.server.receive(encodeInit())).not.toThrow();
    expect(() => w.server.receive(Uint8Array.of(0x7f, 0, 0, 0))).not.toThrow();
    expect(w.closed()).toBe(true);

    w = wired();
    w.server.receive(encodeRequest({ type: Fxp.REALPATH, id: 1, path: '.' }));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(w.closed()).toBe(true);
    expect(w.toClient).toEqual([]);

    for (let i = 0; i < 200; i++) {
      w = wired();
      w.server.receive(encodeInit());
      expect(() => w.server.receive(random(1 + ((Math.random() * 40) | 0)))).not.toThrow();
    }
  });

  test('a client that sends requests without reading the replies is cut off at 16 MB', async () => {
    const fs = new MemoryFs({ home: { u: {} } }, ['/home/u']);
    let closed = false;
    const server = new SftpServer(sftpView(fs, '/home/u'), {
      write: () => undefined,
      drained: () => new Promise(() => undefined), // the client's window never opens
      close: () => void (closed = true),
    });
    server.receive(encodeInit());
    const write = encodeRequest({ type: Fxp.WRITE, id: 1, handle: Uint8Array.of(0, 0, 0, 1), offset: 0, data: new Uint8Array(200_000) });
    for (let i = 0; i < 100 && !closed; i++) server.receive(write);
    expect(closed).toBe(true);
  });
});
