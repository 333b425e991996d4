// The Files panel's progress lines, sort order, paths and name checks.
import { describe, expect, test } from 'vitest';
import { formatRate, formatTimeLeft, fraction, joinPath, nameProblem, parentPath, progressLine, sortEntries } from '../../../src/ssh/browser/files/format';

const MB = 1024 * 1024;

describe('progress', () => {
  test('bytes of total, rate and time left once the transfer has run half a second', () => {
    expect(progressLine({ bytes: 0, total: 200 * MB, startedAt: 0, now: 100 })).toBe('0 B of 200 MB');
    expect(progressLine({ bytes: 10 * MB, total: 200 * MB, startedAt: 0, now: 2000 })).toBe('10 MB of 200 MB · 5.0 MB/s · about 38 s left');
    expect(progressLine({ bytes: 3 * MB, startedAt: 0, now: 1000 })).toBe('3.0 MB · 3.0 MB/s');
  });
  test('rates and times', () => {
    expect(formatRate(512)).toBe('512 B/s');
    expect(formatRate(1.5 * MB)).toBe('1.5 MB/s');
    expect(formatTimeLeft(0.2)).toBe('less than a second left');
    expect(formatTimeLeft(42.3)).toBe('about 43 s left');
    expect(formatTimeLeft(59.2)).toBe('about 1 min left');
    expect(formatTimeLeft(185)).toBe('about 3 min left');
    expect(formatTimeLeft(3900)).toBe('about 1 h 5 min left');
    expect(formatTimeLeft(Infinity)).toBe('');
  });
  test('the share done; an empty file is done, an unknown size has none', () => {
    expect(fraction(50, 200)).toBe(0.25);
    expect(fraction(0, 0)).toBe(1);
    expect(fraction(300, 200)).toBe(1);
    expect(fraction(5, undefined)).toBeUndefined();
  });
});

describe('listing', () => {
  test('folders first, then files, numbers in order and case aside', () => {
    const e = (name: string, folder = false) => ({ name, folder, link: false });
    expect(sortEntries([e('b.txt'), e('file10'), e('Zed', true), e('file2'), e('a', true), e('A.txt')]).map((x) => x.name))
      .toEqual(['a', 'Zed', 'A.txt', 'b.txt', 'file2', 'file10']);
  });
  test('paths up and down', () => {
    expect(joinPath('/home/u', 'x y')).toBe('/home/u/x y');
    expect(joinPath('/', 'etc')).toBe('/etc');
    expect(parentPath('/home/u')).toBe('/home');
    expect(parentPath('/home')).toBe('/');
    expect(parentPath('/')).toBe('/');
    expect(parentPath('/home/u/')).toBe('/home');
  });
  test('names a file can have', () => {
    expect(nameProblem('notes ü.txt')).toBe('');
    expect(nameProblem(' ')).toBe('Type a name.');
    expect(nameProblem('..')).toBe('“..” is not a name a file can have.');
    expect(nameProblem('a/b')).toBe('A name cannot contain “/”.');
    expect(nameProblem('a\0b')).toBe('A name cannot contain a NUL character.');
    expect(nameProblem('é'.repeat(128))).toBe('That name is too long (at most 255 bytes).');
  });
});
