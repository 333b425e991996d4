// The installation's limits, and the fact a store reports when a batch would pass one.
import type { Conflict } from './conflicts.ts';
import { ApiError } from './errors.ts';

export const DEFAULT_MAX_LINKS = 500;
export const DEFAULT_MAX_INFLIGHT = 50;
/** Entries one create/delete request may list. */
export const MAX_PER_REQUEST = 500;

/** A batch of `adding` links past the limit is refused whole; conflicts.ts words it. */
export function linkLimitConflict(existing: number, adding: number, max: number): Conflict | undefined {
  return existing + adding > max ? { code: 'link-limit', existing, adding, max } : undefined;
}

export function tooManyInflight(max: number): ApiError {
  return new ApiError('too-many-requests', `Too many link requests are in progress (at most ${max} at once). Try again in a moment.`);
}
