// The SSH page's file report as the relay reads it (src/shared/rules/file-report.ts) and takes it
// (proxy/relay/file-report.ts): exactly four non-negative safe integers that never go down, in at most
// 256 bytes, at most a few a second. Everything else is refused with a sentence, or ignored when too fast.
import { describe, expect, it } from 'vitest';
import {
  encodeFileReport, FILE_REPORTS_PER_SECOND, MAX_FILE_REPORT_BYTES, readFileReport, type FileReport,
} from '../../../src/shared/rules/file-report.ts';
import { FileReports } from '../../../proxy/relay/file-report.ts';

const good: FileReport = { filesUp: 2, bytesUp: 1_468_006, filesDown: 1, bytesDown: 300_000 };
const bytes = (s: string) => new TextEncoder().encode(s);
const error = (r: ReturnType<typeof readFileReport>) => ('error' in r ? r.error : undefined);

describe('readFileReport', () => {
  it('reads what the worker writes, as text or as UTF-8 bytes', () => {
    const text = encodeFileReport(good);
    expect(readFileReport(text)).toEqual(good);
    expect(readFileReport(bytes(text))).toEqual(good);
    expect(readFileReport(bytes('{ "bytesDown": 0, "filesDown": 0, "bytesUp": 0, "filesUp": 0 }'))).toEqual({ filesUp: 0, bytesUp: 0, filesDown: 0, bytesDown: 0 });
  });

  it('takes the largest totals, which still fit in 256 bytes', () => {
    const max = Number.MAX_SAFE_INTEGER;
    const text = encodeFileReport({ filesUp: max, bytesUp: max, filesDown: max, bytesDown: max });
    expect(bytes(text).length).toBeLessThanOrEqual(MAX_FILE_REPORT_BYTES);
    expect(readFileReport(text)).toEqual({ filesUp: max, bytesUp: max, filesDown: max, bytesDown: max });
  });

  const MALFORMED: [string, string | Uint8Array, RegExp][] = [
    ['not JSON', 'filesUp=1', /not JSON/],
    ['cut short', encodeFileReport(good).slice(0, -1), /not JSON/],
    ['empty', '', /not JSON/],
    ['bytes that are not UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), /not JSON/],
    ['longer than 256 bytes (padding)', `${encodeFileReport(good)}${' '.repeat(MAX_FILE_REPORT_BYTES)}`, /longer than 256 bytes/],
    ['longer than 256 bytes (1 MB)', new Uint8Array(1 << 20).fill(0x20), /longer than 256 bytes/],
    ['a JSON array', '[2, 1468006, 1, 300000]', /not a JSON object/],
    ['JSON null', 'null', /not a JSON object/],
    ['a JSON number', '7', /not a JSON object/],
    ['a JSON string', '"filesUp"', /not a JSON object/],
    ['a key missing', '{"filesUp":1,"bytesUp":2,"filesDown":3}', /exactly filesUp, bytesUp, filesDown, bytesDown/],
    ['an extra key', '{"filesUp":1,"bytesUp":2,"filesDown":3,"bytesDown":4,"note":"x"}', /exactly/],
    ['a key misspelt', '{"filesUp":1,"bytesUp":2,"filesDown":3,"bytesdown":4}', /exactly/],
    ['a __proto__ key', '{"filesUp":1,"bytesUp":2,"filesDown":3,"__proto__":{"bytesDown":4}}', /exactly/],
    ['a negative count', '{"filesUp":-1,"bytesUp":2,"filesDown":3,"bytesDown":4}', /filesUp is not a whole number/],
    ['a float', '{"filesUp":1,"bytesUp":2.5,"filesDown":3,"bytesDown":4}', /bytesUp is not a whole number/],
    ['past 2^53', '{"filesUp":1,"bytesUp":2,"filesDown":3,"bytesDown":9007199254740993}', /bytesDown is not a whole number/],
    ['huge (1e308)', '{"filesUp":1,"bytesUp":1e308,"filesDown":3,"bytesDown":4}', /bytesUp is not a whole number/],
    ['infinite (1e999)', '{"filesUp":1,"bytesUp":2,"filesDown":1e999,"bytesDown":4}', /filesDown is not a whole number/],
    ['a number in a string', '{"filesUp":"1","bytesUp":2,"filesDown":3,"bytesDown":4}', /filesUp is not a whole number/],
    ['a boolean', '{"filesUp":true,"bytesUp":2,"filesDown":3,"bytesDown":4}', /filesUp is not a whole number/],
    ['null for a count', '{"filesUp":null,"bytesUp":2,"filesDown":3,"bytesDown":4}', /filesUp is not a whole number/],
  ];
  for (const [what, input, sentence] of MALFORMED) {
    it(`refuses ${what} with a sentence`, () => {
      expect(error(readFileReport(input))).toMatch(sentence);
    });
  }

  it('refuses totals that go down, naming the one that did; equal totals are fine', () => {
    expect(readFileReport(encodeFileReport(good), good)).toEqual(good);
    expect(error(readFileReport(encodeFileReport({ ...good, bytesDown: 299_999 }), good)))
      .toBe('The file report\'s bytesDown went down (from 300000 to 299999): totals only grow.');
    expect(error(readFileReport(encodeFileReport({ ...good, filesUp: 0, bytesUp: 9e9 }), good))).toMatch(/filesUp went down/);
  });
});

describe('FileReports (the relay\'s side)', () => {
  const clock = () => {
    let t = 0;
    return { now: () => t, tick: (ms: number) => (t += ms) };
  };

  it('keeps the last valid report, and says why a bad one ends the session', () => {
    const c = clock();
    const r = new FileReports(c.now);
    expect(r.last).toBeUndefined();
    expect(r.take(bytes(encodeFileReport({ filesUp: 1, bytesUp: 10, filesDown: 0, bytesDown: 0 })))).toBeUndefined();
    c.tick(1000);
    expect(r.take(bytes(encodeFileReport(good)))).toBeUndefined();
    expect(r.last).toEqual(good);
    c.tick(1000);
    expect(r.take(bytes(encodeFileReport({ ...good, filesDown: 0 })))).toMatch(/filesDown went down/);
    expect(r.take(bytes('{"filesUp":1}'))).toMatch(/exactly/);
    expect(r.last).toEqual(good);
  });

  it('takes at most a few a second and ignores the rest unread, then takes more as time passes', () => {
    const c = clock();
    const r = new FileReports(c.now);
    const report = (n: number) => bytes(encodeFileReport({ filesUp: n, bytesUp: n, filesDown: 0, bytesDown: 0 }));
    for (let n = 1; n <= FILE_REPORTS_PER_SECOND; n++) expect(r.take(report(n))).toBeUndefined();
    expect(r.last?.filesUp).toBe(FILE_REPORTS_PER_SECOND);
    // Over the rate: dropped unread, even a malformed one, and the totals stay.
    expect(r.take(report(99))).toBeUndefined();
    expect(r.take(bytes('not json'))).toBeUndefined();
    expect(r.ignored).toBe(2);
    expect(r.last?.filesUp).toBe(FILE_REPORTS_PER_SECOND);
    c.tick(1000 / FILE_REPORTS_PER_SECOND);
    expect(r.take(report(100))).toBeUndefined();
    expect(r.last?.filesUp).toBe(100);
    c.tick(1000 / FILE_REPORTS_PER_SECOND);
    expect(r.take(bytes('not json'))).toBe('The file report is not JSON.');
  });

  it('a flood of 10 000 messages in one second takes only the rate\'s worth', () => {
    const c = clock();
    const r = new FileReports(c.now);
    let taken = 0;
    for (let i = 1; i <= 10_000; i++) {
      c.tick(0.1);
      if (r.take(bytes(encodeFileReport({ filesUp: i, bytesUp: i, filesDown: 0, bytesDown: 0 }))) === undefined && r.last?.filesUp === i) taken++;
    }
    expect(taken).toBeLessThanOrEqual(2 * FILE_REPORTS_PER_SECOND);
    expect(r.ignored).toBe(10_000 - taken);
  });
});
