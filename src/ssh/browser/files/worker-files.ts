// The Files panel's side of the SSH worker: SFTP on a second channel of the session's connection, with
// the page↔worker flow control of downloads and uploads (protocol.ts). Runs in the worker only.
import { isDirectory, openSftp, S_IFLNK, S_IFMT, SftpError, type SftpClient, type SftpName, type Transfer } from '../../core/sftp/index';
import type { SshClient } from '../../core/index';
import { FILE_WINDOW, MAX_PATH_LENGTH, type FileEntry, type FilesReply, type FilesRequest } from './protocol';

/** A transfer in flight: the SFTP transfer once started, and the page's side of its flow control. */
interface FileTransfer {
  transfer?: Transfer;
  cancelled: boolean;
  /** Download: bytes posted to the page and bytes it has written. */
  sent: number;
  acked: number;
  wake?: () => void;
  /** Upload: the chunks the page has sent and the worker has not handed to SFTP yet. */
  queue?: ChunkQueue;
}

/** A directory listing's entry as the panel shows it ("." and ".." left out). */
export function toEntry(n: SftpName): FileEntry {
  const type = (n.attrs.permissions ?? 0) & S_IFMT;
  return { name: n.filename, size: n.attrs.size, mtime: n.attrs.mtime, folder: isDirectory(n.attrs), link: type === S_IFLNK };
}

/** Links of one listing looked at (stat and readlink, pipelined); beyond these they are only marked as links. */
export const MAX_LINKS_RESOLVED = 500;

/**
 * The listing's links, each followed (stat: a folder, a file, or nothing — broken) and read (readlink),
 * all requests in flight at once. A link whose target cannot be looked at stays a link to a file.
 */
export async function resolveLinks(sftp: Pick<SftpClient, 'stat' | 'readlink'>, dir: string, entries: FileEntry[]): Promise<FileEntry[]> {
  let budget = MAX_LINKS_RESOLVED;
  return Promise.all(
    entries.map(async (e) => {
      if (!e.link || budget-- <= 0) return e;
      const path = dir.endsWith('/') ? `${dir}${e.name}` : `${dir}/${e.name}`;
      const [followed, target] = await Promise.all([
        sftp.stat(path).catch((err: unknown) => (err instanceof SftpError && err.kind === 'no-such-file' ? ('broken' as const) : undefined)),
        sftp.readlink(path).catch(() => undefined),
      ]);
      const linkTarget = target?.slice(0, MAX_PATH_LENGTH);
      if (followed === 'broken') return { ...e, broken: true, linkTarget };
      if (!followed) return { ...e, linkTarget };
      return { ...e, linkTarget, folder: isDirectory(followed), size: followed.size, mtime: followed.mtime ?? e.mtime };
    }),
  );
}

/**
 * The Files panel's side of the worker: SFTP on a second channel of the session's connection, opened on the
 * first request. An SFTP failure ends at most this channel (a later request opens a new one), never the shell.
 */
export class WorkerFiles {
  private sftp: Promise<SftpClient> | undefined;
  private readonly transfers = new Map<number, FileTransfer>();

  constructor(
    private readonly connection: () => SshClient | undefined,
    private readonly post: (message: FilesReply, transfer?: Transferable[]) => void,
  ) {}

  handle(m: FilesRequest): void {
    const t = this.transfers.get(m.id);
    switch (m.type) {
      case 'file':
        return void this.run(m.id, () => this.operate(m));
      case 'download':
        if (!t) void this.download(m.id, m.path);
        return;
      case 'download-ack':
        if (t) {
          t.acked += m.bytes;
          this.wake(t);
        }
        return;
      case 'upload':
        if (!t) void this.upload(m.id, m.path, m.size);
        return;
      case 'upload-chunk':
        if (t?.queue && !t.queue.push(new Uint8Array(m.data))) this.cancel(t); // more than the window: the page broke the flow
        return;
      case 'upload-end':
        return t?.queue?.end();
      case 'cancel':
        if (t) this.cancel(t);
        return;
    }
  }

  private cancel(t: FileTransfer): void {
    t.cancelled = true;
    t.transfer?.cancel();
    t.queue?.end();
    this.wake(t);
  }

  private wake(t: FileTransfer): void {
    const wake = t.wake;
    t.wake = undefined;
    wake?.();
  }

