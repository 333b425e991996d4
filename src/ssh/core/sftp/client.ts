// The SFTP version 3 client, sans-IO: bytes from the subsystem channel go in through receive(),
// requests go out through the `write` it is given. Every request carries an id and waits for the
// reply with that id; downloads and uploads keep many requests outstanding (pipelining), bounded
// by a count and a chunk size, so memory stays bounded whatever the file's size.
// Anything malformed from the server ends this SFTP session only (the channel is closed).

import { SshError } from '../wire/errors';
import { SshReader, SshWriter } from '../wire/wire';
import { SftpError, lostError, statusError, writeFailure, type Doing } from './errors';
import {
  Fxp,
  Open,
  PacketFramer,
  Status,
  decodeReply,
  decodeVersion,
  encodeInit,
  encodeRequest,
  encodeWrite,
  joinParts,
  skipParts,
  type Reply,
  type Request,
  type SftpAttrs,
  type SftpName,
  isDirectory,
  S_IFLNK,
  S_IFMT,
} from './protocol';
import { randomBytes } from '../wire/bytes';

/** Where the client's packets go and how it ends the channel. */
export interface SftpOutput {
  write(bytes: Uint8Array): void;
  close(): void;
}

export interface TransferOptions {
  /**
   * Bytes per READ or WRITE. Default: the server's limit where it announces one (limits@openssh.com;
   * OpenSSH's is 255 KiB), at most 256 KiB; otherwise 32 KiB, which every server accepts.
   */
  chunkSize?: number;
  /** Requests outstanding at once (default: as many as fit in 4 MiB, at most 64). */
  maxOutstanding?: number;
  /** Called after each chunk is delivered (download) or acknowledged (upload). */
  onProgress?(bytes: number, total: number | undefined): void;
}

export interface UploadOptions extends TransferOptions {
  /** Permission bits for a new file (default 0o644; an existing file keeps its own). */
  mode?: number;
  /** Refuse to replace an existing file (CREAT|EXCL): 'file-exists' then. */
  exclusive?: boolean;
  /** The size, when the caller knows it, for progress. */
  size?: number;
}

/** A running download or upload. */
export interface Transfer {
  /** Resolves with the number of bytes moved; rejects with an SftpError (kind 'cancelled' after cancel()). */
  readonly done: Promise<number>;
  /** Stops issuing requests, waits for the outstanding ones, closes the handle. */
  cancel(): void;
}

/** A DATA reply as the pieces it arrived in (`data` is left empty). */
type DataPieces = Extract<Reply, { type: typeof Fxp.DATA }> & { pieces: Uint8Array[]; length: number };
type Answer = Reply | DataPieces;
type Pending = { resolve(reply: Answer): void; reject(error: SftpError): void };

const EMPTY = new Uint8Array(0);

/** The first n bytes of the pieces (fewer if there are fewer), as pieces. */
function firstBytes(parts: Uint8Array[], n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let left = n;
  for (const p of parts) {
    if (left <= 0) break;
    out.push(p.length <= left ? p : p.subarray(0, left));
    left -= p.length;
  }
  return out;
}

export const DEFAULT_CHUNK = 32 * 1024;
/** The largest default chunk when the server announces a higher limit. */
export const LARGEST_CHUNK = 256 * 1024;
export const DEFAULT_OUTSTANDING = 64;
/** Bytes requested and not yet delivered or acknowledged, by default: what a transfer may hold in memory. */
export const DEFAULT_WINDOW = 4 * 1024 * 1024;
/** Entries one list() returns at most: a listing is held in memory whole. */
export const MAX_LIST_ENTRIES = 100_000;

export class SftpClient {
  /** Extensions the server announced in VERSION (name to data). */
  extensions = new Map<string, string>();
  /** Resolves with the reason once the session is over. */
  readonly closed: Promise<SftpError>;
  private readonly framer = new PacketFramer();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private version: { resolve(): void; reject(e: SftpError): void } | undefined;
  private ended: SftpError | undefined;
  private settleClosed!: (e: SftpError) => void;
  private maxRead = 0;
  private maxWrite = 0;

