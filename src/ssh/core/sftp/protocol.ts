// SFTP version 3 (draft-ietf-secsh-filexfer-02, as OpenSSH's sftp-server speaks it, with the
// extensions of OpenSSH's PROTOCOL file) as bytes: packet framing, attributes, requests and replies.
// Both the client (client.ts) and the server part (server.ts) use it. Every packet is
//   uint32 length, byte type, [uint32 request-id], type-specific fields
// and every field is read through SshReader, which bounds-checks it.

import { concat } from '../wire/bytes';
import { SshReader, SshWriter } from '../wire/wire';
import { SftpError } from './errors';

export const SFTP_VERSION = 3;

export const Fxp = {
  INIT: 1,
  VERSION: 2,
  OPEN: 3,
  CLOSE: 4,
  READ: 5,
  WRITE: 6,
  LSTAT: 7,
  FSTAT: 8,
  SETSTAT: 9,
  FSETSTAT: 10,
  OPENDIR: 11,
  READDIR: 12,
  REMOVE: 13,
  MKDIR: 14,
  RMDIR: 15,
  REALPATH: 16,
  STAT: 17,
  RENAME: 18,
  READLINK: 19,
  SYMLINK: 20,
  STATUS: 101,
  HANDLE: 102,
  DATA: 103,
  NAME: 104,
  ATTRS: 105,
  EXTENDED: 200,
  EXTENDED_REPLY: 201,
} as const;

/** SSH_FX_* status codes of version 3. */
export const Status = {
  OK: 0,
  EOF: 1,
  NO_SUCH_FILE: 2,
  PERMISSION_DENIED: 3,
  FAILURE: 4,
  BAD_MESSAGE: 5,
  NO_CONNECTION: 6,
  CONNECTION_LOST: 7,
  OP_UNSUPPORTED: 8,
} as const;

/** SSH_FXF_* open flags. */
export const Open = { READ: 0x01, WRITE: 0x02, APPEND: 0x04, CREAT: 0x08, TRUNC: 0x10, EXCL: 0x20 } as const;

const ATTR_SIZE = 0x1;
const ATTR_UIDGID = 0x2;
const ATTR_PERMISSIONS = 0x4;
const ATTR_ACMODTIME = 0x8;
const ATTR_EXTENDED = 0x80000000;

/**
 * The largest packet either side accepts: OpenSSH's SFTP_MAX_MSG_LENGTH (256 KiB), which holds a
 * READ reply of its largest read length with room for the header.
 */
export const MAX_PACKET = 256 * 1024;
/** Entries in one NAME reply; OpenSSH sends at most 100 per READDIR. */
export const MAX_NAMES = 4096;
/** Extended attribute pairs in one ATTRS, and extensions in VERSION. */
const MAX_PAIRS = 256;

export interface SftpAttrs {
  size?: number;
  uid?: number;
  gid?: number;
  /** st_mode: file type bits and permission bits. */
  permissions?: number;
  /** Seconds since 1970. */
  atime?: number;
  mtime?: number;
  extended?: Array<[string, Uint8Array]>;
}

export interface SftpName {
  filename: string;
  /** `ls -l` style line the server made; shown as is, never parsed. */
  longname: string;
  attrs: SftpAttrs;
}

export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;

export function isDirectory(attrs: SftpAttrs): boolean {
  return attrs.permissions !== undefined && (attrs.permissions & S_IFMT) === S_IFDIR;
}

export function writeAttrs(w: SshWriter, a: SftpAttrs): SshWriter {
  let flags = 0;
  if (a.size !== undefined) flags |= ATTR_SIZE;
  if (a.uid !== undefined && a.gid !== undefined) flags |= ATTR_UIDGID;
  if (a.permissions !== undefined) flags |= ATTR_PERMISSIONS;
  if (a.atime !== undefined && a.mtime !== undefined) flags |= ATTR_ACMODTIME;
  if (a.extended?.length) flags |= ATTR_EXTENDED;
  w.uint32(flags >>> 0);
  if (flags & ATTR_SIZE) uint64(w, a.size!);
  if (flags & ATTR_UIDGID) w.uint32(a.uid!).uint32(a.gid!);
  if (flags & ATTR_PERMISSIONS) w.uint32(a.permissions!);
  if (flags & ATTR_ACMODTIME) w.uint32(a.atime!).uint32(a.mtime!);
  if (flags & ATTR_EXTENDED) {
    w.uint32(a.extended!.length);
    for (const [name, data] of a.extended!) w.string(name).bytes(data);
  }
  return w;
}