  /** The SFTP session, opened on first use (and again after it ended). */
  private async client(): Promise<SftpClient> {
    for (let tries = 0; ; tries++) {
      if (!this.sftp) {
        const ssh = this.connection();
        if (!ssh) throw new SftpError('connection-lost', 'The session is not connected, so its files cannot be reached.');
        this.sftp = openSftp(ssh).catch((e: unknown) => {
          this.sftp = undefined;
          const why = e instanceof Error ? e.message : String(e);
          throw new SftpError('unsupported', `The server did not start file transfer (SFTP): ${why}`);
        });
      }
      const sftp = await this.sftp;
      if (sftp.isOpen || tries > 0) return sftp;
      this.sftp = undefined; // the channel ended (a malformed reply, or the server closed it): open a new one
    }
  }

  private async operate(m: Extract<FilesRequest, { type: 'file' }>): Promise<Omit<Extract<FilesReply, { type: 'file-result'; ok: true }>, 'type' | 'id' | 'ok'>> {
    const sftp = await this.client();
    switch (m.op) {
      case 'home':
        return { path: await sftp.realpath('.') };
      case 'list': {
        const names = await sftp.list(m.path);
        return { entries: await resolveLinks(sftp, m.path, names.filter((n) => n.filename !== '.' && n.filename !== '..').map(toEntry)) };
      }
      case 'mkdir':
        await sftp.mkdir(m.path);
        return {};
      case 'rename':
        await sftp.rename(m.from, m.to);
        return {};
      case 'remove':
        await (m.folder ? sftp.rmdir(m.path) : sftp.remove(m.path));
        return {};
    }
  }

  private async run(id: number, work: () => Promise<Omit<Extract<FilesReply, { type: 'file-result'; ok: true }>, 'type' | 'id' | 'ok'>>): Promise<void> {
    try {
      this.post({ type: 'file-result', id, ok: true, ...(await work()) });
    } catch (e) {
      const kind = e instanceof SftpError ? e.kind : 'failure';
      this.post({ type: 'file-result', id, ok: false, kind, error: e instanceof Error ? e.message : String(e) });
    } finally {
      this.transfers.delete(id);
    }
  }

  /** Streams the file to the page, at most FILE_WINDOW bytes ahead of what the page has written. */
  private download(id: number, path: string): Promise<void> {
    const t: FileTransfer = { cancelled: false, sent: 0, acked: 0 };
    this.transfers.set(id, t);
    return this.run(id, async () => {
      const sftp = await this.client();
      if (t.cancelled) throw new SftpError('cancelled', `The transfer of “${path}” was cancelled.`);
      t.transfer = sftp.download(path, async (chunk) => {
        if (t.cancelled) return;
        const copy = chunk.slice(); // a buffer of its own, transferred to the page
        this.post({ type: 'download-chunk', id, data: copy.buffer }, [copy.buffer]);
        t.sent += copy.length;
        while (t.sent - t.acked > FILE_WINDOW && !t.cancelled) await new Promise<void>((resolve) => (t.wake = resolve));
      });
      return { bytes: await t.transfer.done };
    });
  }

  /** Writes what the page sends in upload-chunks; each chunk taken is acknowledged so the page sends more. */
  private upload(id: number, path: string, size: number): Promise<void> {
    const queue = new ChunkQueue((bytes) => this.post({ type: 'upload-ack', id, bytes }));
    const t: FileTransfer = { cancelled: false, sent: 0, acked: 0, queue };
    this.transfers.set(id, t);
    return this.run(id, async () => {
      const sftp = await this.client();
      if (t.cancelled) throw new SftpError('cancelled', `The transfer of “${path}” was cancelled.`);
      t.transfer = sftp.upload(path, queue, { size, onProgress: (bytes) => this.post({ type: 'file-progress', id, bytes }) });
      return { bytes: await t.transfer.done };
    });
  }
}

/** An upload's source: the chunks the page sends, in order, each acknowledged as SFTP takes it. */
export class ChunkQueue implements AsyncIterable<Uint8Array> {
  private readonly chunks: Uint8Array[] = [];
  private queued = 0;
  private ended = false;
  private wake: (() => void) | undefined;

  constructor(private readonly taken: (bytes: number) => void) {}

  /** False when the page sent more than the window allows (it must wait for acknowledgements). */
  push(chunk: Uint8Array): boolean {
    if (this.ended) return true;
    if (this.queued + chunk.length > FILE_WINDOW) return false;
    this.chunks.push(chunk);
    this.queued += chunk.length;
    this.signal();
    return true;
  }

  end(): void {
    this.ended = true;
    this.signal();
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk) {
        this.queued -= chunk.length;
        this.taken(chunk.length);
        yield chunk;
      } else if (this.ended) {
        return;
      } else {
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    }
  }
}
