// A small, strict DER reader and writer (ITU-T X.690 §8 and §10): just what RDCleanPath needs.
// The reader takes bytes from an untrusted browser, so it refuses everything DER forbids
// (indefinite lengths, non-minimal lengths and integers, constructed strings) and every size past
// the caller's bounds, and each error names the field and the byte offset that were wrong.
//
// Identifier octet (X.690 §8.1.2): bits 8-7 class, bit 6 constructed, bits 5-1 tag number.
// Length octets (§8.1.3, §10.1): short form 0xxxxxxx (0..127); long form 1nnnnnnn followed by n
// big-endian octets, used only for lengths ≥ 128 and with no leading zero octet; 0x80 (indefinite)
// is not DER.

import { concatBytes } from '../../src/shared/bytes.ts';

// The RDP modules and tests take concatBytes from here, beside the encoders that use it.
export { concatBytes };

export const TAG = {
  INTEGER: 0x02,
  OCTET_STRING: 0x04,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30, // universal 16, constructed
} as const;

/** Identifier octet of an EXPLICIT context-specific tag [n]: class 10, constructed. */
export function contextTag(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 30) throw new RangeError(`context tag number ${n} is out of range 0..30`);
  return 0xa0 | n;
}

export function describeTag(tag: number): string {
  if ((tag & 0xc0) === 0x80) return `[${tag & 0x1f}]`; // context-specific
  const names: Record<number, string> = { 0x02: 'INTEGER', 0x04: 'OCTET STRING', 0x0c: 'UTF8String', 0x30: 'SEQUENCE' };
  return names[tag] ?? `tag 0x${tag.toString(16).padStart(2, '0')}`;
}

export class DerError extends Error {
  constructor(
    message: string,
    /** Dotted path of the field being read, e.g. "RDCleanPath.[3] proxy auth". */
    readonly field: string,
    /** Offset from the start of the whole message, when known. */
    readonly offset: number,
  ) {
    super(`${field}: ${message} (at byte ${offset})`);
    this.name = 'DerError';
  }
}

export interface Tlv {
  tag: number;
  /** Offset of the identifier octet in the whole message. */
  start: number;
  /** Offset of the first contents octet in the whole message. */
  valueStart: number;
  value: Uint8Array;
}

const join = (path: string, field: string): string => (path ? `${path}.${field}` : field);

/** The largest length we ever accept; RDCleanPath messages are bounded far below this anyway. */
const MAX_LENGTH_OCTETS = 3;

export interface Header {
  tag: number;
  headerLength: number;
  length: number;
}

/**
 * Reads one identifier and length. Returns undefined when `buf` is too short to tell (a stream
 * reader waits for more bytes); throws when the header can never become valid DER.
 */
export function readHeader(buf: Uint8Array, offset: number, field: string): Header | undefined {
  if (buf.length - offset < 2) return undefined;
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-octet tag numbers are not used here', field, offset);
  const first = buf[offset + 1];
  if (first < 0x80) return { tag, headerLength: 2, length: first };
  if (first === 0x80) throw new DerError('indefinite length is not allowed in DER', field, offset + 1);
  const count = first & 0x7f;
  if (count > MAX_LENGTH_OCTETS) throw new DerError(`a length of ${count} octets is larger than allowed`, field, offset + 1);
  if (buf.length - offset < 2 + count) return undefined;
  if (buf[offset + 2] === 0) throw new DerError('length has a leading zero octet (not minimal)', field, offset + 2);
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + buf[offset + 2 + i];
  if (length < 0x80) throw new DerError('long-form length used for a length below 128 (not minimal)', field, offset + 1);
  return { tag, headerLength: 2 + count, length };
}

/**
 * Reads the TLVs inside one constructed value (or a whole message), in order. `base` is where
 * `buf` starts within the whole message, so errors point at the right byte.
 */