export function readAttrs(r: SshReader): SftpAttrs {
  const flags = r.uint32('the attribute flags');
  const a: SftpAttrs = {};
  if (flags & ATTR_SIZE) a.size = readUint64(r, 'the file size');
  if (flags & ATTR_UIDGID) {
    a.uid = r.uint32('the owner');
    a.gid = r.uint32('the group');
  }
  if (flags & ATTR_PERMISSIONS) a.permissions = r.uint32('the permissions');
  if (flags & ATTR_ACMODTIME) {
    a.atime = r.uint32('the access time');
    a.mtime = r.uint32('the modification time');
  }
  if (flags & ATTR_EXTENDED) {
    const count = r.uint32('the extended attribute count');
    if (count > MAX_PAIRS) throw malformed(`${count} extended attributes (at most ${MAX_PAIRS})`);
    a.extended = [];
    for (let i = 0; i < count; i++) a.extended.push([r.string('an extended attribute name'), r.bytes('an extended attribute value').slice()]);
  }
  return a;
}

export function uint64(w: SshWriter, v: number): SshWriter {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`uint64 out of range: ${v}`);
  return w.uint32(Math.floor(v / 0x100000000)).uint32(v % 0x100000000);
}

export function readUint64(r: SshReader, field: string): number {
  const hi = r.uint32(field);
  const lo = r.uint32(field);
  const v = hi * 0x100000000 + lo;
  if (!Number.isSafeInteger(v)) throw malformed(`${field} is larger than 2^53`);
  return v;
}

function malformed(detail: string): SftpError {
  return new SftpError('bad-message', `The server sent a malformed file transfer message: ${detail}. The file transfer session was closed.`);
}

/** Frames a packet: uint32 length, then the body made by `body` on a writer that starts with the type. */
export function packet(type: number, body: (w: SshWriter) => SshWriter = (w) => w): Uint8Array {
  // The length goes in front once the body is known: one copy of the data, not two.
  const out = body(new SshWriter().uint32(0).byte(type)).finish();
  new DataView(out.buffer, out.byteOffset, 4).setUint32(0, out.length - 4);
  return out;
}

// ---- Requests (client to server) ----

export function encodeInit(extensions: Array<[string, string]> = []): Uint8Array {
  return packet(Fxp.INIT, (w) => {
    w.uint32(SFTP_VERSION);
    for (const [name, data] of extensions) w.string(name).string(data);
    return w;
  });
}

export function encodeVersion(version: number, extensions: Array<[string, string]>): Uint8Array {
  return packet(Fxp.VERSION, (w) => {
    w.uint32(version);
    for (const [name, data] of extensions) w.string(name).string(data);
    return w;
  });
}

export type Request =
  | { type: typeof Fxp.OPEN; id: number; path: string; flags: number; attrs: SftpAttrs }
  | { type: typeof Fxp.CLOSE | typeof Fxp.FSTAT | typeof Fxp.READDIR; id: number; handle: Uint8Array }
  | { type: typeof Fxp.READ; id: number; handle: Uint8Array; offset: number; length: number }
  | { type: typeof Fxp.WRITE; id: number; handle: Uint8Array; offset: number; data: Uint8Array }
  | {
      type: typeof Fxp.LSTAT | typeof Fxp.STAT | typeof Fxp.OPENDIR | typeof Fxp.REMOVE | typeof Fxp.RMDIR | typeof Fxp.REALPATH | typeof Fxp.READLINK;
      id: number;
      path: string;
    }
  | { type: typeof Fxp.SETSTAT | typeof Fxp.MKDIR; id: number; path: string; attrs: SftpAttrs }
  | { type: typeof Fxp.FSETSTAT; id: number; handle: Uint8Array; attrs: SftpAttrs }
  | { type: typeof Fxp.RENAME; id: number; from: string; to: string }
  | { type: typeof Fxp.EXTENDED; id: number; name: string; data: Uint8Array };

export function encodeRequest(q: Request): Uint8Array {
  return packet(q.type, (w) => {
    w.uint32(q.id);
    switch (q.type) {
      case Fxp.OPEN:
        return writeAttrs(w.string(q.path).uint32(q.flags), q.attrs);
      case Fxp.CLOSE:
      case Fxp.FSTAT:
      case Fxp.READDIR:
        return w.bytes(q.handle);
      case Fxp.READ:
        return uint64(w.bytes(q.handle), q.offset).uint32(q.length);
      case Fxp.WRITE:
        return uint64(w.bytes(q.handle), q.offset).bytes(q.data);
      case Fxp.SETSTAT:
      case Fxp.MKDIR:
        return writeAttrs(w.string(q.path), q.attrs);
      case Fxp.FSETSTAT:
        return writeAttrs(w.bytes(q.handle), q.attrs);
      case Fxp.RENAME:
        return w.string(q.from).string(q.to);
      case Fxp.EXTENDED:
        return w.string(q.name).raw(q.data);
      default:
        return w.string(q.path);
    }
  });
}

