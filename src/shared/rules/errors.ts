// The one error every rule throws: a code the UI can branch on, a sentence for a person, and the
// field at fault. The proxy sends it as JSON; the page's API client turns the JSON back into it; the
// offline demo's in-page API throws it directly. So a form behaves the same against either.
import type { ApiErrorCode } from '../api.ts';

/** The HTTP status of each code. */
export const API_STATUS: Record<ApiErrorCode, number> = {
  'bad-request': 400,
  unauthenticated: 401,
  forbidden: 403,
  'feature-disabled': 403,
  'not-found': 404,
  conflict: 409,
  'resource-deleted': 410,
  'link-expired': 410,
  'link-used-up': 410,
  'outside-hours': 403,
  // Not 401: that status means "sign in again" to the console; a link page has no sign-in.
  'access-code-required': 403,
  'wrong-access-code': 403,
  'passkey-required': 403,
  'link-locked': 423,
  'link-limit': 409,
  'too-many-requests': 429,
  internal: 500,
};

export class ApiError extends Error {
  readonly status: number;
  constructor(readonly code: ApiErrorCode, message: string, readonly field?: string, status?: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status ?? API_STATUS[code];
  }
}

export const badRequest = (message: string, field?: string) => new ApiError('bad-request', message, field);
