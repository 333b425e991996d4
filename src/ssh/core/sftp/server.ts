// The server part of SFTP version 3, sans-IO, over any file system that implements SftpFileSystem
// (the demo machine's in-memory one). Bytes from the client go in through receive(); replies go out
// through `write`. Requests are answered in order. What a client can make it hold is bounded: the
// packet size, the open handles, and the requests waiting while replies cannot leave; a client that
// sends malformed packets or exceeds a bound loses this SFTP session (the channel), nothing more.

import { SftpError } from './errors';
import {
  Fxp,
  MAX_PACKET,
  Open,
  PacketFramer,
  SFTP_VERSION,
  Status,
  decodeInit,
  decodeRequest,
  encodeReply,
  encodeVersion,
  type Reply,
  type Request,
  type SftpAttrs,
  type SftpName,
} from './protocol';
import { SshReader, SshWriter } from '../wire/wire';

/** The errno-like codes a file system reports; each maps to the status a v3 client understands. */
export type FsCode = 'ENOENT' | 'ENOTDIR' | 'EACCES' | 'EEXIST' | 'EISDIR' | 'ENOTEMPTY' | 'ENOSPC' | 'EINVAL';

export class FsFailure extends Error {
  constructor(
    readonly code: FsCode,
    message: string,
  ) {
    super(message);
    this.name = 'FsFailure';
  }
}

/** What the SFTP server part needs of a file system; paths are absolute and normalised. Errors: FsFailure. */
export interface SftpFileSystem {
  /** The folder a relative path starts from (the user's home). */
  readonly home: string;
  stat(path: string): SftpAttrs;
  /** Entries of a folder, "." and ".." left out. */
  list(path: string): Array<{ name: string; attrs: SftpAttrs }>;
  read(path: string, offset: number, length: number): Uint8Array;
  /** Makes the file if it is missing (refusing an existing one when `exclusive`), empties it when `truncate`. */
  open(path: string, options: { create: boolean; truncate: boolean; exclusive: boolean; mode: number; write: boolean }): void;
  write(path: string, offset: number, data: Uint8Array): void;
  setstat(path: string, attrs: SftpAttrs): void;
  mkdir(path: string, mode: number): void;
  rmdir(path: string): void;
  remove(path: string): void;
  /** Renames; refuses an existing target unless `overwrite`. */
  rename(from: string, to: string, overwrite: boolean): void;
}

export interface SftpServerOutput {
  write(bytes: Uint8Array): void;
  /** Resolves once replies can flow again (the channel's window). */
  drained(): Promise<void>;
  /** Ends the SFTP session (closes the channel). */
  close(): void;
}

export const MAX_HANDLES = 64;
/** Largest READ answered in full; longer ones get this much (a short read, which clients handle). */
export const MAX_READ = MAX_PACKET - 1024;
/** Requests held while replies wait for the client's window; more than this ends the session. */
const MAX_QUEUED_BYTES = 16 * 1024 * 1024;

type Handle = { kind: 'file'; path: string; writable: boolean } | { kind: 'dir'; path: string; entries: SftpName[] | undefined };

const STATUS_FOR: Record<FsCode, number> = {
  ENOENT: Status.NO_SUCH_FILE,
  ENOTDIR: Status.NO_SUCH_FILE,
  EACCES: Status.PERMISSION_DENIED,
  EEXIST: Status.FAILURE,
  EISDIR: Status.FAILURE,
  ENOTEMPTY: Status.FAILURE,
  ENOSPC: Status.FAILURE,
  EINVAL: Status.BAD_MESSAGE,
};

export class SftpServer {
  private readonly framer = new PacketFramer(MAX_PACKET + 1024);
  private readonly handles = new Map<number, Handle>();
  private nextHandle = 1;
  private started = false;
  private ended = false;
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private running = false;

