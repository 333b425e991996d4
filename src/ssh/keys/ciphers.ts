// Symmetric ciphers that protect OpenSSH private key files (OpenSSH cipher.c table and
// PROTOCOL.key). Key files are small, so noble's synchronous ciphers are plenty here;
// the bulk-traffic ciphers of the SSH transport live in src/ssh/core and use WebCrypto.

import { cbc, ctr, gcm } from '@noble/ciphers/aes.js';
import { chacha20orig } from '@noble/ciphers/chacha.js';
import { poly1305 } from '@noble/ciphers/_poly1305.js';
import { concat, equalBytes } from './bytes';

export interface KeyFileCipher {
  readonly name: string;
  readonly keyLength: number;
  readonly ivLength: number;
  /** The private section is padded to a multiple of this. */
  readonly blockSize: number;
  /** Length of the authentication tag that follows the encrypted section (0 if none). */
  readonly authLength: number;
  /** Returns null when an authenticated cipher's tag does not verify (wrong passphrase). */
  decrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array, tag: Uint8Array): Uint8Array | null;
  /** Returns the ciphertext followed by the tag, if any. */
  encrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array;
}

function aesCtr(bits: number): KeyFileCipher {
  return {
    name: `aes${bits}-ctr`,
    keyLength: bits / 8,
    ivLength: 16,
    blockSize: 16,
    authLength: 0,
    decrypt: (key, iv, data) => ctr(key, iv).decrypt(data),
    encrypt: (key, iv, data) => ctr(key, iv).encrypt(data),
  };
}

function aesCbc(bits: number, name = `aes${bits}-cbc`): KeyFileCipher {
  return {
    name,
    keyLength: bits / 8,
    ivLength: 16,
    blockSize: 16,
    authLength: 0,
    // OpenSSH pads the plaintext itself (1, 2, 3, …), so no PKCS#7 layer here.
    decrypt: (key, iv, data) => cbc(key, iv, { disablePadding: true }).decrypt(data),
    encrypt: (key, iv, data) => cbc(key, iv, { disablePadding: true }).encrypt(data),
  };
}

// aes-gcm@openssh.com (RFC 5647 as profiled by OpenSSH): 12-byte IV used as-is for the
// first (and here only) message, no associated data, 16-byte tag after the ciphertext.
function aesGcm(bits: number): KeyFileCipher {
  return {
    name: `aes${bits}-gcm@openssh.com`,
    keyLength: bits / 8,
    ivLength: 12,
    blockSize: 16,
    authLength: 16,
    decrypt(key, iv, data, tag) {
      try {
        return gcm(key, iv).decrypt(concat(data, tag));
      } catch {
        return null;
      }
    },
    encrypt: (key, iv, data) => gcm(key, iv).encrypt(data),
  };
}

// chacha20-poly1305@openssh.com (OpenSSH PROTOCOL.chacha20poly1305) with sequence number 0
// and no length header: K_2 = key[0..32] encrypts the payload from block counter 1; its
// block 0 supplies the Poly1305 key. K_1 = key[32..64] would encrypt the length and is unused.
const chachaPoly: KeyFileCipher = {
  name: 'chacha20-poly1305@openssh.com',
  keyLength: 64,
  ivLength: 0,
  blockSize: 8,
  authLength: 16,
  decrypt(key, _iv, data, tag) {
    const k2 = key.subarray(0, 32);
    const nonce = new Uint8Array(8); // big-endian sequence number 0
    const polyKey = chacha20orig(k2, nonce, new Uint8Array(32));
    if (!equalBytes(poly1305(data, polyKey), tag)) return null;
    return chacha20orig(k2, nonce, data, undefined, 1);
  },
  encrypt(key, _iv, data) {
    const k2 = key.subarray(0, 32);
    const nonce = new Uint8Array(8);
    const polyKey = chacha20orig(k2, nonce, new Uint8Array(32));
    const sealed = chacha20orig(k2, nonce, data, undefined, 1);
    return concat(sealed, poly1305(sealed, polyKey));
  },
};

const NONE: KeyFileCipher = {
  name: 'none',
  keyLength: 0,
  ivLength: 0,
  blockSize: 8,
  authLength: 0,
  decrypt: (_k, _i, data) => data,
  encrypt: (_k, _i, data) => data,
};

const TABLE = new Map<string, KeyFileCipher>(
  [
    NONE,
    aesCtr(128),
    aesCtr(192),
    aesCtr(256),
    aesCbc(128),
    aesCbc(192),
    aesCbc(256),
    aesCbc(256, 'rijndael-cbc@lysator.liu.se'),
    aesGcm(128),
    aesGcm(256),
    chachaPoly,
  ].map((c) => [c.name, c]),
);

/** The cipher named in an OpenSSH key file, or undefined if we do not implement it (e.g. 3des-cbc). */
export function opensshCipher(name: string): KeyFileCipher | undefined {
  return TABLE.get(name);
}