export class DerReader {
  private at = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly field: string,
    private readonly base = 0,
    /** How many constructed levels may still be entered below this one. */
    private readonly depthLeft = 8,
  ) {}

  get done(): boolean {
    return this.at >= this.buf.length;
  }

  peekTag(): number | undefined {
    return this.done ? undefined : this.buf[this.at];
  }

  /** Reads the next TLV; `field` names it in errors, `maxLength` bounds its contents. */
  next(field: string, maxLength: number): Tlv {
    const name = join(this.field, field);
    const start = this.base + this.at;
    if (this.done) throw new DerError('is missing (the value ended before it)', name, start);
    const h = readHeader(this.buf, this.at, name);
    if (!h) throw new DerError('is truncated (header cut short)', name, start);
    if (h.length > maxLength) throw new DerError(`is ${h.length} bytes, more than the ${maxLength} allowed`, name, start);
    const valueAt = this.at + h.headerLength;
    if (valueAt + h.length > this.buf.length) {
      throw new DerError(`is truncated (${h.length} bytes declared, ${this.buf.length - valueAt} present)`, name, start);
    }
    this.at = valueAt + h.length;
    return { tag: h.tag, start, valueStart: this.base + valueAt, value: this.buf.subarray(valueAt, valueAt + h.length) };
  }

  /** Reads a TLV that must carry `tag`. */
  expect(tag: number, field: string, maxLength: number): Tlv {
    const tlv = this.next(field, maxLength);
    if (tlv.tag !== tag) {
      throw new DerError(`expected ${describeTag(tag)} but found ${describeTag(tlv.tag)}`, join(this.field, field), tlv.start);
    }
    return tlv;
  }

  /** A reader over a constructed TLV's contents, one level deeper. */
  enter(tlv: Tlv, field: string): DerReader {
    const name = join(this.field, field);
    if ((tlv.tag & 0x20) === 0) throw new DerError(`${describeTag(tlv.tag)} must be constructed`, name, tlv.start);
    if (this.depthLeft <= 0) throw new DerError('is nested too deeply', name, tlv.start);
    return new DerReader(tlv.value, name, tlv.valueStart, this.depthLeft - 1);
  }

  /** Fails if anything is left: DER values have exactly the contents their length says. */
  end(): void {
    if (!this.done) {
      throw new DerError(`has ${this.buf.length - this.at} unexpected trailing bytes`, this.field || 'message', this.base + this.at);
    }
  }
}

/** A non-negative INTEGER (X.690 §8.3), minimal two's complement, at most `maxValue`. */
export function decodeUnsigned(tlv: Tlv, field: string, maxValue: number): number {
  const v = tlv.value;
  if (tlv.tag !== TAG.INTEGER) throw new DerError(`expected INTEGER but found ${describeTag(tlv.tag)}`, field, tlv.start);
  if (v.length === 0) throw new DerError('INTEGER has no contents octets', field, tlv.start);
  if (v.length > 1 && ((v[0] === 0 && v[1] < 0x80) || (v[0] === 0xff && v[1] >= 0x80))) {
    throw new DerError('INTEGER is not minimally encoded', field, tlv.valueStart);
  }
  if (v[0] >= 0x80) throw new DerError('INTEGER is negative', field, tlv.valueStart);
  if (v.length > 7) throw new DerError(`INTEGER is larger than ${maxValue}`, field, tlv.valueStart);
  let n = 0;
  for (const b of v) n = n * 256 + b;
  if (n > maxValue) throw new DerError(`INTEGER ${n} is larger than ${maxValue}`, field, tlv.valueStart);
  return n;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function decodeUtf8(tlv: Tlv, field: string): string {
  if (tlv.tag !== TAG.UTF8_STRING) throw new DerError(`expected UTF8String but found ${describeTag(tlv.tag)}`, field, tlv.start);
  try {
    return utf8.decode(tlv.value);
  } catch {
    throw new DerError('UTF8String is not valid UTF-8', field, tlv.valueStart);
  }
}

export function decodeOctets(tlv: Tlv, field: string): Uint8Array {
  if (tlv.tag !== TAG.OCTET_STRING) throw new DerError(`expected OCTET STRING but found ${describeTag(tlv.tag)}`, field, tlv.start);
  return tlv.value;
}

// ---- Writer ----

export function encodeLength(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n >= 1 << 24) throw new RangeError(`DER length ${n} is out of range`);
  if (n < 0x80) return Uint8Array.of(n);
  if (n < 0x100) return Uint8Array.of(0x81, n);
  if (n < 0x10000) return Uint8Array.of(0x82, n >> 8, n & 0xff);
  return Uint8Array.of(0x83, n >> 16, (n >> 8) & 0xff, n & 0xff);
}

export function encodeTlv(tag: number, value: Uint8Array): Uint8Array {
  return concatBytes([Uint8Array.of(tag), encodeLength(value.length), value]);
}

/** A non-negative INTEGER in minimal form, with a leading zero when the top bit would be set. */
export function encodeUnsigned(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`cannot encode ${n} as a non-negative INTEGER`);
  const bytes: number[] = [];
  do {
    bytes.unshift(n % 256);
    n = Math.floor(n / 256);
  } while (n > 0);
  if (bytes[0] >= 0x80) bytes.unshift(0);
  return encodeTlv(TAG.INTEGER, Uint8Array.from(bytes));
}

export const encodeUtf8 = (s: string): Uint8Array => encodeTlv(TAG.UTF8_STRING, new TextEncoder().encode(s));
export const encodeOctets = (b: Uint8Array): Uint8Array => encodeTlv(TAG.OCTET_STRING, b);
export const encodeSequence = (items: readonly Uint8Array[]): Uint8Array => encodeTlv(TAG.SEQUENCE, concatBytes(items));
/** EXPLICIT [n] wrapping of an already encoded value. */
export const encodeExplicit = (n: number, inner: Uint8Array): Uint8Array => encodeTlv(contextTag(n), inner);
