// SSH data types (RFC 4251 §5): byte, boolean, uint32, uint64, string, mpint, name-list.
// The reader bounds-checks every field and throws a protocol-error SshError naming the field,
// so a truncated or hostile packet becomes a sentence, never a RangeError; the role that reports
// it says who sent the packet.

import { concat, fromUtf8, utf8 } from './bytes';
import { malformedError } from './errors';

export class SshReader {
  private at = 0;
  constructor(private readonly buf: Uint8Array) {}

  get remaining(): number {
    return this.buf.length - this.at;
  }

  private need(n: number, field: string): void {
    if (this.at + n > this.buf.length) throw malformedError(`message ends in the middle of ${field}`);
  }

  byte(field = 'a byte'): number {
    this.need(1, field);
    return this.buf[this.at++];
  }

  boolean(field = 'a boolean'): boolean {
    return this.byte(field) !== 0;
  }

  uint32(field = 'a number'): number {
    this.need(4, field);
    const b = this.buf;
    const v = ((b[this.at] << 24) | (b[this.at + 1] << 16) | (b[this.at + 2] << 8) | b[this.at + 3]) >>> 0;
    this.at += 4;
    return v;
  }

  uint64(field = 'a number'): bigint {
    const hi = this.uint32(field);
    const lo = this.uint32(field);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** string: uint32 length, then that many bytes. Returns a view, not a copy. */
  bytes(field = 'a string'): Uint8Array {
    const length = this.uint32(field);
    this.need(length, field);
    const out = this.buf.subarray(this.at, this.at + length);
    this.at += length;
    return out;
  }

  string(field = 'a string'): string {
    return fromUtf8(this.bytes(field));
  }

  /** name-list: comma-separated US-ASCII names in a string; empty string means no names. */
  nameList(field = 'a name list'): string[] {
    const text = this.string(field);
    return text === '' ? [] : text.split(',');
  }

  /** mpint: two's complement big-endian; SSH only sends non-negative values here. */
  mpint(field = 'a number'): bigint {
    const raw = this.bytes(field);
    if (raw.length > 0 && raw[0] & 0x80) throw malformedError(`${field} is negative`);
    let n = 0n;
    for (const b of raw) n = (n << 8n) | BigInt(b);
    return n;
  }

  /** The mpint's magnitude as bytes, leading zero stripped. */
  mpintBytes(field = 'a number'): Uint8Array {
    const raw = this.bytes(field);
    if (raw.length > 0 && raw[0] & 0x80) throw malformedError(`${field} is negative`);
    let start = 0;
    while (start < raw.length && raw[start] === 0) start++;
    return raw.subarray(start);
  }

  rest(): Uint8Array {
    const out = this.buf.subarray(this.at);
    this.at = this.buf.length;
    return out;
  }

  /** Messages must not carry trailing garbage where the layout is fixed. */
  end(what: string): void {
    if (this.at !== this.buf.length) throw malformedError(`${what} has ${this.buf.length - this.at} unexpected trailing bytes`);
  }
}

/** Builds a message by appending fields; `finish()` returns one contiguous buffer. */
export class SshWriter {
  private parts: Uint8Array[] = [];
  private length = 0;

  private push(part: Uint8Array): this {
    this.parts.push(part);
    this.length += part.length;
    return this;
  }

  byte(v: number): this {
    return this.push(Uint8Array.of(v & 0xff));
  }

  boolean(v: boolean): this {
    return this.byte(v ? 1 : 0);
  }

  uint32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`uint32 out of range: ${v}`);
    return this.push(Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff));
  }

  bytes(v: Uint8Array): this {
    this.uint32(v.length);
    return this.push(v);
  }

  string(v: string): this {
    return this.bytes(utf8(v));
  }

  nameList(names: readonly string[]): this {
    return this.string(names.join(','));
  }

  /** Raw bytes with no length prefix. */
  raw(v: Uint8Array): this {
    return this.push(v);
  }

  mpint(v: bigint): this {
    return this.bytes(mpintEncode(v));
  }

  /** An unsigned big-endian magnitude written as an mpint (adds the 0x00 sign byte if needed). */
  mpintFromBytes(magnitude: Uint8Array): this {
    return this.bytes(mpintMagnitude(magnitude));
  }

  finish(): Uint8Array {
    const out = this.parts.length === 1 ? this.parts[0] : concat(...this.parts);
    this.parts = [out];
    return out;
  }

  get size(): number {
    return this.length;
  }
}

/** mpint body for a non-negative bigint (RFC 4251 §5): minimal bytes, 0x00 prefix if the top bit is set. */
export function mpintEncode(v: bigint): Uint8Array {
  if (v < 0n) throw new RangeError('mpint: negative values are not used by this client');
  if (v === 0n) return new Uint8Array(0);
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return mpintMagnitude(bytes);
}

export function mpintMagnitude(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length && magnitude[start] === 0) start++;
  const body = magnitude.subarray(start);
  if (body.length > 0 && body[0] & 0x80) {
    const out = new Uint8Array(body.length + 1);
    out.set(body, 1);
    return out;
  }
  return body.slice();
}