/**
 * WRITE built straight from the pieces of the data: one copy of the bytes into the packet, where
 * encodeRequest would make two (the bulk of an upload goes through here).
 */
export function encodeWrite(id: number, handle: Uint8Array, offset: number, pieces: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of pieces) length += p.length;
  const head = uint64(new SshWriter().uint32(0).byte(Fxp.WRITE).uint32(id).bytes(handle), offset).uint32(length).finish();
  const out = new Uint8Array(head.length + length);
  out.set(head);
  let at = head.length;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  new DataView(out.buffer, out.byteOffset, 4).setUint32(0, out.length - 4);
  return out;
}

/** Reads a request (the server part's side). `body` is the packet without its length. */
export function decodeRequest(body: Uint8Array): Request {
  const r = new SshReader(body);
  const type = r.byte('the message type');
  const id = r.uint32('the request id');
  let q: Request;
  switch (type) {
    case Fxp.OPEN:
      q = { type, id, path: r.string('the file name'), flags: r.uint32('the open flags'), attrs: readAttrs(r) };
      break;
    case Fxp.CLOSE:
    case Fxp.FSTAT:
    case Fxp.READDIR:
      q = { type, id, handle: r.bytes('the handle') };
      break;
    case Fxp.READ:
      q = { type, id, handle: r.bytes('the handle'), offset: readUint64(r, 'the offset'), length: r.uint32('the length') };
      break;
    case Fxp.WRITE:
      q = { type, id, handle: r.bytes('the handle'), offset: readUint64(r, 'the offset'), data: r.bytes('the data') };
      break;
    case Fxp.LSTAT:
    case Fxp.STAT:
    case Fxp.OPENDIR:
    case Fxp.REMOVE:
    case Fxp.RMDIR:
    case Fxp.REALPATH:
    case Fxp.READLINK:
      q = { type, id, path: r.string('the path') };
      break;
    case Fxp.SETSTAT:
    case Fxp.MKDIR:
      q = { type, id, path: r.string('the path'), attrs: readAttrs(r) };
      break;
    case Fxp.FSETSTAT:
      q = { type, id, handle: r.bytes('the handle'), attrs: readAttrs(r) };
      break;
    case Fxp.RENAME:
      q = { type, id, from: r.string('the old path'), to: r.string('the new path') };
      break;
    case Fxp.EXTENDED:
      q = { type, id, name: r.string('the extension name'), data: r.rest() };
      break;
    default:
      throw new SftpError('unsupported', `request type ${type}`, id);
  }
  if (type !== Fxp.EXTENDED) r.end(`request type ${type}`);
  return q;
}

// ---- Replies (server to client) ----

export type Reply =
  | { type: typeof Fxp.STATUS; id: number; code: number; message: string }
  | { type: typeof Fxp.HANDLE; id: number; handle: Uint8Array }
  | { type: typeof Fxp.DATA; id: number; data: Uint8Array }
  | { type: typeof Fxp.NAME; id: number; names: SftpName[] }
  | { type: typeof Fxp.ATTRS; id: number; attrs: SftpAttrs }
  | { type: typeof Fxp.EXTENDED_REPLY; id: number; data: Uint8Array };

export function encodeReply(p: Reply): Uint8Array {
  return packet(p.type, (w) => {
    w.uint32(p.id);
    switch (p.type) {
      case Fxp.STATUS:
        return w.uint32(p.code).string(p.message).string('');
      case Fxp.HANDLE:
        return w.bytes(p.handle);
      case Fxp.DATA:
        return w.bytes(p.data);
      case Fxp.NAME:
        w.uint32(p.names.length);
        for (const n of p.names) writeAttrs(w.string(n.filename).string(n.longname), n.attrs);
        return w;
      case Fxp.ATTRS:
        return writeAttrs(w, p.attrs);
      case Fxp.EXTENDED_REPLY:
        return w.raw(p.data);
    }
  });
}

