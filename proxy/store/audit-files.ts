// An audit row's file columns (migration 6) to and from the API's FileCounts, for both stores: the
// five columns are written together or not at all, so a row has all of them or none.
import type { FileCounts } from '../../src/shared/api.ts';

/** The values of files_up, files_down, file_bytes_up, file_bytes_down, files_counted_by, or five nulls. */
export function fileColumnValues(files: FileCounts | undefined): (number | string | null)[] {
  return files ? [files.up, files.down, files.bytesUp, files.bytesDown, files.countedBy] : [null, null, null, null, null];
}

/** A row's file counts (PostgreSQL hands bigints over as strings), or undefined when it has none. */
export function filesOfRow(r: Record<string, unknown>): FileCounts | undefined {
  const by = r.files_counted_by;
  if (by !== 'proxy' && by !== 'client') return undefined;
  return { up: Number(r.files_up), down: Number(r.files_down), bytesUp: Number(r.file_bytes_up), bytesDown: Number(r.file_bytes_down), countedBy: by };
}
