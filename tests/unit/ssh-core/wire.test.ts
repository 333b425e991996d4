// The SSH data-type codec (RFC 4251 §5), with the RFC's own mpint and name-list examples.

import { describe, expect, test } from 'vitest';
import { SshReader, SshWriter, mpintEncode } from '../../../src/ssh/core/wire/wire';
import { fromHex, toBase64, toHex } from '../../../src/ssh/core/wire/bytes';
import { SshError } from '../../../src/ssh/core/wire/errors';

describe('mpint (RFC 4251 §5 examples)', () => {
  const cases: Array<[bigint, string]> = [
    [0n, '00000000'],
    [0x9a378f9b2e332a7n, '0000000809a378f9b2e332a7'],
    [0x80n, '000000020080'],
  ];
  for (const [value, wire] of cases) {
    test(`0x${value.toString(16)}`, () => {
      expect(toHex(new SshWriter().mpint(value).finish())).toBe(wire);
      expect(new SshReader(fromHex(wire)).mpint()).toBe(value);
    });
  }

  test('negative values on the wire are refused, naming the field', () => {
    // -1234 is 00 00 00 02 fb 2e in the RFC.
    expect(() => new SshReader(fromHex('00000002fb2e')).mpint('the DH value')).toThrow('the DH value is negative');
  });

  test('a magnitude with the top bit set gets a zero sign byte; leading zeros are dropped', () => {
    expect(toHex(new SshWriter().mpintFromBytes(fromHex('0000ff01')).finish())).toBe('0000000300ff01');
    expect(toHex(mpintEncode(0x7fn))).toBe('7f');
  });
});

describe('name-list (RFC 4251 §5 examples)', () => {
  test('empty, one, several', () => {
    expect(toHex(new SshWriter().nameList([]).finish())).toBe('00000000');
    expect(toHex(new SshWriter().nameList(['zlib']).finish())).toBe('000000047a6c6962');
    expect(toHex(new SshWriter().nameList(['zlib', 'none']).finish())).toBe('000000097a6c69622c6e6f6e65');
    expect(new SshReader(fromHex('000000097a6c69622c6e6f6e65')).nameList()).toEqual(['zlib', 'none']);
    expect(new SshReader(fromHex('00000000')).nameList()).toEqual([]);
  });
});

describe('reader bounds', () => {
  test('a string longer than the message is a protocol error naming the field', () => {
    const r = new SshReader(fromHex('000000ff6869'));
    let error: unknown;
    try {
      r.string('the banner');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SshError);
    expect((error as SshError).kind).toBe('protocol-error');
    expect((error as SshError).message).toBe('The server sent something this client does not understand: message ends in the middle of the banner');
  });

  test('trailing bytes are reported', () => {
    const r = new SshReader(fromHex('0100'));
    r.byte();
    expect(() => r.end('KEX_ECDH_REPLY')).toThrow('KEX_ECDH_REPLY has 1 unexpected trailing bytes');
  });

  test('round trip of every type', () => {
    const bytes = new SshWriter().byte(7).boolean(true).uint32(0xfffffffe).string('héllo').bytes(Uint8Array.of(1, 2)).finish();
    const r = new SshReader(bytes);
    expect([r.byte(), r.boolean(), r.uint32(), r.string(), Array.from(r.bytes())]).toEqual([7, true, 0xfffffffe, 'héllo', [1, 2]]);
    expect(r.remaining).toBe(0);
  });

  test('uint32 out of range is refused when writing', () => {
    expect(() => new SshWriter().uint32(2 ** 32)).toThrow(RangeError);
  });
});

test('base64 without padding (OpenSSH fingerprints) and with', () => {
  expect(toBase64(fromHex('666f6f'), false)).toBe('Zm9v');
  expect(toBase64(fromHex('666f6f62'), true)).toBe('Zm9vYg==');
  expect(toBase64(fromHex('666f6f62'), false)).toBe('Zm9vYg');
  expect(toBase64(fromHex('666f6f6261'), true)).toBe('Zm9vYmE=');
});
