// The RDP page's files (src/rdp/files.svelte.ts) with IronRDP's RdpFileTransferProvider replaced by a
// fake that emits its events: the machine's offer listed, progress per file, errors as sentences, the
// link's rule applied before the provider is asked, and the page's clipboard held while files wait.
import { describe, expect, it } from 'vitest';
import type { FileInfo, FileTransferError, TransferProgress } from '../../../wasm/ironrdp';
import { DesktopFiles, MAX_LISTED, RULE_SENTENCES, errorSentence, ruleSentence, type FileProvider } from '../../../src/rdp/files.svelte';

type Handler = (...args: never[]) => void;

class FakeProvider implements FileProvider {
  handlers = new Map<string, Handler[]>();
  uploads: File[][] = [];
  downloads: { file: FileInfo; index: number; resolve(b: Blob): void; reject(e: Error): void }[] = [];
  busy = false;
  finishUpload!: () => void;
  private nextId = 1;

  on(event: string, handler: Handler): void {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
  }
  emit(event: string, ...args: unknown[]): void {
    for (const h of this.handlers.get(event) ?? []) (h as (...a: unknown[]) => void)(...args);
  }
  uploadFiles(files: File[]) {
    if (this.busy) throw new Error('Upload already in progress');
    this.busy = true;
    this.uploads.push(files);
    const transferIds = new Map(files.map((_, i) => [i, this.nextId++] as [number, number]));
    const completion = new Promise<void>((r) => (this.finishUpload = () => {
      this.busy = false;
      r();
    }));
    return { transferIds, completion };
  }
  downloadFile(file: FileInfo, index: number) {
    const transferId = this.nextId++;
    const completion = new Promise<Blob>((resolve, reject) => this.downloads.push({ file, index, resolve, reject }));
    return { transferId, completion };
  }
}

const both = { to: true, from: true };
const progress = (transferId: number, bytes: number, total: number): TransferProgress =>
  ({ transferId, fileIndex: 0, fileName: 'x', bytesTransferred: bytes, totalBytes: total, percentage: (bytes / total) * 100 });
const flush = () => new Promise((r) => setTimeout(r, 0));

function setup(ways = both) {
  const saved: { name: string; size: number }[] = [];
  const held: boolean[] = [];
  const files = new DesktopFiles(ways, { save: (b, name) => saved.push({ name, size: b.size }), onOffered: (w) => held.push(w) });
  const provider = new FakeProvider();
  files.attach(provider);
  return { files, provider, saved, held };
}

