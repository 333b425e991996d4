// An upload that replaces a file writes a hidden file beside it and renames it over the target only
// once complete, so a cancel or a failure leaves the old file whole. Against the SFTP server part
// over the demo machine's in-memory files (the same code the demo runs), wired directly, no SSH.

import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { SftpClient, uploadTempName } from '../../../src/ssh/core/sftp/client';
import { SftpServer, FsFailure, type SftpFileSystem } from '../../../src/ssh/core/sftp/server';
import { Fxp, PacketFramer, decodeRequest } from '../../../src/ssh/core/sftp/protocol';
import { MemoryFs } from '../../../src/demo/shell/fs';
import { sftpView } from '../../../src/demo/shell/sftp';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const random = (n: number) => new Uint8Array(n).map(() => (Math.random() * 256) | 0);
const HIDDEN = /^\.report\.bin\.postern-[0-9a-f]{8}\.part$/;

async function* pieces(bytes: Uint8Array, size = 32 * 1024) {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/** A client and the server part over one in-memory folder /home/u, with every request's type and path recorded. */
async function setup(change: (view: SftpFileSystem) => SftpFileSystem = (v) => v, writable = ['/home/u']) {
  const fs = new MemoryFs({ home: { u: { 'report.bin': '' } } }, writable);
  const requests: Array<{ type: number; path?: string; name?: string }> = [];
  const framer = new PacketFramer();
  const server = new SftpServer(change(sftpView(fs, '/home/u')), {
    write: (bytes) => queueMicrotask(() => client.receive(bytes)),
    drained: () => Promise.resolve(),
    close: () => undefined,
  });
  const client: SftpClient = new SftpClient({
    write: (bytes) => {
      for (const body of framer.push(bytes)) {
        if (body[0] !== Fxp.INIT) {
          const q = decodeRequest(body);
          requests.push({ type: q.type, path: 'path' in q ? q.path : 'to' in q ? q.to : undefined, name: 'name' in q ? q.name : undefined });
        }
      }
      server.receive(bytes);
    },
    close: () => server.end(),
  });
  await client.init();
  const old = random(300_000);
  fs.writeAt('/home/u/report.bin', 0, old);
  fs.setAttributes('/home/u/report.bin', { mode: 0o600 });
  const names = () => fs.list('/home/u').map(([name]) => name);
  return { fs, client, requests, old, names };
}

describe('an upload over an existing file', () => {
  test('completes: the new bytes replace the old through one posix-rename, the mode stays, no hidden file is left', async () => {
    const { fs, client, requests, names } = await setup();
    const fresh = random(1_000_000);
    let sawHidden = false;
    const done = client.upload('/home/u/report.bin', pieces(fresh), {
      mode: 0o644,
      onProgress: () => (sawHidden ||= names().some((n) => HIDDEN.test(n))),
    }).done;
    expect(await done).toBe(1_000_000);
    expect(sawHidden).toBe(true);
    expect(sha256(fs.bytes('/home/u/report.bin'))).toBe(sha256(fresh));
    expect(fs.get('/home/u/report.bin').mode).toBe(0o600);
    expect(names()).toEqual(['report.bin']);
    // Every WRITE went to the hidden file, then one rename put it in place.
    const open = requests.find((q) => q.type === Fxp.OPEN && q.path !== '/home/u/report.bin')!;
    expect(open.path).toMatch(/^\/home\/u\/\.report\.bin\.postern-[0-9a-f]{8}\.part$/);
    expect(requests.filter((q) => q.type === Fxp.EXTENDED).map((q) => q.name)).toEqual(['posix-rename@openssh.com']);
  });

  test('cancelled halfway: the old file keeps every byte and the hidden file is removed', async () => {
    const { fs, client, old, names } = await setup();
    let transfer: ReturnType<SftpClient['upload']> | undefined = undefined;
    transfer = client.upload('/home/u/report.bin', pieces(random(2_000_000)), {
      onProgress: (n) => {
        if (n >= 500_000) transfer!.cancel();
      },
    });
    await expect(transfer.done).rejects.toMatchObject({ kind: 'cancelled' });
    expect(sha256(fs.bytes('/home/u/report.bin'))).toBe(sha256(old));
    expect(names()).toEqual(['report.bin']);
  });

  test('a write the server refuses (disk full): the old file is whole, the hidden file removed, the sentence says why', async () => {
    const { fs, client, old, names } = await setup((view) => ({
      ...view,
      write: (path, offset, data) => {
        if (offset >= 200_000) throw new FsFailure('ENOSPC', 'No space left on device');
        view.write(path, offset, data);
      },
    }));
    await expect(client.upload('/home/u/report.bin', pieces(random(1_000_000))).done).rejects.toMatchObject({
      kind: 'failure',
      message: expect.stringContaining('Could not write “/home/u/report.bin”: the server reported a failure without saying why; the disk may be full'),
    });
    expect(sha256(fs.bytes('/home/u/report.bin'))).toBe(sha256(old));
    expect(names()).toEqual(['report.bin']);
  });

  test('without posix-rename: the old file is removed, then the hidden one renamed (plain RENAME refuses a target)', async () => {
    const { fs, client, requests, names } = await setup();
    client.extensions.delete('posix-rename@openssh.com');
    const fresh = random(100_000);
    await client.upload('/home/u/report.bin', pieces(fresh)).done;
    expect(sha256(fs.bytes('/home/u/report.bin'))).toBe(sha256(fresh));
    expect(names()).toEqual(['report.bin']);
    const tail = requests.slice(-2);
    expect(tail.map((q) => q.type)).toEqual([Fxp.REMOVE, Fxp.RENAME]);
    expect(tail[0].path).toBe('/home/u/report.bin');
  });

  test('without posix-rename, a RENAME that fails after the old file was removed keeps the new bytes and says where', async () => {
    const { fs, client, names } = await setup((view) => ({
      ...view,
      rename: () => {
        throw new FsFailure('EACCES', 'Permission denied');
      },
    }));
    client.extensions.delete('posix-rename@openssh.com');
    const fresh = random(50_000);
    const error = await client.upload('/home/u/report.bin', pieces(fresh)).done.then(() => new Error('the upload succeeded'), (e: unknown) => e as Error);
    const [hidden] = names();
    expect(hidden).toMatch(HIDDEN);
    expect(error.message).toBe(`Could not write to “/home/u/report.bin”: permission denied. The old file was already removed; the uploaded file is kept as “/home/u/${hidden}”.`);
    expect(sha256(fs.bytes(`/home/u/${hidden}`))).toBe(sha256(fresh));
  });

  test('exclusive: refused before a byte is sent, the old file untouched', async () => {
    const { fs, client, old, requests } = await setup();
    await expect(client.upload('/home/u/report.bin', pieces(random(1000)), { exclusive: true }).done).rejects.toMatchObject({ kind: 'file-exists' });
    expect(requests.some((q) => q.type === Fxp.OPEN || q.type === Fxp.WRITE)).toBe(false);
    expect(sha256(fs.bytes('/home/u/report.bin'))).toBe(sha256(old));
  });

  test('a folder of that name is refused; a new file appears under its own name only when complete', async () => {
    const { fs, client, names } = await setup();
    fs.mkdir('/home/u/dir', 0o755);
    await expect(client.upload('/home/u/dir', pieces(random(10))).done).rejects.toMatchObject({ message: 'Could not write to “/home/u/dir”: it is a folder.' });
    let seenEarly = false;
    await client.upload('/home/u/new.bin', pieces(random(200_000)), { onProgress: () => (seenEarly ||= names().includes('new.bin')) }).done;
    expect(seenEarly).toBe(false);
    expect(fs.get('/home/u/new.bin').mode).toBe(0o644);
    expect(names().sort()).toEqual(['dir', 'new.bin', 'report.bin']);
  });
});

test('a file that may be written in a folder that may not: refused with why, the file untouched', async () => {
  const { fs, client, old } = await setup(undefined, ['/home/u/report.bin']);
  await expect(client.upload('/home/u/report.bin', pieces(random(1000))).done).rejects.toMatchObject({
    kind: 'permission-denied',
    message: 'Could not write to “/home/u/report.bin”: its folder does not let you create files, which replacing it safely needs (the upload is written beside it and renamed over it only once complete).',
  });
  expect(sha256(fs.bytes('/home/u/report.bin'))).toBe(sha256(old));
});

describe('the hidden upload name', () => {
  test('same folder, a leading dot, recognisable, different each time', () => {
    const a = uploadTempName('/srv/data/report.pdf');
    expect(a).toMatch(/^\/srv\/data\/\.report\.pdf\.postern-[0-9a-f]{8}\.part$/);
    expect(uploadTempName('/srv/data/report.pdf')).not.toBe(a);
    expect(uploadTempName('/x')).toMatch(/^\/\.x\.postern-[0-9a-f]{8}\.part$/);
  });

  test('a long UTF-8 name is cut on a character so the hidden name stays within 255 bytes', () => {
    const long = 'é'.repeat(127); // 254 bytes
    const hidden = uploadTempName(`/d/${long}`).slice(3);
    expect(new TextEncoder().encode(hidden).length).toBeLessThanOrEqual(255);
    expect(hidden).toMatch(/^\.é+\.postern-[0-9a-f]{8}\.part$/);
  });
});
