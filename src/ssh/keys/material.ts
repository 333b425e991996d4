// Private key material as every file format decodes to it, checked for consistency, plus
// the SSH public key blob it implies (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4).

import { ed25519 } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { KeyError, type KeyType } from './types';
import { bigIntToBytes, bitLength, bytesToBigInt, equalBytes, SshWriter } from './bytes';

export type EcCurve = 'nistp256' | 'nistp384' | 'nistp521';

export interface Ed25519Material {
  kind: 'ed25519';
  seed: Uint8Array; // 32 bytes (RFC 8032 private key)
  publicKey: Uint8Array; // 32 bytes
}

export interface EcdsaMaterial {
  kind: 'ecdsa';
  curve: EcCurve;
  d: Uint8Array; // private scalar, fixed length for the curve
  q: Uint8Array; // public point, uncompressed SEC1 encoding (0x04 || x || y)
}

export interface RsaMaterial {
  kind: 'rsa';
  n: bigint;
  e: bigint;
  d: bigint;
  p: bigint;
  q: bigint;
  dp: bigint; // d mod (p−1)
  dq: bigint; // d mod (q−1)
  qi: bigint; // q⁻¹ mod p (PKCS#1 "coefficient", OpenSSH "iqmp")
}

export type KeyMaterial = Ed25519Material | EcdsaMaterial | RsaMaterial;

export const CURVES = {
  nistp256: { ecdsa: p256, size: 32, oid: '1.2.840.10045.3.1.7', type: 'ecdsa-sha2-nistp256' },
  nistp384: { ecdsa: p384, size: 48, oid: '1.3.132.0.34', type: 'ecdsa-sha2-nistp384' },
  nistp521: { ecdsa: p521, size: 66, oid: '1.3.132.0.35', type: 'ecdsa-sha2-nistp521' },
} as const;

export function curveByOid(oid: string): EcCurve | undefined {
  return (Object.keys(CURVES) as EcCurve[]).find((c) => CURVES[c].oid === oid);
}

export function curveByName(name: string): EcCurve | undefined {
  return name in CURVES ? (name as EcCurve) : undefined;
}

const mismatch = () => new KeyError('malformed', "The key's public and private parts do not match; the file is damaged.");

export function ed25519FromSeed(seed: Uint8Array, expectedPublic?: Uint8Array): Ed25519Material {
  if (seed.length !== 32) throw new KeyError('malformed', 'The Ed25519 private key has the wrong length.');
  const publicKey = ed25519.getPublicKey(seed);
  if (expectedPublic && !equalBytes(publicKey, expectedPublic)) throw mismatch();
  return { kind: 'ed25519', seed: seed.slice(), publicKey };
}

/** `d` may arrive with or without leading zeros (an mpint, or a SEC1 octet string). */
export function ecdsaFromScalar(curve: EcCurve, d: bigint | Uint8Array, expectedPublic?: Uint8Array): EcdsaMaterial {
  const { ecdsa, size } = CURVES[curve];
  const scalar = typeof d === 'bigint' ? d : bytesToBigInt(d);
  let fixed: Uint8Array;
  let q: Uint8Array;
  try {
    fixed = bigIntToBytes(scalar, size);
    q = ecdsa.getPublicKey(fixed, false);
  } catch {
    throw new KeyError('malformed', `The ECDSA ${curve} private key is out of range; the file is damaged.`);
  }
  if (expectedPublic && !equalBytes(q, expectedPublic)) {
    // Some writers store the compressed point; compare the decoded points instead.
    let same = false;
    try {
      same = ecdsa.Point.fromBytes(expectedPublic).equals(ecdsa.Point.fromBytes(q));
    } catch {
      // A point that does not decode is not the same point.
    }
    if (!same) throw mismatch();
  }
  return { kind: 'ecdsa', curve, d: fixed, q };
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s];
  }
  if (oldR !== 1n) throw new KeyError('malformed', 'The RSA key is inconsistent; the file is damaged.');
  return ((oldS % m) + m) % m;
}

export const RSA_MIN_BITS = 1024; // OpenSSH refuses smaller moduli (SSH_RSA_MINIMUM_MODULUS_SIZE)
export const RSA_MAX_BITS = 16384; // OpenSSH's SSHBUF_MAX_BIGNUM bound

/** Checks n = p·q and e·d ≡ 1, and derives the CRT values (we never trust the file's copies). */
export function rsaFromComponents(c: { n: bigint; e: bigint; d: bigint; p: bigint; q: bigint }): RsaMaterial {
  const bits = bitLength(c.n);
  if (bits < RSA_MIN_BITS) {
    throw new KeyError('unsupported', `This RSA key has only ${bits} bits; OpenSSH refuses RSA keys shorter than ${RSA_MIN_BITS} bits.`);
  }
  if (bits > RSA_MAX_BITS) throw new KeyError('unsupported', `This RSA key has ${bits} bits; at most ${RSA_MAX_BITS} are supported.`);
  const { n, e, d, p, q } = c;
  if (p < 2n || q < 2n || p * q !== n || e < 3n || e % 2n === 0n || d < 1n) {
    throw new KeyError('malformed', 'The RSA key is inconsistent; the file is damaged.');
  }
  const dp = d % (p - 1n);
  const dq = d % (q - 1n);
  if ((e * dp) % (p - 1n) !== 1n || (e * dq) % (q - 1n) !== 1n) {
    throw new KeyError('malformed', 'The RSA key is inconsistent; the file is damaged.');
  }
  return { kind: 'rsa', n, e, d, p, q, dp, dq, qi: modInverse(q, p) };
}

export function keyTypeOf(m: KeyMaterial): KeyType {
  if (m.kind === 'ed25519') return 'ssh-ed25519';
  if (m.kind === 'ecdsa') return CURVES[m.curve].type;
  return 'ssh-rsa';
}

/** The public key blob: string type, then ed25519: string key; ecdsa: string curve, string Q; rsa: mpint e, mpint n. */
export function publicBlobOf(m: KeyMaterial): Uint8Array {
  const w = new SshWriter().string(keyTypeOf(m));
  if (m.kind === 'ed25519') w.string(m.publicKey);
  else if (m.kind === 'ecdsa') w.string(m.curve).string(m.q);
  else w.mpint(m.e).mpint(m.n);
  return w.finish();
}
