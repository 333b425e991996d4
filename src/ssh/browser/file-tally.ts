// The worker's count of files moved over SFTP, for the relay's audit row (shared/rules/file-report.ts):
// it watches the Files part's messages go by (the page's requests, the worker's replies) and, after each
// transfer ends, sends the session's running totals. A finished transfer counts as a file with the bytes
// its file-result gives; one that failed or was cancelled counts no file but the bytes that moved (the
// chunks sent down to the page, the upload's bytes the server confirmed). At most one report per
// FILE_REPORT_INTERVAL_MS; one held back by that goes out when the interval ends, or at once on flush().
import { encodeFileReport, FILE_REPORT_INTERVAL_MS, type FileReport } from '../../shared/rules/file-report';
import type { FilesReply, FilesRequest } from './files/protocol';

export interface TallyClock {
  now(): number;
  /** Runs `fn` after `ms`; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
}

const realClock: TallyClock = {
  now: () => performance.now(),
  after: (ms, fn) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

export class FileTally {
  readonly totals: FileReport = { filesUp: 0, bytesUp: 0, filesDown: 0, bytesDown: 0 };
  /** Transfers under way, by the page's id: which way, and the bytes that have moved so far. */
  private readonly transfers = new Map<number, { up: boolean; bytes: number }>();
  private unsent = false;
  private lastSentAt = -Infinity;
  private cancelTimer: (() => void) | undefined;

  /** `send` takes the report's text; it may drop it (no relay to send it to). */
  constructor(private readonly send: (text: string) => void, private readonly clock: TallyClock = realClock) {}

  /** A request from the page to the Files part. */
  request(m: FilesRequest): void {
    if ((m.type === 'upload' || m.type === 'download') && !this.transfers.has(m.id)) {
      this.transfers.set(m.id, { up: m.type === 'upload', bytes: 0 });
    }
  }

  /** A reply from the Files part, before it is posted (its buffers are transferred then). */
  reply(m: FilesReply): void {
    const t = this.transfers.get(m.id);
    if (!t) return;
    if (m.type === 'download-chunk' && !t.up) t.bytes += m.data.byteLength;
    else if (m.type === 'file-progress' && t.up) t.bytes = Math.max(t.bytes, m.bytes);
    else if (m.type === 'file-result') {
      this.transfers.delete(m.id);
      const bytes = m.ok && m.bytes !== undefined ? m.bytes : t.bytes;
      const files = m.ok ? 1 : 0;
      if (files === 0 && bytes === 0) return;
      if (t.up) {
        this.totals.filesUp += files;
        this.totals.bytesUp += bytes;
      } else {
        this.totals.filesDown += files;
        this.totals.bytesDown += bytes;
      }
      this.changed();
    }
  }

  /** Sends the totals now if they changed since the last report (the session is about to end). */
  flush(): void {
    if (this.unsent) this.sendNow();
  }

  private changed(): void {
    this.unsent = true;
    const wait = this.lastSentAt + FILE_REPORT_INTERVAL_MS - this.clock.now();
    if (wait <= 0) this.sendNow();
    else this.cancelTimer ??= this.clock.after(wait, () => {
      this.cancelTimer = undefined;
      this.flush();
    });
  }

  private sendNow(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.unsent = false;
    this.lastSentAt = this.clock.now();
    this.send(encodeFileReport(this.totals));
  }
}
