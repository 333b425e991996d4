import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatDuration, formatTime } from '../../../src/ui/format';

describe('table formatting', () => {
  it('bytes', () => {
    expect(formatBytes(undefined)).toBe('');
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB');
    expect(formatBytes(300 * 1024 * 1024)).toBe('300 MB');
  });
  it('durations', () => {
    expect(formatDuration(undefined)).toBe('');
    expect(formatDuration(250)).toBe('250 ms');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(3_720_000)).toBe('1 h 2 min');
  });
  it('counts show only when an entry stands for more than one event', () => {
    expect(formatCount(undefined)).toBe('');
    expect(formatCount(1)).toBe('');
    expect(formatCount(2)).toBe('×2');
    expect(formatCount(1500)).toBe('×1500');
  });
  it('times keep unparseable input as it is', () => {
    expect(formatTime('garbage')).toBe('garbage');
    expect(formatTime('2024-12-09T14:03:00')).toBe('2024-12-09 14:03');
  });
});
