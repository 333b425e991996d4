// Every failure a vault can report: a kind the UI branches on, and a sentence a person understands.

export type VaultErrorKind =
  | 'wrong-passphrase' // the passphrase does not open this vault; nothing changed
  | 'damaged' // a byte of stored or imported vault data differs from what was sealed; nothing was decrypted
  | 'unsupported' // made by a newer Postern (unknown format version or KDF)
  | 'locked' // the operation needs the vault unlocked
  | 'invalid-name' // a vault or secret name that is empty, too long or has control characters
  | 'name-taken' // another secret in this vault has that name
  | 'invalid-setting' // an auto-lock time out of range
  | 'not-found' // the vault or secret is gone (deleted in another tab?)
  | 'weak-passphrase' // too short, or the two entries differ
  | 'bad-file' // an imported file that is not a Postern vault export
  | 'already-here' // importing a vault this browser already has
  | 'storage'; // IndexedDB refused (private mode, quota)

export class VaultError extends Error {
  constructor(
    readonly kind: VaultErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'VaultError';
  }
}

export const WRONG_PASSPHRASE = 'The passphrase is wrong.';
export const VAULT_DAMAGED = "This vault's data has been altered or damaged; nothing was decrypted.";

export function secretDamaged(name: string): string {
  return `The stored key "${name}" has been altered or damaged; nothing was decrypted.`;
}

export const NEWER_FORMAT = 'This vault was made by a newer version of Postern. Update Postern to open it.';
