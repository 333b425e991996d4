// Streamlined NTRU Prime sntrup761: the published known answer (PQClean's nistkat-sha256 for
// sntrup761, the SHA-256 of the NIST KAT program's output for count 0, made with the NIST AES
// CTR_DRBG), the ring arithmetic behind it, round trips, and implicit rejection.

import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { CIPHERTEXT_BYTES, PUBLIC_KEY_BYTES, SECRET_KEY_BYTES, decapsulate, encapsulate, keypair } from '../../../src/ssh/core/kex/sntrup761/index';
import { decode, encode, encodedLength } from '../../../src/ssh/core/kex/sntrup761/encode';
import { P, Q, freeze3, freezeQ, multiply3, multiplyQ, reciprocal3, reciprocalQOfThreeTimes } from '../../../src/ssh/core/kex/sntrup761/ring';
import { toHex } from '../../../src/ssh/core/wire/bytes';
import { NistDrbg } from './support/nist-drbg';

const upperHex = (b: Uint8Array) => toHex(b).toUpperCase();

describe('known answer (NIST KAT, count 0)', () => {
  // The KAT program: a DRBG seeded with bytes 0..47 gives the 48-byte seed; a DRBG seeded with that
  // is randombytes() for keypair, enc and dec, in that order.
  const seed = new NistDrbg(Uint8Array.from({ length: 48 }, (_, i) => i)).randomBytes(48);
  const drbg = new NistDrbg(seed);
  const rng = (n: number) => drbg.randomBytes(n);
  const { publicKey, secretKey } = keypair(rng);
  const { cipherText, sharedSecret } = encapsulate(publicKey, rng);

  test('the seed is the NIST count-0 seed', () => {
    expect(upperHex(seed)).toBe('061550234D158C5EC95595FE04EF7A25767F2E24CC2BC479D09D86DC9ABCFDE7056A8C266F9EF97ED08541DBD2E1FFA1');
  });

  test("the KAT output hashes to PQClean's published nistkat-sha256", () => {
    const text =
      `count = 0\nseed = ${upperHex(seed)}\npk = ${upperHex(publicKey)}\nsk = ${upperHex(secretKey)}\n` +
      `ct = ${upperHex(cipherText)}\nss = ${upperHex(sharedSecret)}\n`;
    expect(createHash('sha256').update(text).digest('hex')).toBe('afc42c3a5b10f4ef69654250097ebda9b9564570f4086744b24a6daf2bd1f89a');
  });

  test('the shared secret, and decapsulation gives it back', () => {
    expect(upperHex(sharedSecret)).toBe('337B787540BF55F8F9933A0880F1FB1CE00855C7FEACD55FAACA1926FC174202');
    expect(upperHex(decapsulate(cipherText, secretKey))).toBe(upperHex(sharedSecret));
  });
});

describe('ring arithmetic', () => {
  const centred = (x: number, m: number) => {
    const e = ((x % m) + m) % m;
    return e > (m - 1) / 2 ? e - m : e;
  };

  test('freezeQ is x mod q, centred, for every |x| <= 2^24; freeze3 for every |x| <= 16000', () => {
    let wrong = 0;
    for (let x = -(2 ** 24); x <= 2 ** 24; x++) if (freezeQ(x) !== centred(x, Q)) wrong++;
    for (let x = -16000; x <= 16000; x++) if (freeze3(x) !== centred(x, 3)) wrong++;
    expect(wrong).toBe(0);
  });

  const random = (n: number) => Int32Array.from({ length: n }, () => Math.floor(Math.random() * 3) - 1);

  test('a reciprocal in R/3 multiplies back to 1', () => {
    let done = 0;
    while (done < 3) {
      const g = random(P);
      const { value, ok } = reciprocal3(g);
      if (!ok) continue;
      const one = multiply3(g, value);
      expect(one[0]).toBe(1);
      expect(one.subarray(1).every((c) => c === 0)).toBe(true);
      done++;
    }
  });

  test('the zero polynomial is reported as not invertible in R/3', () => {
    expect(reciprocal3(new Int32Array(P)).ok).toBe(false);
  });

  test('1/(3f) in R/q times 3f is 1', () => {
    const f = random(P);
    const h = reciprocalQOfThreeTimes(f);
    const three = multiplyQ(h, f).map((c) => (((3 * c) % Q) + Q) % Q);
    expect(three[0]).toBe(1);
    expect(three.subarray(1).every((c) => c === 0)).toBe(true);
  });

  test('Encode and Decode invert each other; the sizes are those of the KEM', () => {
    const M = new Array<number>(P).fill(4591);
    const R = Array.from({ length: P }, () => Math.floor(Math.random() * 4591));
    const bytes = Uint8Array.from(encode(R, M));
    expect(bytes.length).toBe(1158);
    expect(decode(bytes, M)).toEqual(R);
    expect(encodedLength(new Array<number>(P).fill(1531))).toBe(1007);
  });
});

describe('KEM', () => {
  test('sizes, and round trips agree', () => {
    for (let i = 0; i < 3; i++) {
      const { publicKey, secretKey } = keypair();
      expect([publicKey.length, secretKey.length]).toEqual([PUBLIC_KEY_BYTES, SECRET_KEY_BYTES]);
      const { cipherText, sharedSecret } = encapsulate(publicKey);
      expect(cipherText.length).toBe(CIPHERTEXT_BYTES);
      expect(toHex(decapsulate(cipherText, secretKey))).toBe(toHex(sharedSecret));
    }
  });

  test('a changed ciphertext decapsulates to an unrelated key (implicit rejection), the same each time', () => {
    const { publicKey, secretKey } = keypair();
    const { cipherText, sharedSecret } = encapsulate(publicKey);
    for (const at of [0, 500, 1006, 1038]) {
      const bad = cipherText.slice();
      bad[at] ^= 0x01;
      const k = decapsulate(bad, secretKey);
      expect(toHex(k)).not.toBe(toHex(sharedSecret));
      expect(toHex(decapsulate(bad, secretKey))).toBe(toHex(k));
    }
  });

  test('wrong lengths are refused by name', () => {
    const { publicKey, secretKey } = keypair();
    expect(() => encapsulate(publicKey.subarray(1))).toThrow(/public key: 1157 bytes, expected 1158/);
    expect(() => decapsulate(new Uint8Array(1038), secretKey)).toThrow(/ciphertext: 1038 bytes, expected 1039/);
  });
});
