// The SSH worker's count of files moved (src/ssh/browser/file-tally.ts): it watches the Files part's
// messages and sends the relay cumulative totals after each transfer ends, at most one report per
// interval, the last held back one sent when the interval ends or on flush().
import { describe, expect, it } from 'vitest';
import { FileTally } from '../../../src/ssh/browser/file-tally.ts';
import { FILE_REPORT_INTERVAL_MS, readFileReport } from '../../../src/shared/rules/file-report.ts';

function harness() {
  let t = 1000;
  const timers: { at: number; fn: () => void; live: boolean }[] = [];
  const sent: unknown[] = [];
  const tally = new FileTally((text) => {
    const r = readFileReport(text); // what the worker sends is exactly what the relay takes
    if ('error' in r) throw new Error(r.error);
    sent.push(r);
  }, {
    now: () => t,
    after: (ms, fn) => {
      const timer = { at: t + ms, fn, live: true };
      timers.push(timer);
      return () => (timer.live = false);
    },
  });
  const advance = (ms: number) => {
    t += ms;
    for (const x of timers.splice(0)) {
      if (x.live && x.at <= t) x.fn();
      else if (x.live) timers.push(x);
    }
  };
  return { tally, sent, advance };
}

describe('FileTally', () => {
  it('counts a finished upload and download with their bytes, and reports totals after each', () => {
    const { tally, sent, advance } = harness();
    tally.request({ type: 'upload', id: 1, path: '/home/a', size: 1500 });
    tally.reply({ type: 'upload-ack', id: 1, bytes: 1500 });
    tally.reply({ type: 'file-progress', id: 1, bytes: 1500 });
    expect(sent).toEqual([]); // nothing until the transfer ends
    tally.reply({ type: 'file-result', id: 1, ok: true, bytes: 1500 });
    expect(sent).toEqual([{ filesUp: 1, bytesUp: 1500, filesDown: 0, bytesDown: 0 }]);

    advance(FILE_REPORT_INTERVAL_MS);
    tally.request({ type: 'download', id: 2, path: '/home/b' });
    tally.reply({ type: 'download-chunk', id: 2, data: new ArrayBuffer(300) });
    tally.reply({ type: 'file-result', id: 2, ok: true, bytes: 300 });
    expect(sent.at(-1)).toEqual({ filesUp: 1, bytesUp: 1500, filesDown: 1, bytesDown: 300 });
  });

  it('ignores operations that move no file, and replies to ids it was never asked about', () => {
    const { tally, sent } = harness();
    tally.request({ type: 'file', id: 3, op: 'list', path: '/' });
    tally.reply({ type: 'file-result', id: 3, ok: true, entries: [] });
    tally.reply({ type: 'file-result', id: 4, ok: true, bytes: 99 });
    tally.reply({ type: 'download-chunk', id: 5, data: new ArrayBuffer(10) });
    expect(sent).toEqual([]);
  });

  it('a cancelled or failed transfer counts the bytes that moved but no file', () => {
    const { tally, sent, advance } = harness();
    tally.request({ type: 'download', id: 1, path: '/big' });
    tally.reply({ type: 'download-chunk', id: 1, data: new ArrayBuffer(1000) });
    tally.reply({ type: 'download-chunk', id: 1, data: new ArrayBuffer(24) });
    tally.reply({ type: 'file-result', id: 1, ok: false, kind: 'cancelled', error: 'The transfer was cancelled.' });
    expect(sent).toEqual([{ filesUp: 0, bytesUp: 0, filesDown: 0, bytesDown: 1024 }]);
    advance(FILE_REPORT_INTERVAL_MS);
    tally.request({ type: 'upload', id: 2, path: '/up', size: 10_000 });
    tally.reply({ type: 'file-progress', id: 2, bytes: 4096 });
    tally.reply({ type: 'file-progress', id: 2, bytes: 8192 });
    tally.reply({ type: 'file-result', id: 2, ok: false, kind: 'no-space', error: 'No space left.' });
    expect(sent.at(-1)).toEqual({ filesUp: 0, bytesUp: 8192, filesDown: 0, bytesDown: 1024 });
    // A refusal before any byte moved changes nothing and sends nothing.
    advance(FILE_REPORT_INTERVAL_MS);
    tally.request({ type: 'download', id: 3, path: '/secret' });
    tally.reply({ type: 'file-result', id: 3, ok: false, kind: 'permission-denied', error: 'permission denied' });
    expect(sent).toHaveLength(2);
  });

  it('sends at most one report per interval: later ones are folded into one when it ends, or on flush', () => {
    const { tally, sent, advance } = harness();
    const finish = (id: number) => {
      tally.request({ type: 'upload', id, path: `/f${id}`, size: 10 });
      tally.reply({ type: 'file-result', id, ok: true, bytes: 10 });
    };
    finish(1);
    finish(2);
    finish(3);
    expect(sent).toEqual([{ filesUp: 1, bytesUp: 10, filesDown: 0, bytesDown: 0 }]);
    advance(FILE_REPORT_INTERVAL_MS - 1);
    expect(sent).toHaveLength(1);
    advance(1);
    expect(sent).toEqual([{ filesUp: 1, bytesUp: 10, filesDown: 0, bytesDown: 0 }, { filesUp: 3, bytesUp: 30, filesDown: 0, bytesDown: 0 }]);
    tally.flush(); // nothing new: nothing sent
    expect(sent).toHaveLength(2);
    finish(4);
    tally.flush(); // the session ends: the held-back totals go at once
    expect(sent.at(-1)).toEqual({ filesUp: 4, bytesUp: 40, filesDown: 0, bytesDown: 0 });
    advance(FILE_REPORT_INTERVAL_MS);
    expect(sent).toHaveLength(3); // the cancelled timer sent nothing more
  });

  it('an id reused while its transfer runs keeps the first transfer\'s way', () => {
    const { tally, sent } = harness();
    tally.request({ type: 'upload', id: 1, path: '/a', size: 5 });
    tally.request({ type: 'download', id: 1, path: '/b' });
    tally.reply({ type: 'file-result', id: 1, ok: true, bytes: 5 });
    expect(sent).toEqual([{ filesUp: 1, bytesUp: 5, filesDown: 0, bytesDown: 0 }]);
  });
});
