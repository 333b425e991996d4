// bcrypt_pbkdf and its Blowfish core, checked against published Blowfish values and against
// the independent bcrypt-pbkdf npm package (a port of OpenBSD's C code).

import { describe, expect, it } from 'vitest';
import reference from 'bcrypt-pbkdf';
import { bcryptPbkdf } from '../../../src/ssh/keys/bcrypt-pbkdf';
import { Blowfish, initialState } from '../../../src/ssh/keys/blowfish';

const hex = (words: number[]) => words.map((w) => (w >>> 0).toString(16).padStart(8, '0')).join('');

describe('Blowfish', () => {
  it('derives its initial state from the hex digits of pi', () => {
    const s = initialState();
    expect(s.length).toBe(18 + 1024);
    expect(hex([s[0], s[1], s[17]])).toBe('243f6a8885a308d38979fb1b'); // P[0], P[1], P[17]
    expect(hex([s[18], s[18 + 1023]])).toBe('d1310ba63ac372e6'); // S0[0], S3[255]
  });

  // Eric Young's Blowfish ECB test vectors (the set published on Schneier's site).
  it.each([
    ['0000000000000000', '0000000000000000', '4ef997456198dd78'],
    ['ffffffffffffffff', 'ffffffffffffffff', '51866fd5b85ecb8a'],
    ['3000000000000000', '1000000000000001', '7d856f9a613063f2'],
    ['0123456789abcdef', '1111111111111111', '61f9c3802281b096'],
    ['fedcba9876543210', '0123456789abcdef', '0aceab0fc6a0a28d'],
  ])('key %s, plaintext %s → %s', (keyHex, plainHex, cipherHex) => {
    const bf = new Blowfish();
    bf.expand(new Uint8Array(Buffer.from(keyHex, 'hex'))); // the classic key schedule
    const [l, r] = bf.encipher(parseInt(plainHex.slice(0, 8), 16), parseInt(plainHex.slice(8), 16));
    expect(hex([l, r])).toBe(cipherHex);
  });
});

describe('bcrypt_pbkdf', () => {
  const enc = new TextEncoder();
  it.each([
    ['password', 'salt', 1, 32],
    ['password', 'salt', 2, 48],
    ['correct horse 42', '0123456789abcdef', 16, 48],
    ['ünïcödé pässphrase', 'x', 4, 80],
    ['p', 'long salt '.repeat(10), 1, 1],
    ['chacha key', 'sixteen byte slt', 2, 64],
  ])('pass %j salt %j rounds %i length %i matches the reference port', (pass, salt, rounds, length) => {
    const p = enc.encode(pass);
    const s = enc.encode(salt);
    const expected = new Uint8Array(length);
    reference.pbkdf(p, p.length, s, s.length, expected, length, rounds);
    expect(Buffer.from(bcryptPbkdf(p, s, length, rounds)).toString('hex')).toBe(Buffer.from(expected).toString('hex'));
  });

  it('refuses an empty passphrase or salt, as OpenBSD does', () => {
    expect(() => bcryptPbkdf(new Uint8Array(0), enc.encode('salt'), 32, 1)).toThrow(RangeError);
    expect(() => bcryptPbkdf(enc.encode('pass'), new Uint8Array(0), 32, 1)).toThrow(RangeError);
  });
});