/** Reads a reply. `body` is the packet without its length; throws SftpError('bad-message') when it does not parse. */
export function decodeReply(body: Uint8Array): Reply {
  const r = new SshReader(body);
  const type = r.byte('the message type');
  const id = r.uint32('the request id');
  let p: Reply;
  switch (type) {
    case Fxp.STATUS: {
      const code = r.uint32('the status code');
      // Version 3 servers send message and language; some very old ones sent neither.
      const message = r.remaining ? r.string('the status message') : '';
      if (r.remaining) r.string('the language tag');
      p = { type, id, code, message };
      break;
    }
    case Fxp.HANDLE: {
      const handle = r.bytes('the handle');
      // draft-02 §6.2: handles are at most 256 bytes.
      if (handle.length > 256) throw malformed(`a handle of ${handle.length} bytes (at most 256)`);
      p = { type, id, handle: handle.slice() };
      break;
    }
    case Fxp.DATA:
      p = { type, id, data: r.bytes('the data') };
      break;
    case Fxp.NAME: {
      const count = r.uint32('the name count');
      // Each entry takes at least 12 bytes (two empty strings and the flags), which also bounds it.
      if (count > MAX_NAMES || count * 12 > r.remaining) throw malformed(`a list of ${count} names in ${r.remaining} bytes`);
      const names: SftpName[] = [];
      for (let i = 0; i < count; i++) names.push({ filename: r.string('a file name'), longname: r.string('a long name'), attrs: readAttrs(r) });
      p = { type, id, names };
      break;
    }
    case Fxp.ATTRS:
      p = { type, id, attrs: readAttrs(r) };
      break;
    case Fxp.EXTENDED_REPLY:
      p = { type, id, data: r.rest().slice() };
      break;
    default:
      throw malformed(`a reply of unknown type ${type}`);
  }
  r.end(`reply type ${type}`);
  return p;
}

export interface VersionInfo {
  version: number;
  extensions: Map<string, string>;
}

export function decodeVersion(body: Uint8Array): VersionInfo {
  const r = new SshReader(body);
  const type = r.byte('the message type');
  if (type !== Fxp.VERSION) throw malformed(`message type ${type} where VERSION was expected`);
  const version = r.uint32('the version');
  const extensions = new Map<string, string>();
  while (r.remaining) {
    if (extensions.size >= MAX_PAIRS) throw malformed(`more than ${MAX_PAIRS} extensions`);
    extensions.set(r.string('an extension name'), r.string('an extension value'));
  }
  return { version, extensions };
}

/** The INIT of a client (the server part's side). */
export function decodeInit(body: Uint8Array): number {
  const r = new SshReader(body);
  if (r.byte('the message type') !== Fxp.INIT) throw new SftpError('bad-message', 'The client did not start with SFTP INIT.');
  return r.uint32('the version');
}

/**
 * Splits a byte stream into SFTP packets, refusing a length above `max` before buffering it, so a
 * hostile length costs nothing. A packet comes out as views of the chunks it arrived in (no copy):
 * the chunks must not be reused by whoever pushed them (the SSH channel's payloads are fresh).
 */
export class PacketFramer {
  private chunks: Uint8Array[] = [];
  private buffered = 0;

  constructor(private readonly max: number = MAX_PACKET + 1024) {}

  /** Whole packets, each one contiguous (copied only when it arrived in pieces). */
  push(bytes: Uint8Array): Uint8Array[] {
    return this.pushParts(bytes).map(joinParts);
  }

  /** Whole packets, each as the pieces it arrived in. */
  pushParts(bytes: Uint8Array): Uint8Array[][] {
    if (bytes.length) {
      this.chunks.push(bytes);
      this.buffered += bytes.length;
    }
    const out: Uint8Array[][] = [];
    while (this.buffered >= 4) {
      const head = joinParts(this.front(4));
      const length = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
      if (length === 0) throw malformed('an empty packet');
      if (length > this.max) throw malformed(`a packet of ${length} bytes (at most ${this.max})`);
      if (this.buffered < 4 + length) break;
      this.take(4);
      out.push(this.take(length));
    }
    return out;
  }

  /** Views of the first n buffered bytes, without consuming them. */
  private front(n: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    let at = 0;
    for (const c of this.chunks) {
      const k = Math.min(c.length, n - at);
      out.push(k === c.length ? c : c.subarray(0, k));
      at += k;
      if (at === n) break;
    }
    return out;
  }

  private take(n: number): Uint8Array[] {
    const out = this.front(n);
    let left = n;
    while (left > 0) {
      const head = this.chunks[0];
      if (head.length <= left) {
        this.chunks.shift();
        left -= head.length;
      } else {
        this.chunks[0] = head.subarray(left);
        left = 0;
      }
    }
    this.buffered -= n;
    return out;
  }
}

/** The pieces as one array: the piece itself when there is one, else a copy. */
export function joinParts(parts: Uint8Array[]): Uint8Array {
  return parts.length === 1 ? parts[0] : concat(...parts);
}

/** The pieces without their first n bytes (n within the first pieces), as views. */
export function skipParts(parts: Uint8Array[], n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let left = n;
  for (const p of parts) {
    if (left >= p.length) {
      left -= p.length;
      continue;
    }
    out.push(left ? p.subarray(left) : p);
    left = 0;
  }
  return out;
}