  constructor(
    private readonly fs: SftpFileSystem,
    private readonly output: SftpServerOutput,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  /** Bytes from the client. */
  receive(bytes: Uint8Array): void {
    if (this.ended) return;
    try {
      for (const body of this.framer.push(bytes)) {
        this.queue.push(body);
        this.queuedBytes += body.length;
      }
    } catch (e) {
      return this.end(`the client sent a malformed packet (${e instanceof Error ? e.message : String(e)})`);
    }
    if (this.queuedBytes > MAX_QUEUED_BYTES) return this.end('the client sent more requests than it reads replies');
    void this.run();
  }

  /** The channel is gone: forget every handle. */
  end(reason?: string): void {
    if (this.ended) return;
    this.ended = true;
    if (reason) this.log(`SFTP session ended: ${reason}`);
    this.handles.clear();
    this.queue = [];
    this.output.close();
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length && !this.ended) {
        const body = this.queue.shift()!;
        this.queuedBytes -= body.length;
        this.handle(body);
        await this.output.drained();
      }
    } finally {
      this.running = false;
    }
  }

  private handle(body: Uint8Array): void {
    if (!this.started) {
      let version: number;
      try {
        version = decodeInit(body);
      } catch {
        return this.end('the client did not start with INIT');
      }
      this.started = true;
      // We speak 3 whatever a client offers above it (draft-02 §4); below 3 is not SFTP we know.
      if (version < SFTP_VERSION) return this.end(`the client asked for SFTP version ${version}`);
      this.output.write(encodeVersion(SFTP_VERSION, [
        ['posix-rename@openssh.com', '1'],
        ['limits@openssh.com', '1'],
      ]));
      return;
    }
    let q: Request;
    try {
      q = decodeRequest(body);
    } catch (e) {
      if (e instanceof SftpError && e.kind === 'unsupported' && e.requestId !== undefined) {
        return this.reply({ type: Fxp.STATUS, id: e.requestId, code: Status.OP_UNSUPPORTED, message: 'Operation unsupported' });
      }
      return this.end(`the client sent a malformed request (${e instanceof Error ? e.message : String(e)})`);
    }
    let reply: Reply;
    try {
      reply = this.answer(q);
    } catch (e) {
      if (e instanceof FsFailure) {
        // OpenSSH's words for the two codes that say it all; for FAILURE the reason, which v3 has no code for.
        const code = STATUS_FOR[e.code];
        const message = code === Status.NO_SUCH_FILE ? 'No such file' : code === Status.PERMISSION_DENIED ? 'Permission denied' : e.message;
        reply = { type: Fxp.STATUS, id: q.id, code, message };
      }
      else if (e instanceof SftpError && e.kind === 'bad-message') return this.end(e.message);
      else reply = { type: Fxp.STATUS, id: q.id, code: Status.FAILURE, message: e instanceof Error ? e.message : 'Failure' };
    }
    this.reply(reply);
  }

  private reply(reply: Reply): void {
    if (!this.ended) this.output.write(encodeReply(reply));
  }

  private resolve(path: string): string {
    const start = path.startsWith('/') ? path : `${this.fs.home}/${path}`;
    const out: string[] = [];
    for (const part of start.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') out.pop();
      else out.push(part);
    }
    return '/' + out.join('/');
  }

  private handleOf(raw: Uint8Array): [number, Handle] {
    const id = raw.length === 4 ? new SshReader(raw).uint32() : 0;
    const h = this.handles.get(id);
    if (!h) throw new FsFailure('EINVAL', 'No such handle');
    return [id, h];
  }

  private newHandle(h: Handle): Uint8Array {
    if (this.handles.size >= MAX_HANDLES) throw new FsFailure('EINVAL', `Too many open handles (at most ${MAX_HANDLES})`);
    const id = this.nextHandle;
    this.nextHandle = (this.nextHandle + 1) >>> 0 || 1;
    this.handles.set(id, h);
    return new SshWriter().uint32(id).finish();
  }

  private answer(q: Request): Reply {
    const ok: Reply = { type: Fxp.STATUS, id: q.id, code: Status.OK, message: 'Success' };
    const fs = this.fs;
    switch (q.type) {
      case Fxp.REALPATH: {
        const path = this.resolve(q.path);
        return { type: Fxp.NAME, id: q.id, names: [{ filename: path, longname: path, attrs: {} }] };
      }
      case Fxp.STAT:
      case Fxp.LSTAT: // the in-memory file system has no links
        return { type: Fxp.ATTRS, id: q.id, attrs: fs.stat(this.resolve(q.path)) };
      case Fxp.FSTAT:
        return { type: Fxp.ATTRS, id: q.id, attrs: fs.stat(this.handleOf(q.handle)[1].path) };
      case Fxp.OPENDIR: {
        const path = this.resolve(q.path);
        fs.list(path); // refuses a missing folder or a file now, not at the first READDIR
        return { type: Fxp.HANDLE, id: q.id, handle: this.newHandle({ kind: 'dir', path, entries: undefined }) };
      }
      case Fxp.READDIR: {
        const [, h] = this.handleOf(q.handle);
        if (h.kind !== 'dir') throw new FsFailure('EINVAL', 'Not a folder handle');
        h.entries ??= fs.list(h.path).map(({ name, attrs }) => ({ filename: name, longname: longname(name, attrs), attrs }));
        if (!h.entries.length) return { type: Fxp.STATUS, id: q.id, code: Status.EOF, message: 'End of file' };
        return { type: Fxp.NAME, id: q.id, names: h.entries.splice(0, 100) };
      }
      case Fxp.OPEN: {
        const path = this.resolve(q.path);
        const write = (q.flags & (Open.WRITE | Open.APPEND)) !== 0;
        fs.open(path, {
          create: (q.flags & Open.CREAT) !== 0,
          truncate: (q.flags & Open.TRUNC) !== 0,
          exclusive: (q.flags & Open.EXCL) !== 0,
          mode: (q.attrs.permissions ?? 0o644) & 0o777,
          write,
        });
        return { type: Fxp.HANDLE, id: q.id, handle: this.newHandle({ kind: 'file', path, writable: write }) };
      }
      case Fxp.CLOSE:
        this.handles.delete(this.handleOf(q.handle)[0]);
        return ok;
      case Fxp.READ: {
        const [, h] = this.handleOf(q.handle);
        if (h.kind !== 'file') throw new FsFailure('EINVAL', 'Not a file handle');
        const data = fs.read(h.path, q.offset, Math.min(q.length, MAX_READ));
        if (data.length === 0) return { type: Fxp.STATUS, id: q.id, code: Status.EOF, message: 'End of file' };
        return { type: Fxp.DATA, id: q.id, data };
      }
      case Fxp.WRITE: {
        const [, h] = this.handleOf(q.handle);
        if (h.kind !== 'file' || !h.writable) throw new FsFailure('EACCES', 'The file was not opened for writing');
        fs.write(h.path, q.offset, q.data);
        return ok;
      }
      case Fxp.SETSTAT:
        fs.setstat(this.resolve(q.path), q.attrs);
        return ok;
      case Fxp.FSETSTAT:
        fs.setstat(this.handleOf(q.handle)[1].path, q.attrs);
        return ok;
      case Fxp.MKDIR:
        fs.mkdir(this.resolve(q.path), (q.attrs.permissions ?? 0o755) & 0o777);
        return ok;
      case Fxp.RMDIR:
        fs.rmdir(this.resolve(q.path));
        return ok;
      case Fxp.REMOVE:
        fs.remove(this.resolve(q.path));
        return ok;
      case Fxp.RENAME:
        fs.rename(this.resolve(q.from), this.resolve(q.to), false);
        return ok;
      case Fxp.EXTENDED:
        return this.extended(q.id, q.name, q.data);
      default:
        return { type: Fxp.STATUS, id: q.id, code: Status.OP_UNSUPPORTED, message: 'Operation unsupported' };
    }
  }

  private extended(id: number, name: string, data: Uint8Array): Reply {
    const r = new SshReader(data);
    switch (name) {
      case 'posix-rename@openssh.com': {
        const from = r.string('the old path');
        const to = r.string('the new path');
        this.fs.rename(this.resolve(from), this.resolve(to), true);
        return { type: Fxp.STATUS, id, code: Status.OK, message: 'Success' };
      }
      case 'limits@openssh.com': {
        // uint64 max packet, max read, max write, max open handles (OpenSSH PROTOCOL §4.8)
        const w = new SshWriter();
        for (const v of [MAX_PACKET, MAX_READ, MAX_READ, MAX_HANDLES]) w.uint32(0).uint32(v);
        return { type: Fxp.EXTENDED_REPLY, id, data: w.finish() };
      }
      default:
        return { type: Fxp.STATUS, id, code: Status.OP_UNSUPPORTED, message: `${name} is not supported` };
    }
  }
}

/** An `ls -l` style line, as OpenSSH's server sends for clients that show it. */
function longname(name: string, a: SftpAttrs): string {
  const mode = a.permissions ?? 0;
  const type = (mode & 0o170000) === 0o040000 ? 'd' : '-';
  let bits = '';
  for (let i = 8; i >= 0; i--) bits += mode & (1 << i) ? 'rwx'[(8 - i) % 3] : '-';
  const date = new Date((a.mtime ?? 0) * 1000).toISOString().slice(0, 10);
  return `${type}${bits}    1 ${String(a.uid ?? 0).padEnd(8)} ${String(a.gid ?? 0).padEnd(8)} ${String(a.size ?? 0).padStart(8)} ${date} ${name}`;
}
