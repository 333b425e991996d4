// The vault's sealing format, version 1. These bytes are what IndexedDB and exported files hold; the
// checked-in test vectors (tests/unit/vault/format.test.ts) pin them, so old vaults keep opening.
//
// Key hierarchy: scrypt(passphrase, salt) gives a key-encryption key (KEK); the KEK wraps a random 32-byte
// vault key; the vault key seals every secret. So a wrong passphrase is detected by the wrap alone (one
// KDF run, no secret touched), and a passphrase change would re-wrap 32 bytes instead of every secret.
//
// VAULT HEADER (145 bytes, integers unsigned)
//   off len
//     0   4  magic "PVLT"
//     4   1  format version = 1
//     5   1  KDF id: 1 = scrypt (RFC 7914)
//     6   1  log2(N)
//     7   1  r
//     8   1  p
//     9  16  vault id (random; also the vault's IndexedDB key, in hex)
//    25  16  salt (random)
//    41  24  wrap nonce (random)
//    65  48  XChaCha20-Poly1305(KEK, wrap nonce, AD = bytes 0..40) of the vault key: 32 ciphertext + 16 tag
//   113  32  SHA-256 of bytes 0..112
// The checksum is not a secret MAC: it lets a damaged header say "damaged" rather than "wrong passphrase".
// Authenticity comes from the wrap's AD, which covers magic, version, KDF parameters, vault id and salt.
//
// SEALED SECRET (29 + plaintext + 16 bytes)
//   off len
//     0   4  magic "PVSK"
//     4   1  format version = 1
//     5  24  nonce (random, fresh for every seal)
//    29   n  XChaCha20-Poly1305(vault key, nonce, AD) ciphertext, then its 16-byte tag
//   AD = bytes 0..4 ‖ vault id (16) ‖ uint32 big-endian byte length of the name ‖ the name, UTF-8 (NFC)
// Binding the name and vault id means renaming re-seals, and a sealed value moved to another name or vault
// fails to open instead of masquerading as that secret.
//
// PLAINTEXT of a secret: 1 byte kind ‖ payload. Kind 1 = an SSH private key as unencrypted OpenSSH text
// ("-----BEGIN OPENSSH PRIVATE KEY-----", UTF-8).
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { NEWER_FORMAT, VaultError, VAULT_DAMAGED, WRONG_PASSPHRASE } from './errors';
import { checkParams, KDF_SCRYPT, type ScryptParams } from './kdf';

export const FORMAT_VERSION = 1;
const HEADER_MAGIC = [0x50, 0x56, 0x4c, 0x54]; // "PVLT"
const SECRET_MAGIC = [0x50, 0x56, 0x53, 0x4b]; // "PVSK"
export const HEADER_LENGTH = 145;
const AD_END = 41;
const CHECKSUM_AT = 113;
const SECRET_PREFIX = 29;
const TAG = 16;

export const SECRET_KIND_OPENSSH_KEY = 1;

export interface VaultHeader {
  version: number;
  kdf: number;
  params: ScryptParams;
  vaultId: Uint8Array;
  salt: Uint8Array;
  wrapNonce: Uint8Array;
  wrappedKey: Uint8Array;
  /** The whole 145 bytes, as stored. */
  bytes: Uint8Array;
}

export interface NewHeader {
  params: ScryptParams;
  vaultId: Uint8Array;
  salt: Uint8Array;
  wrapNonce: Uint8Array;
  vaultKey: Uint8Array;
  kek: Uint8Array;
}

function need(value: Uint8Array, length: number, field: string): void {
  if (!(value instanceof Uint8Array) || value.length !== length) {
    throw new RangeError(`vault format: ${field} must be ${length} bytes`);
  }
}

