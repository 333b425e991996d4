// Minimal DER (ITU-T X.690 §8, §10) reader and writer: just what PKCS#1, SEC1 and PKCS#8
// key files use. Reading is strict about bounds and lenient about nothing else we need.

import { KeyError } from './types';
import { bigIntToBytes, bytesToBigInt, concat } from './bytes';

export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
} as const;

/** Context-specific constructed tag [n], as used for optional fields (e.g. SEC1 [0] parameters). */
export const contextTag = (n: number): number => 0xa0 | n;

export interface Tlv {
  tag: number;
  /** The contents octets (the value, without tag and length). */
  value: Uint8Array;
}

function fail(what: string): never {
  throw new KeyError('malformed', `The ${what} is not valid DER.`);
}

/** Reads consecutive TLVs out of a buffer (the contents of a SEQUENCE, or a whole file). */
export class DerReader {
  private at = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly what = 'key',
  ) {}

  get done(): boolean {
    return this.at >= this.buf.length;
  }

  peekTag(): number | undefined {
    return this.done ? undefined : this.buf[this.at];
  }

  next(): Tlv {
    const b = this.buf;
    if (this.at + 2 > b.length) fail(this.what);
    const tag = b[this.at++];
    if ((tag & 0x1f) === 0x1f) fail(this.what); // multi-byte tags never appear in key files
    let len = b[this.at++];
    if (len & 0x80) {
      // Long form (X.690 §8.1.3.5): low bits give the number of length octets.
      const count = len & 0x7f;
      if (count === 0 || count > 4 || this.at + count > b.length) fail(this.what);
      len = 0;
      for (let i = 0; i < count; i++) len = len * 256 + b[this.at++];
    }
    if (this.at + len > b.length) fail(this.what);
    const value = b.subarray(this.at, this.at + len);
    this.at += len;
    return { tag, value };
  }

  expect(tag: number): Uint8Array {
    const t = this.next();
    if (t.tag !== tag) fail(this.what);
    return t.value;
  }

  sequence(): DerReader {
    return new DerReader(this.expect(TAG.SEQUENCE), this.what);
  }

  /** A non-negative INTEGER. */
  integer(): bigint {
    const v = this.expect(TAG.INTEGER);
    if (v.length === 0 || v[0] & 0x80) fail(this.what);
    return bytesToBigInt(v);
  }

  smallInteger(): number {
    const n = this.integer();
    if (n > 0xffffffffn) fail(this.what);
    return Number(n);
  }

  octetString(): Uint8Array {
    return this.expect(TAG.OCTET_STRING);
  }

  oid(): string {
    return decodeOid(this.expect(TAG.OID), this.what);
  }

  /** BIT STRING whose unused-bits octet is zero (keys are whole bytes). */
  bitString(): Uint8Array {
    const v = this.expect(TAG.BIT_STRING);
    if (v.length === 0 || v[0] !== 0) fail(this.what);
    return v.subarray(1);
  }

  /** AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL } (RFC 5280 §4.1.1.2). */
  algorithm(): { oid: string; params: Tlv | undefined } {
    const seq = this.sequence();
    const oid = seq.oid();
    const params = seq.done ? undefined : seq.next();
    return { oid, params };
  }
}

/** OID contents (X.690 §8.19): first octet packs the first two arcs, then base-128 arcs. */
export function decodeOid(v: Uint8Array, what = 'key'): string {
  if (v.length === 0 || v.length > 64) fail(what);
  const arcs: number[] = [];
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    n = n * 128 + (v[i] & 0x7f);
    if (!(v[i] & 0x80)) {
      if (arcs.length === 0) {
        const first = n < 80 ? Math.floor(n / 40) : 2;
        arcs.push(first, n - first * 40);
      } else arcs.push(n);
      n = 0;
    } else if (i === v.length - 1) fail(what);
  }
  return arcs.join('.');
}

// ---- writer

function encodeLength(len: number): Uint8Array {
  if (len < 0x80) return new Uint8Array([len]);
  const bytes: number[] = [];
  for (let n = len; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return new Uint8Array([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const value = concat(...contents);
  return concat(new Uint8Array([tag]), encodeLength(value.length), value);
}

export const derSequence = (...items: Uint8Array[]): Uint8Array => tlv(TAG.SEQUENCE, ...items);

export function derInteger(n: bigint): Uint8Array {
  let b = bigIntToBytes(n);
  if (b.length === 0 || b[0] & 0x80) b = concat(new Uint8Array([0]), b);
  return tlv(TAG.INTEGER, b);
}

export const derOctetString = (b: Uint8Array): Uint8Array => tlv(TAG.OCTET_STRING, b);

export const derNull = (): Uint8Array => new Uint8Array([TAG.NULL, 0]);

export function derOid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [];
  const push = (n: number) => {
    const chunk = [n & 0x7f];
    for (n = Math.floor(n / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift(0x80 | (n & 0x7f));
    out.push(...chunk);
  };
  push(arcs[0] * 40 + arcs[1]);
  for (const arc of arcs.slice(2)) push(arc);
  return tlv(TAG.OID, new Uint8Array(out));
}
