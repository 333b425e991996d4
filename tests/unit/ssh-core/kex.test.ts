// Key agreement glue, exchange hash and key derivation, checked against published vectors
// (RFC 7748) and against Node's independent OpenSSL implementations.

import { createECDH, createHash, getDiffieHellman } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { createAgreement } from '../../../src/ssh/core/kex/agreement';
import { MODP14, MODP16 } from '../../../src/ssh/core/kex/dh';
import { deriveKey, exchangeHash } from '../../../src/ssh/core/kex/exchange';
import { fromHex, toHex, utf8 } from '../../../src/ssh/core/wire/bytes';
import { mpintMagnitude } from '../../../src/ssh/core/wire/wire';
import { SshError } from '../../../src/ssh/core/wire/errors';

describe('curve25519-sha256 (RFC 7748 §6.1 vectors)', () => {
  const alicePriv = fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
  const alicePub = '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a';
  const bobPub = fromHex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
  const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';

  test('Q_C is the public key and K is the raw 32-byte output', () => {
    const a = createAgreement('curve25519-sha256', alicePriv);
    expect(toHex(a.ownValue)).toBe(alicePub);
    expect(toHex(a.computeSecret(bobPub))).toBe(shared);
  });

  test('a low-order point (all-zero output) is refused as kex-failed', () => {
    const a = createAgreement('curve25519-sha256');
    let error: unknown;
    try {
      a.computeSecret(new Uint8Array(32));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SshError);
    expect((error as SshError).kind).toBe('kex-failed');
  });

  test('a wrong-length key is refused', () => {
    expect(() => createAgreement('curve25519-sha256@libssh.org').computeSecret(new Uint8Array(31))).toThrow(/31 bytes/);
  });
});

describe('ecdh-sha2-nistp* against OpenSSL', () => {
  for (const [kex, curve] of [
    ['ecdh-sha2-nistp256', 'prime256v1'],
    ['ecdh-sha2-nistp384', 'secp384r1'],
    ['ecdh-sha2-nistp521', 'secp521r1'],
  ]) {
    test(kex, () => {
      const ours = createAgreement(kex);
      const theirs = createECDH(curve);
      const theirPub = theirs.generateKeys(); // uncompressed SEC1, as SSH sends it
      expect(ours.ownValue[0]).toBe(0x04);
      const k = ours.computeSecret(new Uint8Array(theirPub));
      expect(toHex(k)).toBe(theirs.computeSecret(Buffer.from(ours.ownValue)).toString('hex'));
    });
  }

  test('a point not on the curve is refused', () => {
    const bad = new Uint8Array(65);
    bad[0] = 4;
    bad[64] = 1;
    expect(() => createAgreement('ecdh-sha2-nistp256').computeSecret(bad)).toThrow(/not valid/);
  });
});

describe('diffie-hellman groups 14 and 16', () => {
  test('the primes are RFC 3526 MODP groups 14 and 16 (as OpenSSL has them)', () => {
    expect(MODP14.toString(16)).toBe(getDiffieHellman('modp14').getPrime('hex'));
    expect(MODP16.toString(16)).toBe(getDiffieHellman('modp16').getPrime('hex'));
  });

  for (const [kex, group] of [
    ['diffie-hellman-group14-sha256', 'modp14'],
    ['diffie-hellman-group16-sha512', 'modp16'],
  ]) {
    test(`${kex}: shared secret matches OpenSSL's`, () => {
      const ours = createAgreement(kex);
      const theirs = getDiffieHellman(group);
      theirs.generateKeys();
      // Values travel as mpint bodies: a leading 0x00 appears when the top bit is set.
      const k = ours.computeSecret(mpintMagnitude(new Uint8Array(theirs.getPublicKey())));
      const expected = theirs.computeSecret(Buffer.from(ours.ownValue)).toString('hex').replace(/^(00)+/, '');
      expect(toHex(k)).toBe(expected);
    });
  }

  test('f = 1 and f = p-1 are refused (RFC 4253 §8)', () => {
    const a = createAgreement('diffie-hellman-group14-sha256');
    expect(() => a.computeSecret(Uint8Array.of(1))).toThrow(/out of range/);
    expect(() => a.computeSecret(fromHex('00' + (MODP14 - 1n).toString(16)))).toThrow(/out of range/);
  });
});

describe('exchange hash (RFC 4253 §8, RFC 5656 §4)', () => {
  test('fields are length-prefixed strings and K is an mpint with its sign byte', () => {
    const inputs = {
      clientVersion: 'SSH-2.0-A',
      serverVersion: 'SSH-2.0-B',
      clientKexInit: Uint8Array.of(20, 1),
      serverKexInit: Uint8Array.of(20, 2),
      hostKey: Uint8Array.of(9),
      clientValue: Uint8Array.of(0xc1),
      serverValue: Uint8Array.of(0x51),
      secret: fromHex('0080ff'), // leading zero dropped, then a 0x00 sign byte added: 00 00 00 03 00 80 ff
    };
    const layout =
      '00000009' + Buffer.from('SSH-2.0-A').toString('hex') +
      '00000009' + Buffer.from('SSH-2.0-B').toString('hex') +
      '000000021401' + '000000021402' + '0000000109' + '00000001c1' + '0000000151' + '000000030080ff';
    const sha256 = (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest());
    expect(toHex(exchangeHash(sha256, inputs))).toBe(createHash('sha256').update(Buffer.from(layout, 'hex')).digest('hex'));
  });

  test('key derivation extends with K1..Kn when more bytes are needed (RFC 4253 §7.2)', () => {
    const sha256 = (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest());
    const k = fromHex('7f01');
    const h = fromHex('aa'.repeat(32));
    const sid = fromHex('bb'.repeat(32));
    const kMpint = Buffer.from('000000027f01', 'hex');
    const k1 = createHash('sha256').update(Buffer.concat([kMpint, h, utf8('C'), sid])).digest();
    const k2 = createHash('sha256').update(Buffer.concat([kMpint, h, k1])).digest();
    expect(toHex(deriveKey(sha256, k, h, sid, 'C', 64))).toBe(Buffer.concat([k1, k2]).toString('hex'));
    expect(toHex(deriveKey(sha256, k, h, sid, 'C', 16))).toBe(k1.subarray(0, 16).toString('hex'));
  });
});