describe('DesktopFiles', () => {
  it("lists the machine's files (not its folders) with their index in the machine's list", () => {
    const { files, provider } = setup();
    provider.emit('files-available', [
      { name: 'docs', size: 0, lastModified: 0, isDirectory: true },
      { name: 'a.txt', size: 12, lastModified: 0, path: 'docs' },
      { name: 'b.bin', size: 2048, lastModified: 0 },
    ]);
    expect(files.offered).toEqual([{ index: 1, name: 'a.txt', size: 12 }, { index: 2, name: 'b.bin', size: 2048 }]);
    expect(files.offeredCount).toBe(2);
  });

  it('lists at most MAX_LISTED files and counts the rest', () => {
    const { files, provider } = setup();
    provider.emit('files-available', Array.from({ length: MAX_LISTED + 5 }, (_, i) => ({ name: `f${i}`, size: 1, lastModified: 0 })));
    expect(files.offered).toHaveLength(MAX_LISTED);
    expect(files.offeredCount).toBe(MAX_LISTED + 5);
  });

  it('downloads one file with progress and saves it under its name', async () => {
    const { files, provider, saved } = setup();
    provider.emit('files-available', [{ name: 'a.txt', size: 10, lastModified: 0 }]);
    const done = files.download(files.offered[0]);
    expect(provider.downloads[0].index).toBe(0);
    const t = files.transfers[0];
    expect(t).toMatchObject({ way: 'down', name: 'a.txt', state: 'moving', bytes: 0 });
    provider.emit('download-progress', progress(t.transferId, 4, 10));
    expect(files.transfers[0].bytes).toBe(4);
    provider.downloads[0].resolve(new Blob(['0123456789']));
    await done;
    expect(files.transfers[0]).toMatchObject({ state: 'done', bytes: 10 });
    expect(saved).toEqual([{ name: 'a.txt', size: 10 }]);
  });

  it("a machine that refuses the contents: the file's row says so in a sentence, nothing is saved", async () => {
    const { files, provider, saved } = setup();
    provider.emit('files-available', [{ name: 'gone.txt', size: 10, lastModified: 0 }]);
    const done = files.download(files.offered[0]);
    const id = files.transfers[0].transferId;
    provider.emit('error', { message: 'Remote failed to provide file contents', transferId: id, fileName: 'gone.txt', direction: 'download' });
    provider.downloads[0].reject(new Error('Remote failed to provide file contents'));
    await done;
    expect(files.transfers[0].state).toBe('failed');
    expect(files.transfers[0].error).toMatch(/^Could not download "gone.txt": the machine did not hand over its contents/);
    expect(saved).toEqual([]);
  });

  it('uploads: files wait on the clipboard, progress as the machine reads them, done when all read', async () => {
    const { files, provider, held } = setup();
    const a = new File(['hello'], 'a.txt');
    const b = new File(['world!'], 'b.txt');
    files.upload([a, b]);
    expect(provider.uploads).toEqual([[a, b]]);
    expect(files.transfers.map((t) => [t.name, t.state])).toEqual([['a.txt', 'offered'], ['b.txt', 'offered']]);
    expect(held).toEqual([true]);
    const [ta, tb] = files.transfers.map((t) => t.transferId);
    provider.emit('upload-progress', progress(ta, 5, 5));
    provider.emit('upload-complete', a, 0, ta);
    provider.emit('upload-progress', progress(tb, 3, 6));
    expect(files.transfers.map((t) => [t.state, t.bytes])).toEqual([['done', 5], ['moving', 3]]);
    provider.emit('upload-complete', b, 1, tb);
    provider.finishUpload();
    await flush();
    expect(held).toEqual([true, false]);
  });

  it('a second batch while the first still waits: a sentence, the first stays', () => {
    const { files, provider } = setup();
    files.upload([new File(['x'], 'first.txt')]);
    files.upload([new File(['y'], 'second.txt')]);
    expect(files.notice).toMatch(/still waiting on the machine's clipboard: paste them there first/);
    expect(files.transfers.map((t) => t.name)).toEqual(['first.txt']);
    expect(provider.uploads).toHaveLength(1);
  });

  it("applies the link's rule before asking the provider", async () => {
    const { files, provider } = setup({ to: false, from: false });
    files.upload([new File(['x'], 'x.txt')]);
    expect(files.notice).toBe(RULE_SENTENCES.upload);
    expect(provider.uploads).toEqual([]);
    provider.emit('files-available', [{ name: 'a.txt', size: 1, lastModified: 0 }]);
    expect(files.offered).toEqual([]);
    await files.download({ index: 0, name: 'a.txt', size: 1 });
    expect(files.notice).toBe(RULE_SENTENCES.download);
    expect(provider.downloads).toEqual([]);
  });

  it('a connection that ends fails what was under way and lets the clipboard go', () => {
    const { files, held } = setup();
    files.upload([new File(['x'], 'x.txt')]);
    files.detach();
    expect(files.transfers[0]).toMatchObject({ state: 'failed', error: 'The connection to the machine closed before the file was pasted there.' });
    expect(held).toEqual([true, false]);
    expect(files.connected).toBe(false);
    files.upload([new File(['y'], 'y.txt')]);
    expect(files.notice).toMatch(/not connected/);
  });
});

describe('ruleSentence', () => {
  it('names the ways that are closed, and nothing when both are open', () => {
    expect(ruleSentence({ to: true, from: true })).toBe('');
    expect(ruleSentence({ to: false, from: true })).toBe(RULE_SENTENCES.upload);
    expect(ruleSentence({ to: true, from: false })).toBe(RULE_SENTENCES.download);
    expect(ruleSentence({ to: false, from: false })).toBe(RULE_SENTENCES.off);
  });
});

describe('errorSentence', () => {
  it('turns IronRDP messages into sentences naming the file', () => {
    const e = (message: string, direction?: 'upload' | 'download'): FileTransferError => ({ message, fileName: 'r.pdf', direction });
    expect(errorSentence(e('File read timeout after 60s', 'upload'))).toBe('Could not send "r.pdf": the browser could not read the file.');
    expect(errorSentence(e('Clipboard lock expired', 'download'))).toMatch(/clipboard changed before it arrived/);
    expect(errorSentence(e('Something else.', 'upload'))).toBe('Could not send "r.pdf": Something else.');
    expect(errorSentence({ message: 'Failed to initiate file upload', direction: 'upload' })).toBe('Could not send the files: Failed to initiate file upload.');
  });
});
