// Byte helpers for key files: SSH wire encoding (RFC 4251 §5), base64, big integers.
// Every reader failure throws KeyError('malformed') so a truncated or hostile file
// produces a sentence for the user, never a RangeError.

import { KeyError } from './types';

export const utf8 = new TextEncoder();

// Shared with the SSH core: one implementation of the basic byte helpers.
import { bigIntToBytes, bytesToBigInt, concat } from '../core/wire/bytes';
export { bigIntToBytes, bytesToBigInt, concat, equalBytes, toBase64 } from '../core/wire/bytes';
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    throw new KeyError('malformed', `The key's ${what} is not valid text.`);
  }
}

// ---- base64 (RFC 4648 §4), done by hand: atob/btoa are DOM/worker globals, Buffer is Node-only.

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_INDEX[B64.charCodeAt(i)] = i;

/** Decodes base64, ignoring whitespace anywhere (pasted keys). Returns null if it is not base64. */
export function fromBase64(text: string): Uint8Array | null {
  let clean = text.replace(/\s+/g, '');
  let end = clean.length;
  while (end > 0 && clean.charCodeAt(end - 1) === 61 /* = */) end--;
  clean = clean.slice(0, end);
  if (clean.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let at = 0;
  for (let i = 0; i < clean.length; i++) {
    const c = clean.charCodeAt(i);
    const v = c < 128 ? B64_INDEX[c] : -1;
    if (v < 0) return null;
    value = (value << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (value >> bits) & 0xff;
    }
  }
  return out;
}

// ---- big integers as unsigned big-endian bytes

export function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

// ---- SSH wire format (RFC 4251 §5): uint32 big-endian, string = uint32 length + bytes,
// mpint = string holding a two's-complement big-endian integer with no needless leading byte.

export class SshReader {
  private at = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly what = 'key data',
  ) {}

  private fail(): never {
    throw new KeyError('malformed', `The ${this.what} is truncated or corrupt.`);
  }

  get remaining(): number {
    return this.buf.length - this.at;
  }

  bytes(n: number): Uint8Array {
    if (n < 0 || n > this.remaining) this.fail();
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  uint32(): number {
    const b = this.bytes(4);
    return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  }

  string(): Uint8Array {
    return this.bytes(this.uint32());
  }

  text(): string {
    return decodeUtf8(this.string(), this.what);
  }

  /** mpint that must be non-negative (every integer in a key is). */
  mpint(): bigint {
    const b = this.string();
    if (b.length > 0 && b[0] & 0x80) this.fail();
    return bytesToBigInt(b);
  }

  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }
}

export class SshWriter {
  private parts: Uint8Array[] = [];

  raw(b: Uint8Array): this {
    this.parts.push(b);
    return this;
  }

  uint32(n: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n >>> 0);
    return this.raw(b);
  }

  string(b: Uint8Array | string): this {
    const bytes = typeof b === 'string' ? utf8.encode(b) : b;
    return this.uint32(bytes.length).raw(bytes);
  }

  mpint(n: bigint): this {
    let b = bigIntToBytes(n);
    if (b.length > 0 && b[0] & 0x80) b = concat(new Uint8Array([0]), b);
    return this.string(b);
  }

  finish(): Uint8Array {
    return concat(...this.parts);
  }
}
