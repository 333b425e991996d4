// The relay's side of the SSH page's file report (src/shared/rules/file-report.ts): takes the text
// messages of one session, keeps the last valid report for the audit row, and says when a message
// must end the session. Only text messages come here; the binary relay path never does.
import { FILE_REPORTS_PER_SECOND, readFileReport, type FileReport } from '../../src/shared/rules/file-report.ts';

export class FileReports {
  /** The last report taken; undefined until one arrives. */
  last: FileReport | undefined;
  /** Reports ignored for coming faster than FILE_REPORTS_PER_SECOND. */
  ignored = 0;
  /** A token bucket: up to FILE_REPORTS_PER_SECOND at once, refilled at that rate. */
  private tokens = FILE_REPORTS_PER_SECOND;
  private refilledAt: number;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.refilledAt = now();
  }

  /**
   * One text message. Returns undefined when it was taken (or ignored, over the rate), else the
   * sentence to close the connection with. Over the rate, a message is dropped unread: a flood costs
   * no parsing, and a later report carries the totals anyway.
   */
  take(data: Uint8Array): string | undefined {
    const t = this.now();
    this.tokens = Math.min(FILE_REPORTS_PER_SECOND, this.tokens + ((t - this.refilledAt) * FILE_REPORTS_PER_SECOND) / 1000);
    this.refilledAt = t;
    if (this.tokens < 1) {
      this.ignored++;
      return undefined;
    }
    this.tokens--;
    const report = readFileReport(data, this.last);
    if ('error' in report) return report.error;
    this.last = report;
    return undefined;
  }
}
