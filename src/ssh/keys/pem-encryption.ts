// The two ways PEM private keys are passphrase-protected:
//  1. "BEGIN ENCRYPTED PRIVATE KEY": PKCS#8 EncryptedPrivateKeyInfo with PBES2 (RFC 8018 §6.2)
//     using PBKDF2 or scrypt (RFC 7914 §7) and AES-CBC.
//  2. Legacy OpenSSL PEM ("Proc-Type: 4,ENCRYPTED" + "DEK-Info: <cipher>,<hex IV>", RFC 1421
//     headers): key = EVP_BytesToKey(MD5, salt = first 8 IV bytes, one iteration), then CBC.
// Both end in CBC with PKCS#7 padding; a padding failure almost always means a wrong passphrase.

import { cbc } from '@noble/ciphers/aes.js';
import { md5, sha1 } from '@noble/hashes/legacy.js';
import { pbkdf2Async } from '@noble/hashes/pbkdf2.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { KeyError } from './types';
import { concat, utf8 } from './bytes';
import { DerReader, TAG } from './der';

const wrongPassphrase = () => new KeyError('wrong-passphrase', 'The passphrase is wrong.');

function cbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  if (iv.length !== 16 || data.length === 0 || data.length % 16 !== 0) {
    throw new KeyError('malformed', 'The encrypted key is truncated or corrupt.');
  }
  try {
    return cbc(key, iv).decrypt(data);
  } catch {
    throw wrongPassphrase();
  }
}

const PRFS = {
  '1.2.840.113549.2.7': sha1, // hmacWithSHA1, the default when absent
  '1.2.840.113549.2.8': sha224,
  '1.2.840.113549.2.9': sha256,
  '1.2.840.113549.2.10': sha384,
  '1.2.840.113549.2.11': sha512,
} as const;

const AES_CBC_KEY_BYTES: Record<string, number> = {
  '2.16.840.1.101.3.4.1.2': 16, // aes128-CBC
  '2.16.840.1.101.3.4.1.22': 24, // aes192-CBC
  '2.16.840.1.101.3.4.1.42': 32, // aes256-CBC
};

const OID_PBES2 = '1.2.840.113549.1.5.13';
const OID_PBKDF2 = '1.2.840.113549.1.5.12';
const OID_SCRYPT = '1.3.6.1.4.1.11591.4.11';
const OID_DES_EDE3_CBC = '1.2.840.113549.3.7';

/** Bounds that keep a hostile file from hanging the tab or exhausting memory. */
const MAX_PBKDF2_ITERATIONS = 10_000_000;
const MAX_SCRYPT_BYTES = 512 * 1024 * 1024;

/**
 * EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm AlgorithmIdentifier, encryptedData OCTET STRING }
 * PBES2-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier, encryptionScheme AlgorithmIdentifier }
 * Returns the decrypted PrivateKeyInfo DER.
 */