/** Builds a header. Every random input is passed in, so the test vectors are exact. */
export function encodeHeader(h: NewHeader): Uint8Array {
  need(h.vaultId, 16, 'vault id');
  need(h.salt, 16, 'salt');
  need(h.wrapNonce, 24, 'wrap nonce');
  need(h.vaultKey, 32, 'vault key');
  need(h.kek, 32, 'KEK');
  checkParams(h.params);
  const out = new Uint8Array(HEADER_LENGTH);
  out.set(HEADER_MAGIC, 0);
  out.set([FORMAT_VERSION, KDF_SCRYPT, h.params.logN, h.params.r, h.params.p], 4);
  out.set(h.vaultId, 9);
  out.set(h.salt, 25);
  out.set(h.wrapNonce, 41);
  out.set(xchacha20poly1305(h.kek, h.wrapNonce, out.subarray(0, AD_END)).encrypt(h.vaultKey), 65);
  out.set(sha256(out.subarray(0, CHECKSUM_AT)), CHECKSUM_AT);
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** Reads a header, refusing anything damaged before a KDF runs. */
export function decodeHeader(bytes: Uint8Array): VaultHeader {
  if (!(bytes instanceof Uint8Array) || bytes.length !== HEADER_LENGTH) throw new VaultError('damaged', VAULT_DAMAGED);
  if (!sameBytes(sha256(bytes.subarray(0, CHECKSUM_AT)), bytes.subarray(CHECKSUM_AT))) {
    throw new VaultError('damaged', VAULT_DAMAGED);
  }
  if (!HEADER_MAGIC.every((b, i) => bytes[i] === b) || bytes[4] === 0) throw new VaultError('damaged', VAULT_DAMAGED);
  if (bytes[4] > FORMAT_VERSION || bytes[5] !== KDF_SCRYPT) throw new VaultError('unsupported', NEWER_FORMAT);
  const params = { logN: bytes[6], r: bytes[7], p: bytes[8] };
  checkParams(params);
  const copy = bytes.slice();
  return {
    version: copy[4],
    kdf: copy[5],
    params,
    vaultId: copy.subarray(9, 25),
    salt: copy.subarray(25, 41),
    wrapNonce: copy.subarray(41, 65),
    wrappedKey: copy.subarray(65, CHECKSUM_AT),
    bytes: copy,
  };
}

/** The vault key, or "wrong passphrase" (the checksum already ruled out accidental damage). */
export function unwrapVaultKey(header: VaultHeader, kek: Uint8Array): Uint8Array {
  try {
    return xchacha20poly1305(kek, header.wrapNonce, header.bytes.subarray(0, AD_END)).decrypt(header.wrappedKey);
  } catch {
    throw new VaultError('wrong-passphrase', WRONG_PASSPHRASE);
  }
}

/** Names are compared and bound in NFC, so "é" typed on two systems is one name. */
export function normalizeName(name: string): string {
  return name.normalize('NFC');
}

function secretAd(vaultId: Uint8Array, name: string): Uint8Array {
  const nameBytes = new TextEncoder().encode(normalizeName(name));
  const ad = new Uint8Array(5 + 16 + 4 + nameBytes.length);
  ad.set(SECRET_MAGIC, 0);
  ad[4] = FORMAT_VERSION;
  ad.set(vaultId, 5);
  new DataView(ad.buffer).setUint32(21, nameBytes.length);
  ad.set(nameBytes, 25);
  return ad;
}

/** Seals one secret's plaintext (kind byte included) under the vault key. */
export function sealSecret(vaultKey: Uint8Array, vaultId: Uint8Array, name: string, plaintext: Uint8Array, nonce: Uint8Array): Uint8Array {
  need(vaultKey, 32, 'vault key');
  need(vaultId, 16, 'vault id');
  need(nonce, 24, 'nonce');
  const ciphertext = xchacha20poly1305(vaultKey, nonce, secretAd(vaultId, name)).encrypt(plaintext);
  const out = new Uint8Array(SECRET_PREFIX + ciphertext.length);
  out.set(SECRET_MAGIC, 0);
  out[4] = FORMAT_VERSION;
  out.set(nonce, 5);
  out.set(ciphertext, SECRET_PREFIX);
  return out;
}

/** Cheap checks that need no key: used when importing a file, so junk is refused at the door. */
export function checkSealedShape(sealed: Uint8Array, damaged: string): void {
  if (!(sealed instanceof Uint8Array) || sealed.length < SECRET_PREFIX + TAG + 1) throw new VaultError('damaged', damaged);
  if (!SECRET_MAGIC.every((b, i) => sealed[i] === b) || sealed[4] === 0) throw new VaultError('damaged', damaged);
  if (sealed[4] > FORMAT_VERSION) throw new VaultError('unsupported', NEWER_FORMAT);
}

/** Opens one secret; any altered byte, or the wrong name or vault, is refused and nothing is returned. */
export function openSecret(vaultKey: Uint8Array, vaultId: Uint8Array, name: string, sealed: Uint8Array, damaged: string): Uint8Array {
  checkSealedShape(sealed, damaged);
  try {
    return xchacha20poly1305(vaultKey, sealed.subarray(5, SECRET_PREFIX), secretAd(vaultId, name)).decrypt(sealed.subarray(SECRET_PREFIX));
  } catch {
    throw new VaultError('damaged', damaged);
  }
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/i.test(hex)) throw new RangeError('not hex');
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}