  constructor(private readonly output: SftpOutput) {
    this.closed = new Promise((resolve) => (this.settleClosed = resolve));
  }

  /** Sends INIT and waits for VERSION 3. */
  init(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.version = { resolve, reject };
      this.send(encodeInit());
    });
  }

  /** Bytes from the channel. A malformed packet ends the session (never throws). */
  receive(bytes: Uint8Array): void {
    if (this.ended) return;
    try {
      for (const parts of this.framer.pushParts(bytes)) this.dispatch(parts);
    } catch (e) {
      this.fail(asSftpError(e));
    }
  }

  /** The channel closed (with the SSH layer's reason, if it failed). */
  channelClosed(reason?: string): void {
    this.fail(lostError(reason));
  }

  /** Ends the session: closes the channel, fails whatever is waiting. */
  close(): void {
    this.fail(new SftpError('connection-lost', 'The file transfer session was closed.'));
  }

  get isOpen(): boolean {
    return this.ended === undefined;
  }

  // ---- Single requests ----

  async realpath(path: string): Promise<string> {
    const reply = await this.request({ type: Fxp.REALPATH, path }, { what: 'resolve', path });
    const names = expect(reply, Fxp.NAME, 'REALPATH').names;
    if (names.length !== 1) throw new SftpError('bad-message', `The server answered REALPATH with ${names.length} names instead of one.`);
    return names[0].filename;
  }

  async stat(path: string): Promise<SftpAttrs> {
    return expect(await this.request({ type: Fxp.STAT, path }, { what: 'look at', path }), Fxp.ATTRS, 'STAT').attrs;
  }

  async lstat(path: string): Promise<SftpAttrs> {
    return expect(await this.request({ type: Fxp.LSTAT, path }, { what: 'look at', path }), Fxp.ATTRS, 'LSTAT').attrs;
  }

  /** Where the symbolic link at `path` points, as the link says it (relative targets stay relative). */
  async readlink(path: string): Promise<string> {
    const names = expect(await this.request({ type: Fxp.READLINK, path }, { what: 'read the link', path }), Fxp.NAME, 'READLINK').names;
    if (names.length !== 1) throw new SftpError('bad-message', `The server answered READLINK with ${names.length} names instead of one.`);
    return names[0].filename;
  }

  /** The entries of a folder, "." and ".." left out, in the server's order. */
  async list(path: string, maxEntries = MAX_LIST_ENTRIES): Promise<SftpName[]> {
    const doing = { what: 'list', path };
    const handle = expect(await this.request({ type: Fxp.OPENDIR, path }, doing), Fxp.HANDLE, 'OPENDIR').handle;
    const out: SftpName[] = [];
    try {
      for (;;) {
        const reply = await this.request({ type: Fxp.READDIR, handle }, doing, true);
        if (reply.type === Fxp.STATUS) break; // EOF
        for (const n of expect(reply, Fxp.NAME, 'READDIR').names) if (n.filename !== '.' && n.filename !== '..') out.push(n);
        if (out.length > maxEntries) throw new SftpError('failure', `“${path}” holds more than ${maxEntries} entries; it is too large to list here.`);
      }
    } finally {
      await this.closeHandle(handle, path).catch(() => undefined);
    }
    return out;
  }

  async mkdir(path: string, mode = 0o755): Promise<void> {
    await this.withExists(path, { what: 'create the folder', path }, () => this.request({ type: Fxp.MKDIR, path, attrs: { permissions: mode } }, { what: 'create the folder', path }));
  }

  async rmdir(path: string): Promise<void> {
    await this.request({ type: Fxp.RMDIR, path }, { what: 'delete the folder', path });
  }

  async remove(path: string): Promise<void> {
    await this.request({ type: Fxp.REMOVE, path }, { what: 'delete', path });
  }

  /**
   * Renames `from` to `to`. Plain RENAME refuses an existing target ('file-exists'); with
   * `overwrite`, posix-rename@openssh.com replaces it atomically where the server offers it.
   */
  async rename(from: string, to: string, options: { overwrite?: boolean } = {}): Promise<void> {
    const doing = { what: 'rename', path: from };
    if (options.overwrite) {
      if (!this.extensions.has('posix-rename@openssh.com')) throw new SftpError('unsupported', 'This server cannot replace a file by renaming onto it (no posix-rename@openssh.com).');
      const data = new SshWriter().string(from).string(to).finish();
      await this.request({ type: Fxp.EXTENDED, name: 'posix-rename@openssh.com', data }, doing);
      return;
    }
    await this.withExists(to, doing, () => this.request({ type: Fxp.RENAME, from, to }, doing));
  }

  async setstat(path: string, attrs: SftpAttrs): Promise<void> {
    await this.request({ type: Fxp.SETSTAT, path, attrs }, { what: 'change', path });
  }

  // ---- Handles ----

  async open(path: string, flags: number, attrs: SftpAttrs = {}): Promise<Uint8Array> {
    const doing = { what: flags & Open.WRITE ? 'write to' : 'open', path };
    const open = () => this.request({ type: Fxp.OPEN, path, flags, attrs }, doing);
    const reply = flags & Open.EXCL ? await this.withExists(path, doing, open) : await open();
    return expect(reply, Fxp.HANDLE, 'OPEN').handle;
  }

  async closeHandle(handle: Uint8Array, path: string): Promise<void> {
    await this.request({ type: Fxp.CLOSE, handle }, { what: 'close', path });
  }

  async fstat(handle: Uint8Array, path: string): Promise<SftpAttrs> {
    return expect(await this.request({ type: Fxp.FSTAT, handle }, { what: 'look at', path }), Fxp.ATTRS, 'FSTAT').attrs;
  }

  /** One READ: the bytes, or null at end of file. */
  async read(handle: Uint8Array, offset: number, length: number, path: string): Promise<Uint8Array | null> {
    const pieces = await this.readPieces(handle, offset, length, path);
    return pieces && joinParts(pieces.length ? pieces : [EMPTY]);
  }

  /** One READ as the pieces the answer arrived in, or null at end of file. */
  private async readPieces(handle: Uint8Array, offset: number, length: number, path: string): Promise<Uint8Array[] | null> {
    const reply = await this.request({ type: Fxp.READ, handle, offset, length }, { what: 'read', path }, true);
    if (reply.type === Fxp.STATUS) return null;
    if (reply.type !== Fxp.DATA) throw new SftpError('bad-message', `The server answered READ with a message of type ${reply.type}.`);
    const pieces = 'pieces' in reply ? reply.pieces : [reply.data];
    const got = 'pieces' in reply ? reply.length : reply.data.length;
    if (got > length) throw this.fail(new SftpError('bad-message', `The server answered a read of ${length} bytes with ${got}. The file transfer session was closed.`));
    return pieces;
  }

  async write(handle: Uint8Array, offset: number, data: Uint8Array | Uint8Array[], path: string): Promise<void> {
    try {
      await this.request({ type: Fxp.WRITE, handle, offset, data: Array.isArray(data) ? data : [data] }, { what: 'write', path });
    } catch (e) {
      // SSH_FX_FAILURE on a write: OpenSSH maps ENOSPC and EDQUOT to it, with no word of which.
      if (e instanceof SftpError && e.kind === 'failure' && this.isOpen) throw writeFailure(path, e.serverMessage ?? '');
      throw e;
    }
  }

  // ---- Streaming transfers ----

  /**
   * Reads the file at `path` into `sink`, chunk by chunk and in order; the next chunks are asked
   * for while the sink works, and the sink's promise holds back delivery, never the bytes in flight.
   */
  download(path: string, sink: (chunk: Uint8Array) => void | Promise<void>, options: TransferOptions = {}): Transfer {
    const control = cancelControl();
    const done = this.runDownload(path, sink, options, control);
    return { done, cancel: control.cancel };
  }

  /** Writes the chunks of `source` to `path` (created or truncated), several WRITEs in flight. */
  upload(path: string, source: AsyncIterable<Uint8Array>, options: UploadOptions = {}): Transfer {
    const control = cancelControl();
    const done = this.runUpload(path, source, options, control);
    return { done, cancel: control.cancel };
  }

  /** The chunk size and outstanding count a transfer uses with these options (measured in bench/sftp.ts). */
  transferShape(direction: 'read' | 'write', options: TransferOptions = {}): { chunkSize: number; maxOutstanding: number } {
    const limit = direction === 'read' ? this.maxRead : this.maxWrite;
    const want = options.chunkSize ?? (limit > 0 ? Math.min(limit, LARGEST_CHUNK) : DEFAULT_CHUNK);
    if (!Number.isInteger(want) || want < 1) throw new RangeError(`chunkSize: a positive whole number, got ${want}`);
    const chunkSize = limit > 0 ? Math.min(want, limit) : want;
    const maxOutstanding = Math.max(1, options.maxOutstanding ?? Math.min(DEFAULT_OUTSTANDING, Math.floor(DEFAULT_WINDOW / chunkSize)));
    return { chunkSize, maxOutstanding };
  }

  private async runDownload(path: string, sink: (chunk: Uint8Array) => void | Promise<void>, options: TransferOptions, control: CancelControl): Promise<number> {
    const { chunkSize: chunk, maxOutstanding: max } = this.transferShape('read', options);
    const handle = await this.open(path, Open.READ);
    let total: number | undefined;
    try {
      total = (await this.fstat(handle, path)).size;
    } catch {
      total = undefined; // progress without a total; the transfer still reads to EOF
    }
    // Reads are asked for up to one past the known end (to see EOF); if the file has grown, data
    // past the end moves the end on.
    let end = total ?? Number.MAX_SAFE_INTEGER;
    let next = 0;
    let delivered = 0;
    let eofAt = Number.MAX_SAFE_INTEGER;
    let inFlight = 0;
    let failure: SftpError | undefined;
    const gaps: Array<{ offset: number; length: number }> = [];
    const arrived = new Map<number, Uint8Array[]>();
    let wake: (() => void) | undefined;
    const poke = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const issue = (offset: number, length: number) => {
      inFlight++;
      this.readPieces(handle, offset, length, path).then(
        (pieces) => {
          inFlight--;
          let got = 0;
          for (const p of pieces ?? []) got += p.length;
          if (got === 0) eofAt = Math.min(eofAt, offset);
          else if (offset < eofAt) {
            arrived.set(offset, pieces!);
            if (got < length) gaps.push({ offset: offset + got, length: length - got });
            end = Math.max(end, offset + got);
          }
          poke();
        },
        (e: unknown) => {
          inFlight--;
          failure ??= asSftpError(e);
          poke();
        },
      );
    };
    try {
      for (;;) {
        if (control.cancelled) throw cancelled(path);
        if (failure) throw failure;
        // Deliver what is in order, then ask for more while the window allows.
        let pieces = arrived.get(delivered);
        while (pieces && !control.cancelled) {
          arrived.delete(delivered);
          for (const piece of pieces) {
            await sink(piece);
            delivered += piece.length;
            if (control.cancelled) break;
          }
          options.onProgress?.(delivered, total);
          pieces = control.cancelled ? undefined : arrived.get(delivered);
        }
        if (control.cancelled) throw cancelled(path);
        if (delivered >= eofAt && inFlight === 0) break;
        // The rest of a short read comes first, even when the window is full of later chunks
        // waiting for it: those can only be delivered once the hole before them is filled.
        while (gaps.length && inFlight < max) {
          const gap = gaps.shift()!;
          issue(gap.offset, gap.length);
        }
        while (inFlight + arrived.size < max) {
          if (next <= end && next < eofAt) {
            issue(next, chunk);
            next += chunk;
          } else break;
        }
        if (inFlight === 0 && !arrived.has(delivered)) {
          if (delivered >= eofAt) break;
          throw new SftpError('bad-message', `The download of “${path}” stalled: nothing is outstanding yet the file is not complete.`);
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          control.onCancel = poke;
        });
      }
    } finally {
      while (inFlight > 0 && this.isOpen) await new Promise<void>((resolve) => (wake = resolve));
      await this.closeHandle(handle, path).catch(() => undefined);
    }
    return delivered;
  }

  /**
   * An upload never writes over the file it replaces: it writes a hidden file beside it
   * (uploadTempName) and renames that over the target once every byte is acknowledged and CLOSE said
   * so. A cancel or a failure removes the hidden file, so the old file is never half-replaced.
   */
  private async runUpload(path: string, source: AsyncIterable<Uint8Array>, options: UploadOptions, control: CancelControl): Promise<number> {
    const target = await this.uploadTarget(path, options.exclusive ?? false);
    const temp = uploadTempName(target.path);
    const doing = { what: 'write to', path };
    // EXCL: the hidden name is fresh; if it somehow exists, the upload fails rather than write into it.
    const mode = target.mode ?? options.mode ?? 0o644;
    const opened = await this.request({ type: Fxp.OPEN, path: temp, flags: Open.WRITE | Open.CREAT | Open.EXCL, attrs: { permissions: mode } }, doing).catch((e: unknown) => {
      // The file may be writable while its folder is not: say why replacing it is refused.
      if (!(target.exists && e instanceof SftpError && e.kind === 'permission-denied')) throw e;
      throw new SftpError(
        'permission-denied',
        `Could not write to “${path}”: its folder does not let you create files, which replacing it safely needs (the upload is written beside it and renamed over it only once complete).`,
        undefined,
        e.serverMessage,
      );
    });
    const handle = expect(opened, Fxp.HANDLE, 'OPEN').handle;
    let ok = false;
    let closed = false;
    let keep = false;
    let offset: number;
    try {
      // The server's umask may have taken bits off the replaced file's mode: set it exactly (best effort).
      if (target.mode !== undefined) await this.request({ type: Fxp.FSETSTAT, handle, attrs: { permissions: target.mode } }, doing).catch(() => undefined);
      offset = await this.writeAll(handle, path, source, options, control);
      // CLOSE can report a late write error (NFS, quotas), so its answer counts.
      await this.closeHandle(handle, path);
      closed = true;
      if (control.cancelled) throw cancelled(path);
      await this.putInPlace(temp, target, path, options.exclusive ?? false);
      ok = true;
    } catch (e) {
      keep = KEEP_TEMP.has(e as object);
      throw e;
    } finally {
      if (!closed) await this.closeHandle(handle, path).catch(() => undefined);
      if (!ok && !keep && this.isOpen) await this.remove(temp).catch(() => undefined);
    }
    return offset;
  }

  /**
   * Where an upload to `path` lands, and the mode of the file it replaces. A link to a file is followed
   * (the file is replaced, the link stays); a folder is refused; a file the user may not write is
   * refused as writing it in place would be (opened for writing, not truncated, and closed again).
   */
  private async uploadTarget(path: string, exclusive: boolean): Promise<{ path: string; exists: boolean; mode?: number }> {
    let attrs: SftpAttrs;
    try {
      attrs = await this.lstat(path);
    } catch (e) {
      if (e instanceof SftpError && e.kind === 'no-such-file') return { path, exists: false };
      throw e;
    }
    if (exclusive) throw new SftpError('file-exists', `Could not write to “${path}”: “${path}” already exists.`);
    let real = path;
    if (((attrs.permissions ?? 0) & S_IFMT) === S_IFLNK) {
      try {
        attrs = await this.stat(path);
      } catch (e) {
        // A broken link: the upload replaces the link itself with the file.
        if (e instanceof SftpError && e.kind === 'no-such-file') return { path, exists: true };
        throw e;
      }
      real = await this.realpath(path);
    }
    if (isDirectory(attrs)) throw new SftpError('failure', `Could not write to “${path}”: it is a folder.`);
    const probe = await this.open(real, Open.WRITE);
    await this.closeHandle(probe, path);
    return { path: real, exists: true, mode: attrs.permissions !== undefined ? attrs.permissions & 0o777 : undefined };
  }

  /** Renames the finished hidden file to the target. */
  private async putInPlace(temp: string, target: { path: string; exists: boolean }, path: string, exclusive: boolean): Promise<void> {
    const doing = { what: 'write to', path };
    if (exclusive) {
      // Plain RENAME refuses an existing target: a file made meanwhile is not replaced.
      await this.withExists(target.path, doing, () => this.request({ type: Fxp.RENAME, from: temp, to: target.path }, doing));
    } else if (this.extensions.has('posix-rename@openssh.com')) {
      // rename(2): the target is replaced in one step; nobody ever sees it missing or half-written.
      await this.request({ type: Fxp.EXTENDED, name: 'posix-rename@openssh.com', data: new SshWriter().string(temp).string(target.path).finish() }, doing);
    } else {
      // Version 3's RENAME refuses an existing target, so without posix-rename the old file is removed
      // first: for a moment the target is missing, and if the RENAME then fails, the new bytes are
      // only under the hidden name (the error says so). Still never a half-written target.
      if (target.exists) await this.request({ type: Fxp.REMOVE, path: target.path }, { what: 'replace', path });
      try {
        await this.withExists(target.path, doing, () => this.request({ type: Fxp.RENAME, from: temp, to: target.path }, doing));
      } catch (e) {
        if (!target.exists || !(e instanceof SftpError)) throw e;
        // The old file is gone: the new bytes are all there is, so they stay under the hidden name.
        const kept = new SftpError(e.kind, `${e.message} The old file was already removed; the uploaded file is kept as “${temp}”.`, undefined, e.serverMessage);
        KEEP_TEMP.add(kept);
        throw kept;
      }
    }
  }

  /** The upload's WRITEs, several in flight, from the source's pieces cut into chunks. */
  private async writeAll(handle: Uint8Array, path: string, source: AsyncIterable<Uint8Array>, options: UploadOptions, control: CancelControl): Promise<number> {
    const { chunkSize: chunk, maxOutstanding: max } = this.transferShape('write', options);
    let offset = 0;
    let acknowledged = 0;
    let inFlight = 0;
    let failure: SftpError | undefined;
    let wake: (() => void) | undefined;
    const poke = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    control.onCancel = poke;
    const waitForRoom = async (room: number) => {
      while (inFlight > room && !failure && !control.cancelled) await new Promise<void>((resolve) => (wake = resolve));
    };
    const send = (data: Uint8Array[], length: number) => {
      const at = offset;
      offset += length;
      inFlight++;
      this.write(handle, at, data, path).then(
        () => {
          inFlight--;
          acknowledged += length;
          options.onProgress?.(acknowledged, options.size);
          poke();
        },
        (e: unknown) => {
          inFlight--;
          failure ??= asSftpError(e);
          poke();
        },
      );
    };
    try {
      const pending: Uint8Array[] = [];
      let pendingBytes = 0;
      for await (const piece of source) {
        if (control.cancelled) throw cancelled(path);
        if (failure) throw failure;
        if (piece.length === 0) continue;
        pending.push(piece);
        pendingBytes += piece.length;
        // Re-cut the source's pieces into chunks of the transfer's size.
        while (pendingBytes >= chunk) {
          await waitForRoom(max - 1);
          if (control.cancelled) throw cancelled(path);
          if (failure) throw failure;
          send(takeParts(pending, chunk), chunk);
          pendingBytes -= chunk;
        }
      }
      if (pendingBytes > 0) {
        await waitForRoom(max - 1);
        if (control.cancelled) throw cancelled(path);
        send(takeParts(pending, pendingBytes), pendingBytes);
      }
      await waitForRoom(0);
      if (control.cancelled) throw cancelled(path);
      if (failure) throw failure;
    } finally {
      while (inFlight > 0 && this.isOpen) await new Promise<void>((resolve) => (wake = resolve));
    }
    return offset;
  }

  // ---- Plumbing ----

  /** On a generic failure, looks whether `path` exists, so the sentence can say "already exists". */
  private async withExists<T>(path: string, doing: Doing, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      if (!(e instanceof SftpError && e.kind === 'failure') || !this.isOpen) throw e;
      const exists = await this.lstat(path).then(
        () => true,
        () => false,
      );
      if (exists) throw new SftpError('file-exists', `Could not ${doing.what} “${doing.path}”: “${path}” already exists.`, undefined, e.serverMessage);
      throw e;
    }
  }

  /**
   * Sends a request and resolves with its reply. A STATUS other than OK rejects with a sentence,
   * except EOF when `eofIsAnswer` (READ, READDIR) — then the STATUS is the reply.
   */
  private request(q: DistributiveOmit<Exclude<Request, { type: typeof Fxp.WRITE }>, 'id'> | WritePieces, doing: Doing, eofIsAnswer = false): Promise<Answer> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.nextId;
    this.nextId = (this.nextId + 1) >>> 0 || 1;
    return new Promise<Answer>((resolve, reject) => {
      this.pending.set(id, {
        resolve: (reply) => {
          if (reply.type !== Fxp.STATUS || reply.code === Status.OK || (eofIsAnswer && reply.code === Status.EOF)) resolve(reply);
          else reject(statusError(reply.code, reply.message, doing));
        },
        reject,
      });
      // WRITE carries its data as pieces (WritePieces), written into the packet with one copy.
      this.send(q.type === Fxp.WRITE ? encodeWrite(id, q.handle, q.offset, q.data) : encodeRequest({ ...q, id } as Request));
    });
  }

  private send(bytes: Uint8Array): void {
    try {
      this.output.write(bytes);
    } catch (e) {
      this.fail(lostError(e instanceof Error ? e.message : undefined));
    }
  }

  private dispatch(parts: Uint8Array[]): void {
    if (!this.version && parts[0][0] === Fxp.DATA) return this.dispatchData(parts);
    const body = joinParts(parts);
    if (this.version) {
      const { version, extensions } = decodeVersion(body);
      if (version !== 3) throw new SftpError('unsupported', `The server speaks SFTP version ${version}; this client speaks version 3.`);
      this.extensions = extensions;
      const waiting = this.version;
      this.version = undefined;
      waiting.resolve();
      return;
    }
    const reply = decodeReply(body);
    const waiting = this.pending.get(reply.id);
    if (!waiting) throw new SftpError('bad-message', `The server answered request ${reply.id}, which was never sent. The file transfer session was closed.`);
    this.pending.delete(reply.id);
    waiting.resolve(reply);
  }

  /**
   * DATA, the bulk of a download, is taken apart without joining its pieces: the bytes go to the
   * sink as the views they arrived in (a copy of every byte and its garbage cost ~15 % of the rate).
   */
  private dispatchData(parts: Uint8Array[]): void {
    const head = joinParts(firstBytes(parts, 9));
    const r = new SshReader(head);
    r.byte('the message type');
    const id = r.uint32('the request id');
    const length = r.uint32('the data length');
    let total = 0;
    for (const p of parts) total += p.length;
    if (length !== total - 9) throw new SftpError('bad-message', `The server sent a malformed file transfer message: a DATA length of ${length} in ${total - 9} bytes. The file transfer session was closed.`);
    const waiting = this.pending.get(id);
    if (!waiting) throw new SftpError('bad-message', `The server answered request ${id}, which was never sent. The file transfer session was closed.`);
    this.pending.delete(id);
    waiting.resolve({ type: Fxp.DATA, id, data: EMPTY, pieces: skipParts(parts, 9), length });
  }

  /** Learns the server's limits (limits@openssh.com) so chunks never exceed what it accepts. */
  async readLimits(): Promise<void> {
    if (!this.extensions.has('limits@openssh.com')) return;
    const reply = await this.request({ type: Fxp.EXTENDED, name: 'limits@openssh.com', data: new Uint8Array(0) }, { what: 'ask the limits of', path: 'the server' });
    const data = expect(reply, Fxp.EXTENDED_REPLY, 'limits@openssh.com').data;
    // uint64 max-packet-length, uint64 max-read-length, uint64 max-write-length, uint64 max-open-handles
    if (data.length < 24) return;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const u64 = (at: number) => view.getUint32(at) * 0x100000000 + view.getUint32(at + 4);
    this.maxRead = Math.min(u64(8), 1 << 20);
    this.maxWrite = Math.min(u64(16), 1 << 20);
  }

  private fail(error: SftpError): SftpError {
    if (this.ended) return this.ended;
    this.ended = error;
    const version = this.version;
    this.version = undefined;
    version?.reject(error);
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    try {
      this.output.close();
    } catch {
      // the channel is already gone
    }
    this.settleClosed(error);
    return error;
  }
}

