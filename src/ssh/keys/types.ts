// The contract between SSH key handling (src/ssh/keys) and the SSH client core (src/ssh/core).
// Both sides are DOM-free: they run in a page, a Web Worker or Node.

export type KeyType =
  | 'ssh-ed25519'
  | 'ecdsa-sha2-nistp256'
  | 'ecdsa-sha2-nistp384'
  | 'ecdsa-sha2-nistp521'
  | 'ssh-rsa';

/** A private key ready to sign SSH user-authentication requests (RFC 4252 §7). */
export interface PrivateKey {
  type: KeyType;
  /** The public key in SSH wire format (RFC 4253 §6.6), as in authorized_keys after base64 decoding. */
  publicBlob: Uint8Array;
  comment: string;
  /** Signature algorithms this key can sign with, best first. RSA: rsa-sha2-512, rsa-sha2-256 (never ssh-rsa/SHA-1). */
  signatureAlgorithms: readonly string[];
  /** Returns the SSH signature blob: string algorithm name, string signature (RFC 4253 §6.6, RFC 8332, RFC 5656). */
  sign(algorithm: string, data: Uint8Array): Promise<Uint8Array>;
}

export type KeyErrorKind =
  | 'passphrase-required' // the key is encrypted and no passphrase was given
  | 'wrong-passphrase'
  | 'unsupported' // a format or cipher we recognise but do not handle; message names it
  | 'malformed'; // not a private key we can read

export class KeyError extends Error {
  constructor(readonly kind: KeyErrorKind, message: string) {
    super(message);
    this.name = 'KeyError';
  }
}
