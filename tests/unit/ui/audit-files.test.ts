// The Audit view's sentence for a session's file counts (src/console/audit-files.ts).
import { describe, expect, it } from 'vitest';
import { describeFiles } from '../../../src/console/audit-files.ts';

describe('describeFiles', () => {
  it('says both ways, and whose word it is', () => {
    expect(describeFiles({ up: 2, bytesUp: 1_468_006, down: 1, bytesDown: 300_000, countedBy: 'client' }))
      .toEqual({ moved: '2 files (1.4 MB) to the machine, 1 file (293 KB) from it', by: 'reported by the client' });
    expect(describeFiles({ up: 0, bytesUp: 0, down: 1, bytesDown: 12, countedBy: 'proxy' }))
      .toEqual({ moved: '1 file (12 B) from the machine', by: 'counted by the proxy' });
    expect(describeFiles({ up: 3, bytesUp: 201_216, down: 0, bytesDown: 0, countedBy: 'proxy' })?.moved).toBe('3 files (197 KB) to the machine');
  });

  it('says when nothing moved, when only parts of files did, and nothing when nothing was counted', () => {
    expect(describeFiles({ up: 0, bytesUp: 0, down: 0, bytesDown: 0, countedBy: 'proxy' })).toEqual({ moved: 'No files', by: 'counted by the proxy' });
    expect(describeFiles({ up: 0, bytesUp: 12 * 1024 * 1024, down: 1, bytesDown: 0, countedBy: 'client' })?.moved)
      .toBe('unfinished transfers (12 MB) to the machine, 1 file (0 B) from it');
    expect(describeFiles(undefined)).toBeUndefined();
  });
});
