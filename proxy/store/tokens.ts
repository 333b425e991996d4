// Secrets of every kind (link tokens, session tokens, one-time sign-in tokens) come from here.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, base64url: safe in a URL fragment and in a WebSocket subprotocol name. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Non-secret identifiers (link ids, user ids, resource ids). */
export function newId(): string {
  return randomBytes(9).toString('base64url');
}

/** Records are looked up by a hash of the token, so the database index never holds a usable secret. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** Constant-time comparison of two secrets of any length. */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

// looksLikeToken and extractToken are rules shared with the demo: src/shared/rules/validate.ts.
