// Counts the files and file bytes that cross RDP's clipboard channel, each way, for the session's
// audit row: it sees each whole CLIPRDR message after the link's rules let it cross. A file counts
// once per clipboard list it was offered in, when bytes of it arrived; bytes are the data of File
// Contents Responses to range requests (a size request's 8-byte answer is not file data).
// "to" is page → machine (upload), "from" machine → page (download). Nothing here keeps content.

import type { FileCounts } from '../../src/shared/api.ts';
import type { Side } from './clipboard-bridge.ts';
import type { BlockedWay } from './clipboard-rule.ts';
import { CB_RESPONSE_OK, FILECONTENTS_RANGE, MSG, readFileContentsRequest, readFileContentsResponse, readMessage } from './cliprdr.ts';

export interface FileTally {
  files: number;
  bytes: number;
}

/** Requests awaiting an answer, per asking side; a peer that never answers cannot grow this past it. */
const MAX_OUTSTANDING = 256;
/** Files remembered per list (a list names at most this many that the proxy tells apart). */
const MAX_FILES_PER_LIST = 65_536;

export class ClipboardFileCount {
  readonly to: FileTally = { files: 0, bytes: 0 };
  readonly from: FileTally = { files: 0, bytes: 0 };
  /** Range requests by stream id, per the side that asked, with the file's index in the current list. */
  private asked: Record<Side, Map<number, { index: number; range: boolean }>> = { client: new Map(), server: new Map() };
  /** Files already counted in each sender's current list. */
  private counted: Record<Side, Set<number>> = { client: new Set(), server: new Set() };

  /** A whole message from `from` that crossed. */
  see(from: Side, bytes: Uint8Array): void {
    const msg = readMessage(bytes);
    if (!msg) return;
    const peer: Side = from === 'client' ? 'server' : 'client';
    if (msg.type === MSG.formatList) {
      this.counted[from] = new Set();
    } else if (msg.type === MSG.fileContentsRequest) {
      const r = readFileContentsRequest(msg.data);
      if (!r) return;
      const asked = this.asked[from];
      asked.delete(r.streamId);
      asked.set(r.streamId, { index: r.index, range: (r.flags & FILECONTENTS_RANGE) !== 0 });
      if (asked.size > MAX_OUTSTANDING) asked.delete(asked.keys().next().value as number);
    } else if (msg.type === MSG.fileContentsResponse) {
      const r = readFileContentsResponse(msg.data);
      const request = r && this.asked[peer].get(r.streamId);
      if (!r || !request) return;
      this.asked[peer].delete(r.streamId);
      if (!(msg.flags & CB_RESPONSE_OK) || !request.range) return;
      const tally = this[wayOf(from)];
      tally.bytes += r.length;
      const counted = this.counted[from];
      if (r.length > 0 && !counted.has(request.index) && counted.size < MAX_FILES_PER_LIST) {
        counted.add(request.index);
        tally.files++;
      }
    }
  }

  /** The counts as the audit row's file columns, counted by the proxy. */
  counts(): FileCounts {
    return { up: this.to.files, down: this.from.files, bytesUp: this.to.bytes, bytesDown: this.from.bytes, countedBy: 'proxy' };
  }
}

/** The way a message from `from` carries content. */
const wayOf = (from: Side): BlockedWay => (from === 'client' ? 'to' : 'from');
