// aes128-gcm@openssh.com / aes256-gcm@openssh.com (RFC 5647, via WebCrypto).
// packet_length travels in clear and is the AAD; padding_length..padding is encrypted; 16-byte tag.
// IV (12 bytes) = 4-byte fixed field || 8-byte invocation counter, the counter incremented
// as a uint64 after every packet (RFC 5647 §7.1). Both come from the key exchange's IV output.

import { readUint32 } from '../bytes';
import { IntegrityError, type Opener, type Sealer } from './types';

const TAG = 16;

class GcmIv {
  private readonly iv: Uint8Array;
  constructor(initial: Uint8Array) {
    if (initial.length !== 12) throw new RangeError(`AES-GCM IV must be 12 bytes, got ${initial.length}`);
    this.iv = initial.slice();
  }
  /** Returns the IV for this packet and advances the invocation counter. */
  next(): Uint8Array {
    const current = this.iv.slice();
    for (let i = 11; i >= 4; i--) {
      this.iv[i] = (this.iv[i] + 1) & 0xff;
      if (this.iv[i] !== 0) break;
    }
    return current;
  }
}

async function importGcmKey(key: Uint8Array, usage: 'encrypt' | 'decrypt'): Promise<CryptoKey> {
  if (key.length !== 16 && key.length !== 32) throw new RangeError(`AES-GCM key must be 16 or 32 bytes, got ${key.length}`);
  return crypto.subtle.importKey('raw', key, { name: 'AES-GCM' }, false, [usage]);
}

export async function aesGcmSealer(name: string, key: Uint8Array, iv: Uint8Array): Promise<Sealer> {
  const cryptoKey = await importGcmKey(key, 'encrypt');
  const ivs = new GcmIv(iv);
  return {
    name,
    blockSize: 16,
    lengthExcluded: true,
    async seal(_seq, packet) {
      const aad = packet.slice(0, 4);
      const sealed = new Uint8Array(
        await crypto.subtle.encrypt({ name: 'AES-GCM', iv: ivs.next(), additionalData: aad, tagLength: 128 }, cryptoKey, packet.subarray(4)),
      );
      const out = new Uint8Array(4 + sealed.length);
      out.set(aad, 0);
      out.set(sealed, 4);
      return out;
    },
  };
}

export async function aesGcmOpener(name: string, key: Uint8Array, iv: Uint8Array): Promise<Opener> {
  const cryptoKey = await importGcmKey(key, 'decrypt');
  const ivs = new GcmIv(iv);
  return {
    name,
    blockSize: 16,
    lengthExcluded: true,
    macLength: TAG,
    prefixLength: 4,
    concurrent: true,
    decryptLength: (_seq, prefix) => readUint32(prefix, 0),
    async open(_seq, wire) {
      const packetIv = ivs.next();
      try {
        return new Uint8Array(
          await crypto.subtle.decrypt(
            { name: 'AES-GCM', iv: packetIv, additionalData: wire.slice(0, 4), tagLength: 128 },
            cryptoKey,
            wire.subarray(4),
          ),
        );
      } catch {
        throw new IntegrityError('AES-GCM tag mismatch');
      }
    },
  };
}