export async function decryptPkcs8(der: Uint8Array, passphrase: string | undefined): Promise<Uint8Array> {
  const outer = new DerReader(der, 'encrypted PKCS#8 key').sequence();
  const scheme = outer.algorithm();
  const encrypted = outer.octetString();
  if (scheme.oid !== OID_PBES2) {
    const old = scheme.oid.startsWith('1.2.840.113549.1.12.1.') ? 'PKCS#12 password-based encryption' : 'PBES1 encryption';
    throw new KeyError('unsupported', `This key uses ${old} (${scheme.oid}), which is not supported; re-encrypt it with "openssl pkcs8 -topk8 -v2 aes-256-cbc".`);
  }
  if (scheme.params?.tag !== TAG.SEQUENCE) throw new KeyError('malformed', 'The encrypted PKCS#8 key is not valid DER.');
  const params = new DerReader(scheme.params.value, 'encrypted PKCS#8 key');
  const kdf = params.algorithm();
  const enc = params.algorithm();

  const keyBytes = AES_CBC_KEY_BYTES[enc.oid];
  if (!keyBytes) {
    const name = enc.oid === OID_DES_EDE3_CBC ? 'DES-EDE3-CBC' : enc.oid;
    throw new KeyError('unsupported', `This key is encrypted with ${name}, which is not supported; AES-CBC is.`);
  }
  if (enc.params?.tag !== TAG.OCTET_STRING) throw new KeyError('malformed', 'The encrypted PKCS#8 key has no IV.');
  const iv = enc.params.value;

  if (!passphrase) throw new KeyError('passphrase-required', 'This key is protected by a passphrase.');
  if (kdf.params?.tag !== TAG.SEQUENCE) throw new KeyError('malformed', 'The encrypted PKCS#8 key is not valid DER.');
  const kp = new DerReader(kdf.params.value, 'encrypted PKCS#8 key');
  const password = utf8.encode(passphrase);
  let key: Uint8Array;

  if (kdf.oid === OID_PBKDF2) {
    // PBKDF2-params ::= SEQUENCE { salt OCTET STRING, iterationCount INTEGER,
    //   keyLength INTEGER OPTIONAL, prf AlgorithmIdentifier DEFAULT hmacWithSHA1 }
    const salt = kp.octetString();
    const iterations = kp.smallInteger();
    if (kp.peekTag() === TAG.INTEGER && kp.smallInteger() !== keyBytes) {
      throw new KeyError('malformed', 'The encrypted PKCS#8 key has inconsistent key lengths.');
    }
    const prfOid = kp.done ? '1.2.840.113549.2.7' : kp.algorithm().oid;
    const prf = PRFS[prfOid as keyof typeof PRFS];
    if (!prf) throw new KeyError('unsupported', `This key's PBKDF2 uses the PRF ${prfOid}, which is not supported.`);
    if (iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) {
      throw new KeyError('unsupported', `This key asks for ${iterations} PBKDF2 iterations, outside the supported 1–${MAX_PBKDF2_ITERATIONS}.`);
    }
    key = await pbkdf2Async(prf, password, salt, { c: iterations, dkLen: keyBytes });
  } else if (kdf.oid === OID_SCRYPT) {
    // scrypt-params ::= SEQUENCE { salt OCTET STRING, costParameter INTEGER,
    //   blockSize INTEGER, parallelizationParameter INTEGER, keyLength INTEGER OPTIONAL }
    const salt = kp.octetString();
    const N = kp.smallInteger();
    const r = kp.smallInteger();
    const p = kp.smallInteger();
    if (N < 2 || r < 1 || p < 1 || p > 16 || 128 * N * r > MAX_SCRYPT_BYTES) {
      throw new KeyError('unsupported', `This key's scrypt parameters (N=${N}, r=${r}, p=${p}) are beyond what a browser can afford.`);
    }
    key = await scryptAsync(password, salt, { N, r, p, dkLen: keyBytes, maxmem: MAX_SCRYPT_BYTES + 1024 * 1024 });
  } else {
    throw new KeyError('unsupported', `This key uses the key derivation ${kdf.oid}, which is not supported; PBKDF2 and scrypt are.`);
  }
  return cbcDecrypt(key, iv, encrypted);
}

const LEGACY_KEY_BYTES: Record<string, number> = { 'AES-128-CBC': 16, 'AES-192-CBC': 24, 'AES-256-CBC': 32 };

/** EVP_BytesToKey with MD5 and one iteration: D_i = MD5(D_{i−1} || passphrase || salt). */
function evpBytesToKey(password: Uint8Array, salt: Uint8Array, length: number): Uint8Array {
  let out: Uint8Array = new Uint8Array(0);
  let prev: Uint8Array = new Uint8Array(0);
  while (out.length < length) {
    prev = md5(concat(prev, password, salt));
    out = concat(out, prev);
  }
  return out.subarray(0, length);
}

/** Decrypts a legacy OpenSSL-encrypted PEM body given its DEK-Info value ("AES-128-CBC,<hex IV>"). */
export function decryptLegacyPem(cipherName: string, ivHex: string, body: Uint8Array, passphrase: string | undefined): Uint8Array {
  const name = cipherName.toUpperCase();
  const keyBytes = LEGACY_KEY_BYTES[name];
  if (!keyBytes) {
    throw new KeyError(
      'unsupported',
      `This key is encrypted with ${name}, which is not supported; re-encrypt it with "ssh-keygen -p -f <file>" (AES and OpenSSH format).`,
    );
  }
  if (!/^[0-9a-fA-F]{32}$/.test(ivHex)) throw new KeyError('malformed', 'The key\'s DEK-Info header is damaged.');
  if (!passphrase) throw new KeyError('passphrase-required', 'This key is protected by a passphrase.');
  const iv = Uint8Array.from(ivHex.match(/../g)!, (h) => parseInt(h, 16));
  const key = evpBytesToKey(utf8.encode(passphrase), iv.subarray(0, 8), keyBytes);
  return cbcDecrypt(key, iv, body);
}
