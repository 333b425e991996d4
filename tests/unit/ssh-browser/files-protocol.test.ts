// The Files panel's messages to the SSH worker: only well-formed requests are acted on, and an upload's
// chunks are held to the window the page must keep to.
import { describe, expect, test } from 'vitest';
import { FILE_WINDOW, isFilesRequest, MAX_PATH_LENGTH, MAX_UPLOAD_CHUNK } from '../../../src/ssh/browser/protocol';
import { ChunkQueue, MAX_LINKS_RESOLVED, resolveLinks, toEntry } from '../../../src/ssh/browser/files/worker-files';
import { SftpError } from '../../../src/ssh/core/sftp/index';

describe('isFilesRequest', () => {
  test.each([
    { type: 'file', id: 1, op: 'home' },
    { type: 'file', id: 2, op: 'list', path: '/home/u' },
    { type: 'file', id: 3, op: 'mkdir', path: 'new folder' },
    { type: 'file', id: 4, op: 'rename', from: '/a', to: '/b ü' },
    { type: 'file', id: 5, op: 'remove', path: '/a', folder: false },
    { type: 'download', id: 6, path: '/a' },
    { type: 'download-ack', id: 6, bytes: 65536 },
    { type: 'upload', id: 7, path: '/a', size: 0 },
    { type: 'upload-chunk', id: 7, data: new ArrayBuffer(MAX_UPLOAD_CHUNK) },
    { type: 'upload-end', id: 7 },
    { type: 'cancel', id: 7 },
  ])('takes $type $op', (m) => expect(isFilesRequest(m)).toBe(true));

  test.each([
    ['nothing', undefined],
    ['a string', 'list'],
    ['a shell message', { type: 'data', data: new ArrayBuffer(1) }],
    ['no id', { type: 'file', op: 'home' }],
    ['a negative id', { type: 'file', id: -1, op: 'home' }],
    ['a fractional id', { type: 'cancel', id: 1.5 }],
    ['an id as text', { type: 'cancel', id: '1' }],
    ['an unknown operation', { type: 'file', id: 1, op: 'chmod', path: '/a' }],
    ['an empty path', { type: 'file', id: 1, op: 'list', path: '' }],
    ['a path with NUL', { type: 'file', id: 1, op: 'list', path: '/etc\0/x' }],
    ['a path too long', { type: 'download', id: 1, path: 'a'.repeat(MAX_PATH_LENGTH + 1) }],
    ['a path that is not text', { type: 'download', id: 1, path: ['/a'] }],
    ['a rename without a target', { type: 'file', id: 1, op: 'rename', from: '/a' }],
    ['a remove that does not say what it removes', { type: 'file', id: 1, op: 'remove', path: '/a' }],
    ['a negative size', { type: 'upload', id: 1, path: '/a', size: -1 }],
    ['an infinite size', { type: 'upload', id: 1, path: '/a', size: Infinity }],
    ['a chunk that is a view, not a buffer', { type: 'upload-chunk', id: 1, data: new Uint8Array(4) }],
    ['a chunk too large', { type: 'upload-chunk', id: 1, data: new ArrayBuffer(MAX_UPLOAD_CHUNK + 1) }],
    ['an ack of NaN bytes', { type: 'download-ack', id: 1, bytes: NaN }],
  ])('refuses %s', (_, m) => expect(isFilesRequest(m)).toBe(false));
});

describe('ChunkQueue', () => {
  test('hands the chunks out in order, acknowledging each as it is taken, and ends when told', async () => {
    const taken: number[] = [];
    const q = new ChunkQueue((n) => taken.push(n));
    q.push(new Uint8Array([1, 2]));
    const out: number[] = [];
    const reading = (async () => {
      for await (const c of q) out.push(...c);
    })();
    await new Promise((r) => setTimeout(r, 0));
    expect(taken).toEqual([2]);
    q.push(new Uint8Array([3]));
    q.end();
    await reading;
    expect(out).toEqual([1, 2, 3]);
    expect(taken).toEqual([2, 1]);
  });

  test('refuses a chunk beyond the window until chunks are taken', async () => {
    const q = new ChunkQueue(() => undefined);
    expect(q.push(new Uint8Array(FILE_WINDOW))).toBe(true);
    expect(q.push(new Uint8Array(1))).toBe(false);
    const it = q[Symbol.asyncIterator]();
    await it.next();
    expect(q.push(new Uint8Array(1))).toBe(true);
  });
});

describe('toEntry', () => {
  test('a folder, a file and a link, with what the server said of each', () => {
    expect(toEntry({ filename: 'd', longname: '', attrs: { permissions: 0o040755, size: 4096, mtime: 1 } })).toEqual({ name: 'd', size: 4096, mtime: 1, folder: true, link: false });
    expect(toEntry({ filename: 'f', longname: '', attrs: { permissions: 0o100644, size: 3 } })).toMatchObject({ folder: false, link: false, size: 3 });
    expect(toEntry({ filename: 'l', longname: '', attrs: { permissions: 0o120777 } })).toMatchObject({ folder: false, link: true });
    expect(toEntry({ filename: 'x', longname: '', attrs: {} })).toMatchObject({ folder: false, size: undefined });
  });
});

describe('resolveLinks', () => {
  const link = (name: string) => toEntry({ filename: name, longname: '', attrs: { permissions: 0o120777, size: 9, mtime: 5 } });
  const fake = {
    stat: async (path: string) => {
      if (path === '/d/to-dir') return { permissions: 0o040755, size: 4096, mtime: 7 };
      if (path === '/d/to-file') return { permissions: 0o100644, size: 1234, mtime: 8 };
      if (path === '/d/denied') throw new SftpError('permission-denied', 'no');
      throw new SftpError('no-such-file', 'gone');
    },
    readlink: async (path: string) => (path === '/d/denied' ? Promise.reject(new SftpError('permission-denied', 'no')) : `target of ${path.slice(3)}` + (path === '/d/long' ? 'x'.repeat(10_000) : '')),
  };

  test('a link to a folder is a folder, to a file has its size, a broken one says so, one that cannot be followed stays a marked link', async () => {
    const plain = toEntry({ filename: 'plain', longname: '', attrs: { permissions: 0o100644, size: 1 } });
    const out = await resolveLinks(fake, '/d', [link('to-dir'), link('to-file'), link('broken'), link('denied'), plain]);
    expect(out[0]).toMatchObject({ name: 'to-dir', link: true, folder: true, linkTarget: 'target of to-dir', mtime: 7 });
    expect(out[1]).toMatchObject({ name: 'to-file', link: true, folder: false, size: 1234, linkTarget: 'target of to-file' });
    expect(out[2]).toMatchObject({ name: 'broken', link: true, folder: false, broken: true, linkTarget: 'target of broken' });
    expect(out[3]).toEqual({ name: 'denied', link: true, folder: false, size: 9, mtime: 5, linkTarget: undefined });
    expect(out[4]).toBe(plain);
  });

  test('a hostile target is cut to the longest path the panel takes; beyond the budget links are only marked', async () => {
    const [long] = await resolveLinks(fake, '/d/', [link('long')]);
    expect(long.linkTarget!.length).toBe(MAX_PATH_LENGTH);
    const many = Array.from({ length: MAX_LINKS_RESOLVED + 3 }, (_, i) => link(`to-file-${i}`));
    let asked = 0;
    const out = await resolveLinks({ stat: async () => (asked++, { permissions: 0o100644 }), readlink: async () => 'x' }, '/d', many);
    expect(asked).toBe(MAX_LINKS_RESOLVED);
    expect(out.at(-1)).toEqual(many.at(-1));
  });
});
