// The Files panel's messages between the page and the SSH worker (part of protocol.ts's unions): SFTP
// operations, and transfers whose bytes cross as transferable ArrayBuffers, each way within FILE_WINDOW.

/** One SFTP operation the Files panel asks for; `id` pairs it with its file-result. */
export type FileOp =
  | { op: 'home' }
  | { op: 'list'; path: string }
  | { op: 'mkdir'; path: string }
  | { op: 'rename'; from: string; to: string }
  | { op: 'remove'; path: string; folder: boolean };

export type FilesRequest =
  | ({ type: 'file'; id: number } & FileOp)
  /** Streams the file to the page in download-chunks; the worker keeps at most FILE_WINDOW bytes unacknowledged. */
  | { type: 'download'; id: number; path: string }
  /** The page has written this many more bytes of download `id`. */
  | { type: 'download-ack'; id: number; bytes: number }
  /** Starts an upload; its bytes follow in upload-chunks (the page keeps at most FILE_WINDOW bytes not yet taken). */
  | { type: 'upload'; id: number; path: string; size: number }
  | { type: 'upload-chunk'; id: number; data: ArrayBuffer }
  | { type: 'upload-end'; id: number }
  | { type: 'cancel'; id: number };

/** Bytes of a transfer in flight between the page and the worker, each way, before the sender waits. */
export const FILE_WINDOW = 4 * 1024 * 1024;
/** The longest path the page may ask about (bytes of UTF-16, well above PATH_MAX). */
export const MAX_PATH_LENGTH = 4096;
/** The largest upload-chunk the worker takes. */
export const MAX_UPLOAD_CHUNK = 1024 * 1024;

/** A directory entry as the panel shows it. */
export interface FileEntry {
  name: string;
  /** Bytes; undefined when the server did not say. */
  size?: number;
  /** Seconds since 1970. */
  mtime?: number;
  /** A folder, or a link to one (opening it enters the folder the link points to). */
  folder: boolean;
  /** A symbolic link: size, date and `folder` are those of what it points to, when that could be read. */
  link: boolean;
  /** Where the link points, as the link says it (cut to MAX_PATH_LENGTH); undefined when not read. */
  linkTarget?: string;
  /** The link points to nothing that exists. */
  broken?: boolean;
}

/** How an SFTP operation went: `error` is a sentence to show beside the file it concerns. */
export type FileResult =
  | { type: 'file-result'; id: number; ok: true; path?: string; entries?: FileEntry[]; bytes?: number }
  | { type: 'file-result'; id: number; ok: false; kind: string; error: string };

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isPath = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_PATH_LENGTH && !v.includes('\0');
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Whether a message to the worker is a well-formed Files request. The worker acts only on those: a page
 * bug (or anything else that posts to it) meets a check, not an SFTP request built from whatever came.
 */
export function isFilesRequest(m: unknown): m is FilesRequest {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  if (!isId(r.id)) return false;
  switch (r.type) {
    case 'file':
      switch (r.op) {
        case 'home': return true;
        case 'list': case 'mkdir': return isPath(r.path);
        case 'rename': return isPath(r.from) && isPath(r.to);
        case 'remove': return isPath(r.path) && typeof r.folder === 'boolean';
        default: return false;
      }
    case 'download': return isPath(r.path);
    case 'download-ack': return isCount(r.bytes);
    case 'upload': return isPath(r.path) && isCount(r.size);
    case 'upload-chunk': return r.data instanceof ArrayBuffer && r.data.byteLength <= MAX_UPLOAD_CHUNK;
    case 'upload-end': case 'cancel': return true;
    default: return false;
  }
}

export type FilesReply =
  | FileResult
  | { type: 'download-chunk'; id: number; data: ArrayBuffer }
  /** The worker took this many more bytes of upload `id` from the page: it may send that many more. */
  | { type: 'upload-ack'; id: number; bytes: number }
  /** Bytes of upload `id` the server has confirmed. */
  | { type: 'file-progress'; id: number; bytes: number };
