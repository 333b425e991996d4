// The SSH page's file report: SFTP runs end to end inside the SSH session, so the proxy cannot see files
// cross. The page's worker tells the relay its running totals instead, as one small JSON text message
// on the relay's WebSocket (beside the binary messages that carry the session's bytes), and the relay
// writes the last valid one into the session's audit row, marked as reported by the client.
// Totals, not increments: a report that is lost or ignored costs nothing, the next one says it all.
// The worker encodes with encodeFileReport; the relay reads with readFileReport, which is strict: the
// report is the visitor's word, from the network, and anything but this exact shape ends the session.

/** Files and bytes of files moved so far in one session: "up" to the machine, "down" from it. */
export interface FileReport {
  filesUp: number;
  bytesUp: number;
  filesDown: number;
  bytesDown: number;
}

/** Exactly these keys, no more. */
export const FILE_REPORT_KEYS = ['filesUp', 'bytesUp', 'filesDown', 'bytesDown'] as const;

/** The longest report, in bytes of UTF-8 (four safe integers need about 100). */
export const MAX_FILE_REPORT_BYTES = 256;

/** The relay takes at most this many reports a second (more are ignored, not refused). */
export const FILE_REPORTS_PER_SECOND = 4;

/** The worker sends at most one report per this many milliseconds: well inside the relay's rate. */
export const FILE_REPORT_INTERVAL_MS = 500;

export function encodeFileReport(r: FileReport): string {
  return JSON.stringify({ filesUp: r.filesUp, bytesUp: r.bytesUp, filesDown: r.filesDown, bytesDown: r.bytesDown });
}

const utf8 = new TextEncoder();

/**
 * Reads one text message as a report: the totals, or a sentence saying why it is not one. `previous` is
 * the last report taken on this session: totals only grow, so one that goes down is refused.
 */
export function readFileReport(text: string | Uint8Array, previous?: FileReport): FileReport | { error: string } {
  const size = typeof text === 'string' ? utf8.encode(text).length : text.length;
  if (size > MAX_FILE_REPORT_BYTES) return { error: `The file report is longer than ${MAX_FILE_REPORT_BYTES} bytes.` };
  let value: unknown;
  try {
    value = JSON.parse(typeof text === 'string' ? text : new TextDecoder('utf-8', { fatal: true }).decode(text));
  } catch {
    return { error: 'The file report is not JSON.' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'The file report is not a JSON object.' };
  const fields = value as Record<string, unknown>;
  const keys = Object.keys(fields);
  if (keys.length !== FILE_REPORT_KEYS.length || !FILE_REPORT_KEYS.every((k) => Object.hasOwn(fields, k))) {
    return { error: `The file report must have exactly ${FILE_REPORT_KEYS.join(', ')}.` };
  }
  for (const k of FILE_REPORT_KEYS) {
    const v = fields[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      return { error: `The file report's ${k} is not a whole number from 0 to ${Number.MAX_SAFE_INTEGER}.` };
    }
  }
  const report = fields as unknown as FileReport;
  for (const k of FILE_REPORT_KEYS) {
    if (previous && report[k] < previous[k]) return { error: `The file report's ${k} went down (from ${previous[k]} to ${report[k]}): totals only grow.` };
  }
  return { filesUp: report.filesUp, bytesUp: report.bytesUp, filesDown: report.filesDown, bytesDown: report.bytesDown };
}
