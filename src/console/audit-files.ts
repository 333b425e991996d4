// An audit row's file counts as the Audit view says them: what moved each way, and whose word it is.
import type { FileCounts } from '../shared/api';
import { formatBytes } from '../ui/format';

export interface FilesText {
  /** "2 files (1.4 MB) to the machine, 1 file (293 KB) from it" */
  moved: string;
  /** "reported by the client" (SSH: the page's word) or "counted by the proxy" (RDP's clipboard). */
  by: string;
}

/** One way: "2 files (1.4 MB)", or for bytes of transfers that did not finish, "unfinished transfers (12 MB)". */
function way(files: number, bytes: number): string | undefined {
  if (files === 0 && bytes === 0) return undefined;
  const what = files === 0 ? 'unfinished transfers' : `${files} file${files === 1 ? '' : 's'}`;
  return `${what} (${formatBytes(bytes)})`;
}

export function describeFiles(f: FileCounts | undefined): FilesText | undefined {
  if (!f) return undefined;
  const up = way(f.up, f.bytesUp);
  const down = way(f.down, f.bytesDown);
  const moved = up && down ? `${up} to the machine, ${down} from it`
    : up ? `${up} to the machine`
    : down ? `${down} from the machine`
    : 'No files';
  return { moved, by: f.countedBy === 'client' ? 'reported by the client' : 'counted by the proxy' };
}
