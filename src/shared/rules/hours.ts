// Weekly hours in a time zone: "Monday to Friday, 08:00–18:00 in Europe/Berlin". Whether an instant is
// inside them, and when that next changes, computed with the platform's time-zone data (Intl), so the
// proxy and the browser agree and daylight-saving changes fall where the zone puts them. Pure: every
// function takes the instant it judges; nothing reads a clock.

import type { Weekday, WeeklyHours } from '../api.ts';

export interface HoursState {
  open: boolean;
  /** The next instant at which `open` changes, if it does within the next eight days. */
  next?: Date;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether the platform knows this zone. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface WallTime { year: number; month: number; day: number; hour: number; minute: number; second: number }

function wallTime(at: number, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(at))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}

/** How far the zone's wall clock is ahead of UTC at this instant (ms). */
function offsetAt(at: number, timeZone: string): number {
  const w = wallTime(at, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(at / 1000) * 1000;
}

/**
 * The instant a wall-clock time happens in a zone. A time skipped by a daylight-saving jump happens at
 * the jump (the window opens as the clocks change); a time that happens twice is taken the first time.
 */
export function instantOf(year: number, month: number, day: number, minutes: number, timeZone: string): number {
  const asUtc = Date.UTC(year, month - 1, day, 0, minutes);
  // Offsets are within ±14 h, so the zone's offsets 14 h either side bracket the answer (no zone
  // changes twice in a day); the larger offset gives the earlier instant, tried first.
  const offsets = [offsetAt(asUtc - 14 * 3600_000, timeZone), offsetAt(asUtc + 14 * 3600_000, timeZone)].sort((a, b) => b - a);
  for (const o of offsets) {
    const t = asUtc - o;
    if (offsetAt(t, timeZone) === o) return t;
  }
  // In a gap: the wall time never shows; the clocks jump past it at the transition.
  const before = asUtc - Math.max(...offsets);
  const after = asUtc - Math.min(...offsets);
  let lo = Math.min(before, after);
  let hi = Math.max(before, after);
  const startOffset = offsetAt(lo, timeZone);
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2 / 1000) * 1000;
    if (offsetAt(mid, timeZone) === startOffset) lo = mid;
    else hi = mid;
  }
  return hi;
}

export function minutesOf(hhmm: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new RangeError(`"${hhmm}" is not a time of day like 08:30.`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** The windows' opening spans (UTC ms) that touch the eight days around `at`. */
function spans(hours: WeeklyHours, at: number): [number, number][] {
  const out: [number, number][] = [];
  const today = wallTime(at, hours.timeZone);
  for (let d = -1; d <= 8; d++) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day) + d * DAY);
    const weekday = date.getUTCDay() as Weekday;
    for (const w of hours.windows) {
      if (!w.days.includes(weekday)) continue;
      const [y, m, dd] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
      const from = instantOf(y, m, dd, minutesOf(w.from), hours.timeZone);
      const to = instantOf(y, m, dd, minutesOf(w.to), hours.timeZone);
      if (to > from) out.push([from, to]);
    }
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** Whether `at` is inside the hours, and when that next changes. */
export function hoursState(hours: WeeklyHours, at: Date): HoursState {
  const t = at.getTime();
  const list = spans(hours, t);
  // Touching or overlapping windows count as one opening.
  const merged: [number, number][] = [];
  for (const [a, b] of list) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  const inside = merged.find(([a, b]) => a <= t && t < b);
  if (inside) return { open: true, next: new Date(inside[1]) };
  const upcoming = merged.find(([a]) => a > t);
  return { open: false, next: upcoming ? new Date(upcoming[0]) : undefined };
}
