// A link's access code: a short second secret the admin hands over by another channel (a phone call,
// a chat), asked for on the link page before anything else. A code is letters and digits; generated
// ones avoid the characters people confuse when reading them aloud. Case, spaces and dashes do not
// matter when typed.
import { badRequest } from './errors.ts';

/** What a code may hold. */
const CODE_CHARACTERS = /^[A-Z0-9]+$/;
/** What generated codes are drawn from: no 0/O, 1/I/L, since a code is read out and typed by people. */
export const ACCESS_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const ACCESS_CODE_LENGTH = { min: 6, max: 10, generated: 8 } as const;

/** The code as compared: upper case, without the spaces and dashes people add. */
export function normalizeAccessCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]/g, '');
}

/** Whether a typed code could be a code at all (checked before any slow hashing). */
export function looksLikeAccessCode(code: string): boolean {
  return code.length >= ACCESS_CODE_LENGTH.min && code.length <= ACCESS_CODE_LENGTH.max && CODE_CHARACTERS.test(code);
}

/** Checks a code an admin typed or generated; the refusal names the field. Returns it normalized. */
export function accessCodeInput(raw: unknown, field = 'accessCode'): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw badRequest('Type an access code, or generate one.', field);
  const code = normalizeAccessCode(raw);
  if (code.length < ACCESS_CODE_LENGTH.min || code.length > ACCESS_CODE_LENGTH.max) {
    throw badRequest(`An access code has ${ACCESS_CODE_LENGTH.min} to ${ACCESS_CODE_LENGTH.max} characters.`, field);
  }
  const bad = [...code].find((c) => !CODE_CHARACTERS.test(c));
  if (bad !== undefined) throw badRequest(`"${bad}" cannot be in an access code: use only letters A–Z and digits.`, field);
  return code;
}

/** A new random code, uniformly drawn (rejection sampling: no letter is likelier than another). */
export function generateAccessCode(length: number = ACCESS_CODE_LENGTH.generated): string {
  const n = ACCESS_CODE_ALPHABET.length;
  const limit = 256 - (256 % n);
  let out = '';
  while (out.length < length) {
    for (const b of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (b < limit && out.length < length) out += ACCESS_CODE_ALPHABET[b % n];
    }
  }
  return out;
}
