// The Files panel's words and paths: progress with rate and time left, sizes and dates, folder paths.
// Pure, so unit tests pin them down.
import { formatBytes, formatTime } from '../../../ui/format';
import type { FileEntry } from './protocol';

/** Rates are not shown before this much of a transfer has run: the first chunks say little about the speed. */
const SETTLE_MS = 500;

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** "about 40 s left", "about 3 min left", "about 1 h 5 min left"; under a second: "less than a second left". */
export function formatTimeLeft(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 1) return 'less than a second left';
  const s = Math.ceil(seconds);
  if (s < 60) return `about ${s} s left`;
  const m = Math.round(s / 60);
  if (m < 60) return `about ${m} min left`;
  return `about ${Math.floor(m / 60)} h ${m % 60} min left`;
}

export interface Progress {
  bytes: number;
  /** Unknown for a file whose size the server did not give. */
  total?: number;
  /** ms, on one clock with `now`. */
  startedAt: number;
  now: number;
}

/** "12 MB of 200 MB · 5.1 MB/s · about 37 s left" (the rate and time once the transfer has run a little). */
export function progressLine(p: Progress): string {
  const parts = [p.total !== undefined ? `${formatBytes(p.bytes)} of ${formatBytes(p.total)}` : formatBytes(p.bytes)];
  const elapsed = p.now - p.startedAt;
  if (elapsed >= SETTLE_MS && p.bytes > 0) {
    const rate = (p.bytes * 1000) / elapsed;
    parts.push(formatRate(rate));
    if (p.total !== undefined && p.total >= p.bytes) parts.push(formatTimeLeft((p.total - p.bytes) / rate));
  }
  return parts.join(' · ');
}

/** The share done, 0 to 1; undefined when the size is not known. An empty file is done at once. */
export function fraction(bytes: number, total: number | undefined): number | undefined {
  if (total === undefined) return undefined;
  return total === 0 ? 1 : Math.min(1, bytes / total);
}

/** Folders first, then files, each by name as people sort them (numbers in order, case aside). */
export function sortEntries(entries: readonly FileEntry[]): FileEntry[] {
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  return [...entries].sort((a, b) => Number(b.folder) - Number(a.folder) || collator.compare(a.name, b.name));
}

/** A modification time (seconds since 1970) as "2024-12-09 14:03" in the viewer's time zone. */
export function formatModified(mtime: number | undefined): string {
  return mtime === undefined ? '' : formatTime(new Date(mtime * 1000).toISOString());
}

/** `name` inside the folder `dir` (an absolute path, as REALPATH gives it). */
export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

/** The folder above `dir`; "/" stays "/". */
export function parentPath(dir: string): string {
  const trimmed = dir.replace(/\/+$/, '');
  const at = trimmed.lastIndexOf('/');
  return at <= 0 ? '/' : trimmed.slice(0, at);
}

/** Why a name typed for a new folder or a rename cannot be used, or '' when it can. */
export function nameProblem(name: string): string {
  if (!name.trim()) return 'Type a name.';
  if (name === '.' || name === '..') return `“${name}” is not a name a file can have.`;
  if (name.includes('/')) return 'A name cannot contain “/”.';
  if (name.includes('\0')) return 'A name cannot contain a NUL character.';
  if (new TextEncoder().encode(name).length > 255) return 'That name is too long (at most 255 bytes).';
  return '';
}
