// Streamlined NTRU Prime sntrup761 as a KEM (NTRU Prime specification, round 3: "Streamlined NTRU
// Prime Core" and the KEM around it), written for this library from the specification.
//   p = 761, q = 4591, w = 286.  Public key 1158 bytes, ciphertext 1039, secret key 1763, K 32.
//   KeyGen: g small and invertible in R/3; f short (w coefficients +-1); h = g / (3f) in R/q.
//     pk = Encode(h);  sk = Small(f) || Small(1/g in R/3) || pk || rho (random, 191) || Hash4(pk)
//   Encap:  r short; c = Round(h r) (coefficients to the nearest multiple of 3), encoded mod 1531;
//     C = c || Hash2(Hash3(Small(r)) || Hash4(pk));  K = Hash1(Hash3(Small(r)) || C)
//   Decap:  e = 3 f c mod 3; r' = e / g in R/3, or (1,..,1,0,..,0) when its weight is not w;
//     re-encrypt r' and compare with C in constant time; K = Hash1(...) on a match, else
//     Hash0(Hash3(rho) || C): a bad ciphertext yields an unrelated key, not an error.
//   HashB(x) = the first 32 bytes of SHA-512(B || x).

import { sha512 } from '@noble/hashes/sha2.js';
import { concat, randomBytes } from '../../wire/bytes';
import { decode, encode } from './encode';
import { HALF_Q, P, ROUND, W, freeze3, freezeQ, multiply3, multiplyQ, reciprocal3, reciprocalQOfThreeTimes } from './ring';

/** Where the randomness comes from, one call per draw (tests replay the KAT generator's DRBG through it). */
export type RandomSource = (n: number) => Uint8Array;

/** p random words in one draw of 4p bytes, each read little-endian. */
function randomWords(rng: RandomSource): Uint32Array {
  const b = rng(4 * P);
  const L = new Uint32Array(P);
  for (let i = 0; i < P; i++) L[i] = (b[4 * i] | (b[4 * i + 1] << 8) | (b[4 * i + 2] << 16) | (b[4 * i + 3] << 24)) >>> 0;
  b.fill(0);
  return L;
}

export const PUBLIC_KEY_BYTES = 1158;
export const CIPHERTEXT_BYTES = 1039;
export const SECRET_KEY_BYTES = 1763;
const SMALL_BYTES = 191;
const ROUNDED_BYTES = 1007;
const ROUNDED_M = (4591 + 2) / 3; // 1531

const M_Q = new Array<number>(P).fill(4591);
const M_ROUNDED = new Array<number>(P).fill(ROUNDED_M);

function hashPrefix(b: number, ...parts: Uint8Array[]): Uint8Array {
  return sha512(concat(Uint8Array.of(b), ...parts)).subarray(0, 32);
}

/** Four coefficients per byte, each +1 in two bits; the last byte holds the 761st alone. */
function smallEncode(s: Int32Array): Uint8Array {
  const out = new Uint8Array(SMALL_BYTES);
  for (let i = 0; i < P; i++) out[i >> 2] |= (s[i] + 1) << ((i & 3) * 2);
  return out;
}

function smallDecode(bytes: Uint8Array): Int32Array {
  const s = new Int32Array(P);
  for (let i = 0; i < P; i++) s[i] = ((bytes[i >> 2] >> ((i & 3) * 2)) & 3) - 1;
  return s;
}

function rqEncode(h: Int32Array): Uint8Array {
  return Uint8Array.from(encode(Array.from(h, (c) => c + HALF_Q), M_Q));
}

function rqDecode(bytes: Uint8Array): Int32Array {
  return Int32Array.from(decode(bytes, M_Q), (c) => c - HALF_Q);
}

/** Each coefficient to the nearest multiple of 3, encoded as (c + 2295) / 3 below 1531. */
function roundEncode(a: Int32Array): Uint8Array {
  return Uint8Array.from(encode(Array.from(a, (c) => (((c - freeze3(c) + HALF_Q) * 10923) >> 15)), M_ROUNDED));
}

function roundedDecode(bytes: Uint8Array): Int32Array {
  return Int32Array.from(decode(bytes, M_ROUNDED), (c) => c * 3 - HALF_Q);
}

/** Small: coefficients uniform in {-1, 0, 1} (near enough: (30 random bits * 3) >> 30). */
function smallRandom(rng: RandomSource): Int32Array {
  const L = randomWords(rng);
  const s = new Int32Array(P);
  for (let i = 0; i < P; i++) s[i] = (((L[i] & 0x3fffffff) * 3) >>> 30) - 1;
  L.fill(0);
  return s;
}

/** Compare-exchange of two uint32s by mask: the smaller ends at i. */
function minMax(a: Uint32Array, i: number, j: number): void {
  const x = a[i];
  const y = a[j];
  // (y - x) / 2^32 lies in (-1, 1); less a half and rounded (ROUND: by the FPU, no branch) it is -1 when y < x, else 0.
  const below = ((y - x) * 2.3283064365386963e-10 - 0.5 + ROUND - ROUND) | 0;
  const t = (x ^ y) & below;
  a[i] = x ^ t;
  a[j] = y ^ t;
}

/** Bitonic sorting network over 1024 slots (the tail padded with the largest value): data-independent. */
function sortUint32(values: Uint32Array): void {
  const n = 1024;
  const a = new Uint32Array(n).fill(0xffffffff);
  a.set(values);
  for (let k = 2; k <= n; k <<= 1) {
    for (let j = k >> 1; j > 0; j >>= 1) {
      for (let i = 0; i < n; i++) {
        const l = i ^ j;
        if (l <= i) continue;
        if ((i & k) === 0) minMax(a, i, l);
        else minMax(a, l, i);
      }
    }
  }
  values.set(a.subarray(0, values.length));
}

