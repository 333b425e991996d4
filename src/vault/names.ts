// Validation at the edge for what people type: names, passphrases, auto-lock minutes. Each failure names
// the field in its sentence.
import { VaultError } from './errors';
import { normalizeName } from './format';

export const MAX_NAME = 64;
export const MIN_PASSPHRASE = 8;
export const DEFAULT_AUTO_LOCK_MINUTES = 15;
export const MAX_AUTO_LOCK_MINUTES = 24 * 60;

/** A trimmed, NFC name of 1–64 characters with no control characters. */
export function checkName(raw: string, what: 'vault' | 'key'): string {
  const name = normalizeName(raw.trim());
  const label = what === 'vault' ? 'vault' : 'key';
  if (!name) throw new VaultError('invalid-name', `Enter a name for the ${label}.`);
  if ([...name].length > MAX_NAME) throw new VaultError('invalid-name', `A ${label} name can be at most ${MAX_NAME} characters.`);
  if (/\p{Cc}/u.test(name)) throw new VaultError('invalid-name', `A ${label} name cannot contain control characters such as line breaks.`);
  return name;
}

export function checkNewPassphrase(passphrase: string, repeat: string): void {
  if ([...passphrase].length < MIN_PASSPHRASE) {
    throw new VaultError('weak-passphrase', `Choose a passphrase of at least ${MIN_PASSPHRASE} characters.`);
  }
  if (passphrase !== repeat) throw new VaultError('weak-passphrase', 'The two passphrases are different. Type the same one twice.');
}

export function checkAutoLock(minutes: number): number {
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_AUTO_LOCK_MINUTES) {
    throw new VaultError('invalid-setting', `Auto-lock must be a whole number of minutes from 1 to ${MAX_AUTO_LOCK_MINUTES}.`);
  }
  return minutes;
}
