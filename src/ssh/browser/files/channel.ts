// The page's end of the Files messages (protocol.ts): requests answered by file-result, downloads that
// arrive in chunks and are acknowledged once written, uploads read from a File and sent no faster than
// the worker takes them. Everything waits on the other side's acknowledgement, never on memory.
import { FILE_WINDOW, type FileEntry, type FileOp, type FilesReply, type FilesRequest } from './protocol';

/** An SFTP failure as the panel shows it: a sentence, and the kind (cancelled, permission-denied, ...). */
export class FileError extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
    this.name = 'FileError';
  }
}

type Ok = { path?: string; entries?: FileEntry[]; bytes?: number };
/** The worker's message types that belong to the Files panel. */
const FILE_REPLIES = new Set<string>(['file-result', 'download-chunk', 'upload-ack', 'file-progress'] satisfies FilesReply['type'][]);

interface Pending {
  resolve(result: Ok): void;
  reject(error: FileError): void;
  chunk?(data: ArrayBuffer): void;
  acked?(bytes: number): void;
  progress?(bytes: number): void;
}

export interface RunningTransfer {
  /** Bytes moved; rejects with a FileError (kind 'cancelled' after cancel()). */
  readonly done: Promise<number>;
  cancel(): void;
}

/** Chunks sent to the worker: small enough to keep the window moving, at most the worker's MAX_UPLOAD_CHUNK. */
const UPLOAD_CHUNK = 256 * 1024;

export class FilesChannel {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly post: (message: FilesRequest, transfer?: Transferable[]) => void) {}

  /** Takes a Files message from the worker; false for any other message. */
  receive(message: { type: string }): message is FilesReply {
    if (!FILE_REPLIES.has(message.type)) return false;
    const m = message as FilesReply;
    switch (m.type) {
      case 'file-result': {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.ok) p?.resolve(m);
        else p?.reject(new FileError(m.kind, m.error));
        return true;
      }
      case 'download-chunk':
        this.pending.get(m.id)?.chunk?.(m.data);
        return true;
      case 'upload-ack':
        this.pending.get(m.id)?.acked?.(m.bytes);
        return true;
      case 'file-progress':
        this.pending.get(m.id)?.progress?.(m.bytes);
        return true;
      default:
        return false;
    }
  }

  /** The connection ended (or a new one replaced it): everything in flight fails with this sentence. */
  fail(sentence: string): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(new FileError('connection-lost', sentence));
  }

  request(op: FileOp): Promise<Ok> {
    const id = this.nextId++;
    return new Promise<Ok>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ type: 'file', id, ...op });
    });
  }

  /** Streams `path` into `write`, one chunk at a time; each chunk is acknowledged once written. */
  download(path: string, write: (chunk: Uint8Array) => Promise<void>, onProgress: (bytes: number) => void): RunningTransfer {
    const id = this.nextId++;
    let written = 0;
    let writing: Promise<void> = Promise.resolve();
    let failed: unknown;
    const done = new Promise<Ok>((resolve, reject) => {
      this.pending.set(id, {
        resolve,
        reject,
        chunk: (data) => {
          writing = writing.then(async () => {
            if (failed) return;
            try {
              await write(new Uint8Array(data));
            } catch (e) {
              failed = e;
              this.post({ type: 'cancel', id });
              return;
            }
            written += data.byteLength;
            onProgress(written);
            this.post({ type: 'download-ack', id, bytes: data.byteLength });
          });
        },
      });
      this.post({ type: 'download', id, path });
    }).then(
      async () => {
        await writing; // the last chunks may still be on their way to the disk
        if (failed) throw new FileError('failure', `Could not save “${path.split('/').pop()}” on this computer: ${String(failed)}`);
        return written;
      },
      async (e: unknown) => {
        await writing;
        if (failed) throw new FileError('failure', `Could not save “${path.split('/').pop()}” on this computer: ${String(failed)}`);
        throw e;
      },
    );
    return { done, cancel: () => this.post({ type: 'cancel', id }) };
  }

  /** Sends the file's bytes to `path`, never more than FILE_WINDOW ahead of what the worker has taken. */
  upload(path: string, file: Blob, onProgress: (bytes: number) => void): RunningTransfer {
    const id = this.nextId++;
    let inFlight = 0;
    let wake: (() => void) | undefined;
    let stopped = false;
    const stop = () => {
      stopped = true;
      wake?.();
    };
    const done = new Promise<Ok>((resolve, reject) => {
      this.pending.set(id, {
        resolve: (r) => { stop(); resolve(r); },
        reject: (e) => { stop(); reject(e); },
        acked: (bytes) => {
          inFlight -= bytes;
          wake?.();
        },
        progress: onProgress,
      });
      this.post({ type: 'upload', id, path, size: file.size });
    }).then((r) => r.bytes ?? file.size);
    void (async () => {
      const reader = file.stream().getReader();
      try {
        while (!stopped) {
          const { value, done: end } = await reader.read();
          if (end) break;
          for (let at = 0; at < value.length && !stopped; at += UPLOAD_CHUNK) {
            const piece = value.slice(at, at + UPLOAD_CHUNK); // a buffer of its own, transferred to the worker
            while (!stopped && inFlight + piece.length > FILE_WINDOW) await new Promise<void>((resolve) => (wake = resolve));
            if (stopped) break;
            inFlight += piece.length;
            this.post({ type: 'upload-chunk', id, data: piece.buffer }, [piece.buffer]);
          }
        }
        if (!stopped) this.post({ type: 'upload-end', id });
      } catch (e) {
        // The browser could not read the file (moved or deleted meanwhile): end the upload with its words.
        this.pending.get(id)?.reject(new FileError('failure', `Could not read “${file instanceof File ? file.name : 'the file'}” on this computer: ${String(e)}`));
        this.pending.delete(id);
        this.post({ type: 'cancel', id });
      } finally {
        void reader.cancel().catch(() => undefined);
      }
    })();
    return { done, cancel: () => { stop(); this.post({ type: 'cancel', id }); } };
  }
}
