// bcrypt_pbkdf: the key derivation OpenSSH uses for passphrase-protected private keys
// (OpenBSD lib/libutil/bcrypt_pbkdf.c; kdfname "bcrypt" in OpenSSH PROTOCOL.key).
// It is PBKDF2-shaped, with SHA-512 pre-hashing and a bcrypt-like core in place of HMAC.
// Written here (not the CommonJS npm package) so it bundles cleanly for browsers and workers.

import { sha512 } from '@noble/hashes/sha2.js';
import { Blowfish } from './blowfish';
import { concat } from './bytes';

const MAGIC = new TextEncoder().encode('OxychromaticBlowfishSwatDynamite'); // 32 bytes, 8 words
const HASH_BYTES = 32;

/** One bcrypt_hash: eksblowfish keyed with the hashed passphrase and salt, then encrypt MAGIC 64 times. */
function bcryptHash(sha2pass: Uint8Array, sha2salt: Uint8Array): Uint8Array {
  const bf = new Blowfish();
  bf.expand(sha2pass, sha2salt);
  for (let i = 0; i < 64; i++) {
    bf.expand(sha2salt);
    bf.expand(sha2pass);
  }
  const words = new Uint32Array(8);
  const view = new DataView(MAGIC.buffer, MAGIC.byteOffset, MAGIC.byteLength);
  for (let i = 0; i < 8; i++) words[i] = view.getUint32(i * 4); // big-endian in
  for (let i = 0; i < 64; i++) bf.encryptWords(words);
  const out = new Uint8Array(HASH_BYTES);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) outView.setUint32(i * 4, words[i], true); // little-endian out (sic)
  return out;
}

/**
 * Derives `keyLength` bytes. Output bytes are interleaved across blocks ("stride") so that
 * every byte of the result depends on the full cost, as in the reference implementation.
 */
export function bcryptPbkdf(password: Uint8Array, salt: Uint8Array, keyLength: number, rounds: number): Uint8Array {
  // As in OpenBSD: an empty passphrase or salt is an error, not a weak key.
  if (password.length === 0 || salt.length === 0) throw new RangeError('bcrypt_pbkdf: empty passphrase or salt');
  if (rounds < 1) throw new RangeError('bcrypt_pbkdf: rounds must be at least 1');
  if (keyLength < 1 || keyLength > HASH_BYTES * HASH_BYTES) throw new RangeError('bcrypt_pbkdf: bad key length');
  const key = new Uint8Array(keyLength);
  const stride = Math.ceil(keyLength / HASH_BYTES);
  const amount = Math.ceil(keyLength / stride);
  const sha2pass = sha512(password);
  const countBytes = new Uint8Array(4);
  let remaining = keyLength;
  for (let count = 1; remaining > 0; count++) {
    new DataView(countBytes.buffer).setUint32(0, count); // big-endian block counter
    let tmp = bcryptHash(sha2pass, sha512(concat(salt, countBytes)));
    const out = tmp.slice();
    for (let r = 1; r < rounds; r++) {
      tmp = bcryptHash(sha2pass, sha512(tmp));
      for (let i = 0; i < HASH_BYTES; i++) out[i] ^= tmp[i];
    }
    const take = Math.min(amount, remaining);
    let i = 0;
    for (; i < take; i++) {
      const dest = i * stride + (count - 1);
      if (dest >= keyLength) break;
      key[dest] = out[i];
    }
    remaining -= i;
  }
  return key;
}
