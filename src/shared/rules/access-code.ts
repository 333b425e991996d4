// A link's access code: a short second secret the admin hands over by another channel (a phone call,
// a chat), asked for on the link page before anything else. Codes use letters and digits a person
// cannot confuse when reading them aloud; case, spaces and dashes do not matter when typed.
import { badRequest } from './errors.ts';

/** No 0/O, 1/I/L: a code is read out and typed by people. */
export const ACCESS_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const ACCESS_CODE_LENGTH = { min: 6, max: 10, generated: 8 } as const;

/** The code as compared: upper case, without the spaces and dashes people add. */
export function normalizeAccessCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]/g, '');
}

/** Whether a typed code could be a code at all (checked before any slow hashing). */
export function looksLikeAccessCode(code: string): boolean {
  if (code.length < ACCESS_CODE_LENGTH.min || code.length > ACCESS_CODE_LENGTH.max) return false;
  for (const c of code) if (!ACCESS_CODE_ALPHABET.includes(c)) return false;
  return true;
}

/** Checks a code an admin typed or generated; the refusal names the field. Returns it normalized. */
export function accessCodeInput(raw: unknown, field = 'accessCode'): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw badRequest('Type an access code, or generate one.', field);
  const code = normalizeAccessCode(raw);
  if (code.length < ACCESS_CODE_LENGTH.min || code.length > ACCESS_CODE_LENGTH.max) {
    throw badRequest(`An access code has ${ACCESS_CODE_LENGTH.min} to ${ACCESS_CODE_LENGTH.max} characters.`, field);
  }
  const bad = [...code].find((c) => !ACCESS_CODE_ALPHABET.includes(c));
  if (bad !== undefined) {
    throw badRequest(`"${bad}" cannot be in an access code: use letters and the digits 2–9 (no O, I or L, which read like 0 and 1).`, field);
  }
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