type WritePieces = { type: typeof Fxp.WRITE; handle: Uint8Array; offset: number; data: Uint8Array[] };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function expect<T extends Reply['type']>(reply: Reply, type: T, what: string): Extract<Reply, { type: T }> {
  if (reply.type !== type) throw new SftpError('bad-message', `The server answered ${what} with a message of type ${reply.type}.`);
  return reply as Extract<Reply, { type: T }>;
}

function asSftpError(e: unknown): SftpError {
  if (e instanceof SftpError) return e;
  if (e instanceof SshError) return new SftpError('bad-message', `${e.message} The file transfer session was closed.`);
  return new SftpError('failure', e instanceof Error ? e.message : String(e));
}

function cancelled(path: string): SftpError {
  return new SftpError('cancelled', `The transfer of “${path}” was cancelled.`);
}

interface CancelControl {
  cancelled: boolean;
  onCancel: (() => void) | undefined;
  cancel(): void;
}

function cancelControl(): CancelControl {
  const c: CancelControl = {
    cancelled: false,
    onCancel: undefined,
    cancel: () => {
      c.cancelled = true;
      c.onCancel?.();
    },
  };
  return c;
}

/** Removes exactly `n` bytes from the front of `parts` (which hold at least n), as views. */
function takeParts(parts: Uint8Array[], n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let left = n;
  while (left > 0) {
    const head = parts[0];
    if (head.length <= left) {
      out.push(parts.shift()!);
      left -= head.length;
    } else {
      out.push(head.subarray(0, left));
      parts[0] = head.subarray(left);
      left = 0;
    }
  }
  return out;
}

/** Errors after which an upload's hidden file is the only copy of the bytes, so it is not removed. */
const KEEP_TEMP = new WeakSet<object>();

/** The longest name, in UTF-8 bytes, kept from the target in its hidden upload name (NAME_MAX is 255). */
const TEMP_NAME_KEEP = 200;

/**
 * The hidden name an upload writes to before it replaces `target`: in the same folder (so the rename
 * is one step on one file system), starting with a dot, recognisable, unique:
 * "/d/report.pdf" → "/d/.report.pdf.postern-3f9a0c1b.part".
 */
export function uploadTempName(target: string): string {
  const at = target.lastIndexOf('/');
  const dir = target.slice(0, at + 1);
  const encoder = new TextEncoder();
  let name = '';
  let bytes = 0;
  for (const c of target.slice(at + 1)) {
    bytes += encoder.encode(c).length;
    if (bytes > TEMP_NAME_KEEP) break;
    name += c;
  }
  const tag = Array.from(randomBytes(4), (b) => b.toString(16).padStart(2, '0')).join('');
  return `${dir}.${name}.postern-${tag}.part`;
}
