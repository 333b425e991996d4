// What a store reports when a change cannot be made (a fact), and the sentence a person reads for it.
// Stores say what is true; only this module words it.
import { ApiError } from './errors.ts';

export type Conflict =
  | { code: 'link-limit'; existing: number; adding: number; max: number }
  | { code: 'last-owner' }
  | { code: 'user-not-found' }
  | { code: 'resource-not-found' }
  | { code: 'link-not-found' }
  | { code: 'unknown-resource'; id: string }
  | { code: 'duplicate-user'; name: string };

export function conflictError(c: Conflict): ApiError {
  switch (c.code) {
    case 'link-limit':
      return new ApiError('link-limit', `This installation allows at most ${c.max} links; ` +
        `it has ${c.existing}, so ${c.adding} more would be too many. Delete some links first.`);
    case 'last-owner':
      return new ApiError('conflict', 'This is the only owner; make someone else an owner first.');
    case 'user-not-found':
      return new ApiError('not-found', 'That user no longer exists.');
    case 'resource-not-found':
      return new ApiError('not-found', 'That resource no longer exists.');
    case 'link-not-found':
      return new ApiError('not-found', 'That link no longer exists.');
    case 'unknown-resource':
      return new ApiError('not-found', `Resource ${c.id} does not exist; no links were created.`);
    case 'duplicate-user':
      return new ApiError('conflict', `A user named "${c.name}" already exists.`);
  }
}