/**
 * Short: exactly w coefficients +-1, at random places. Random words get their low two bits set to
 * 0 or 2 (the first w: +-1 after subtracting 1) or to 1 (the rest: 0); sorting shuffles them.
 */
function shortRandom(rng: RandomSource): Int32Array {
  const L = randomWords(rng);
  for (let i = 0; i < W; i++) L[i] &= ~1;
  for (let i = W; i < P; i++) L[i] = (L[i] & ~3) | 1;
  sortUint32(L);
  const s = new Int32Array(P);
  for (let i = 0; i < P; i++) s[i] = (L[i] & 3) - 1;
  L.fill(0);
  return s;
}

/** The ciphertext for r (and Small(r)): Round(h r) encoded, then the confirmation hash. */
function hide(r: Int32Array, pk: Uint8Array, cache: Uint8Array): { rEnc: Uint8Array; ct: Uint8Array } {
  const rEnc = smallEncode(r);
  const c = roundEncode(multiplyQ(rqDecode(pk), r));
  return { rEnc, ct: concat(c, hashPrefix(2, hashPrefix(3, rEnc), cache)) };
}

export function keypair(rng: RandomSource = randomBytes): { publicKey: Uint8Array; secretKey: Uint8Array } {
  let g: Int32Array;
  let ginv: Int32Array;
  for (;;) {
    g = smallRandom(rng);
    const inv = reciprocal3(g);
    if (inv.ok) {
      ginv = inv.value;
      break;
    }
  }
  const f = shortRandom(rng);
  const h = multiplyQ(reciprocalQOfThreeTimes(f), g);
  const publicKey = rqEncode(h);
  const secretKey = concat(smallEncode(f), smallEncode(ginv), publicKey, rng(SMALL_BYTES), hashPrefix(4, publicKey));
  f.fill(0);
  g.fill(0);
  ginv.fill(0);
  return { publicKey, secretKey };
}

export function encapsulate(publicKey: Uint8Array, rng: RandomSource = randomBytes): { cipherText: Uint8Array; sharedSecret: Uint8Array } {
  if (publicKey.length !== PUBLIC_KEY_BYTES) throw new RangeError(`sntrup761 public key: ${publicKey.length} bytes, expected ${PUBLIC_KEY_BYTES}`);
  const r = shortRandom(rng);
  const { rEnc, ct } = hide(r, publicKey, hashPrefix(4, publicKey));
  r.fill(0);
  const sharedSecret = hashPrefix(1, hashPrefix(3, rEnc), ct);
  rEnc.fill(0);
  return { cipherText: ct, sharedSecret };
}

export function decapsulate(cipherText: Uint8Array, secretKey: Uint8Array): Uint8Array {
  if (cipherText.length !== CIPHERTEXT_BYTES) throw new RangeError(`sntrup761 ciphertext: ${cipherText.length} bytes, expected ${CIPHERTEXT_BYTES}`);
  if (secretKey.length !== SECRET_KEY_BYTES) throw new RangeError(`sntrup761 secret key: ${secretKey.length} bytes, expected ${SECRET_KEY_BYTES}`);
  const f = smallDecode(secretKey.subarray(0, SMALL_BYTES));
  const ginv = smallDecode(secretKey.subarray(SMALL_BYTES, 2 * SMALL_BYTES));
  const pk = secretKey.subarray(2 * SMALL_BYTES, 2 * SMALL_BYTES + PUBLIC_KEY_BYTES);
  const rho = secretKey.subarray(2 * SMALL_BYTES + PUBLIC_KEY_BYTES, 3 * SMALL_BYTES + PUBLIC_KEY_BYTES);
  const cache = secretKey.subarray(3 * SMALL_BYTES + PUBLIC_KEY_BYTES);

  // e = 3 f c in R/q, read mod 3; r' = e / g in R/3.
  const cf = multiplyQ(roundedDecode(cipherText.subarray(0, ROUNDED_BYTES)), f);
  const e = new Int32Array(P);
  for (let i = 0; i < P; i++) e[i] = freeze3(freezeQ(3 * cf[i]));
  const v = multiply3(e, ginv);
  // Weight w, or the fixed (1,..,1,0,..,0): by mask, not by branch.
  let weight = 0;
  for (let i = 0; i < P; i++) weight += v[i] & 1;
  const bad = ((weight - W) | (W - weight)) >> 31;
  const r = new Int32Array(P);
  for (let i = 0; i < W; i++) r[i] = ((v[i] ^ 1) & ~bad) ^ 1;
  for (let i = W; i < P; i++) r[i] = v[i] & ~bad;

  const { rEnc, ct } = hide(r, pk, cache);
  let diff = 0;
  for (let i = 0; i < CIPHERTEXT_BYTES; i++) diff |= ct[i] ^ cipherText[i];
  const mismatch = -diff >> 31; // -1 when the ciphertexts differ
  for (let i = 0; i < SMALL_BYTES; i++) rEnc[i] ^= mismatch & (rEnc[i] ^ rho[i]);
  const k = hashPrefix(1 + mismatch, hashPrefix(3, rEnc), cipherText);
  for (const a of [f, ginv, cf, e, v, r]) a.fill(0);
  rEnc.fill(0);
  return k;
}
