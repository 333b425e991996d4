import { describe, expect, it } from 'vitest';
import {
  DerError, DerReader, TAG, decodeUnsigned, decodeUtf8, encodeExplicit, encodeLength, encodeSequence, encodeTlv,
  encodeUnsigned, encodeUtf8, readHeader,
} from '../../../proxy/rdp/der.ts';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('DER lengths', () => {
  it('encodes the shortest form (X.690 §10.1)', () => {
    expect(toHex(encodeLength(0))).toBe('00');
    expect(toHex(encodeLength(127))).toBe('7f');
    expect(toHex(encodeLength(128))).toBe('8180');
    expect(toHex(encodeLength(255))).toBe('81ff');
    expect(toHex(encodeLength(256))).toBe('820100');
    expect(toHex(encodeLength(65535))).toBe('82ffff');
    expect(toHex(encodeLength(65536))).toBe('83010000');
  });

  it('reads back what it writes', () => {
    for (const n of [0, 1, 127, 128, 200, 255, 256, 4096, 65535, 65536, 300_000]) {
      const enc = encodeTlv(TAG.OCTET_STRING, new Uint8Array(n));
      expect(readHeader(enc, 0, 'x')).toEqual({ tag: TAG.OCTET_STRING, headerLength: enc.length - n, length: n });
    }
  });

  it('waits for more bytes when the header is cut short', () => {
    expect(readHeader(hex('30'), 0, 'x')).toBeUndefined();
    expect(readHeader(hex('3082 01'), 0, 'x')).toBeUndefined();
  });

  it('refuses indefinite, non-minimal and oversized lengths, naming the field', () => {
    expect(() => readHeader(hex('3080 0000'), 0, 'request')).toThrow(/request: indefinite length is not allowed in DER/);
    expect(() => readHeader(hex('3081 05'), 0, 'request')).toThrow(/long-form length used for a length below 128/);
    expect(() => readHeader(hex('3082 0080'), 0, 'request')).toThrow(/leading zero octet/);
    expect(() => readHeader(hex('3084 00000100'), 0, 'request')).toThrow(/4 octets is larger than allowed/);
    expect(() => readHeader(hex('1f81 00'), 0, 'request')).toThrow(/multi-octet tag/);
  });
});

describe('DER integers', () => {
  it('round-trips non-negative integers in minimal form', () => {
    const cases: [number, string][] = [[0, '020100'], [127, '02017f'], [128, '02020080'], [255, '020200ff'], [256, '02020100'],
      [3390, '02020d3e'], [65535, '020300ffff'], [0xffffffff, '020500ffffffff']];
    for (const [n, enc] of cases) {
      expect(toHex(encodeUnsigned(n))).toBe(enc);
      const r = new DerReader(hex(enc), 'test');
      expect(decodeUnsigned(r.next('n', 16), 'n', 2 ** 40)).toBe(n);
    }
  });

  it('refuses non-minimal, negative, empty and too-large integers', () => {
    const read = (h: string, max = 0xffff) => decodeUnsigned(new DerReader(hex(h), 't').next('n', 16), 'version', max);
    expect(() => read('02020005')).toThrow(/not minimally encoded/);
    expect(() => read('0202ff80')).toThrow(/not minimally encoded/);
    expect(() => read('020180')).toThrow(/negative/);
    expect(() => read('0200')).toThrow(/no contents octets/);
    expect(() => read('0203010000')).toThrow(/larger than 65535/);
    expect(() => read('0409 000000000000000001', 2 ** 50)).toThrow(/expected INTEGER but found OCTET STRING/);
  });
});

describe('DER reader', () => {
  it('names the field and offset of a truncated value', () => {
    const r = new DerReader(hex('3005 0c03 6162'), 'msg');
    const err = (() => {
      try {
        r.next('body', 100);
      } catch (e) {
        return e as DerError;
      }
    })();
    expect(err).toBeInstanceOf(DerError);
    expect(err!.field).toBe('msg.body');
    expect(err!.message).toMatch(/truncated \(5 bytes declared, 4 present\)/);
  });

  it('bounds each value by the caller’s limit', () => {
    const r = new DerReader(encodeUtf8('x'.repeat(300)), 'msg');
    expect(() => r.next('destination', 255)).toThrow(/msg.destination: is 300 bytes, more than the 255 allowed/);
  });

  it('refuses trailing bytes', () => {
    const r = new DerReader(hex('020101 00'), 'msg');
    r.next('n', 4);
    expect(() => r.end()).toThrow(/1 unexpected trailing bytes/);
  });

  it('limits nesting depth', () => {
    let v = encodeUnsigned(1);
    for (let i = 0; i < 12; i++) v = encodeSequence([v]);
    // With the default depth (8), twelve nested SEQUENCEs cannot all be entered.
    let levels = 0;
    let r = new DerReader(v, 'deep');
    try {
      for (;;) {
        r = r.enter(r.next('level', 1000), 'level');
        levels++;
      }
    } catch (e) {
      expect((e as Error).message).toMatch(/nested too deeply/);
    }
    expect(levels).toBe(8);
  });

  it('refuses invalid UTF-8 in a UTF8String', () => {
    const r = new DerReader(hex('0c02 c328'), 'msg');
    expect(() => decodeUtf8(r.next('s', 10), 'destination')).toThrow(/not valid UTF-8/);
  });

  it('writes EXPLICIT context tags as constructed [n]', () => {
    expect(toHex(encodeExplicit(0, encodeUnsigned(3390)))).toBe('a00402020d3e');
    expect(toHex(encodeExplicit(9, encodeUtf8('a')))).toBe('a9030c0161');
  });
});
