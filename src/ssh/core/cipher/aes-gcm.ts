// aes128-gcm@openssh.com / aes256-gcm@openssh.com (RFC 5647, via WebCrypto).
// packet_length travels in clear and is the AAD; padding_length..padding is encrypted; 16-byte tag.
// IV (12 bytes) = 4-byte fixed field || 8-byte invocation counter, the counter incremented
// as a uint64 after every packet (RFC 5647 §7.1). Both come from the key exchange's IV output.
// WebCrypto copies every buffer it is given before encrypt()/decrypt() return (WebCrypto §18.4.4,
// "get a copy of the bytes held by"), so one IV buffer serves every packet, advanced after each call.

import { readUint32 } from '../wire/bytes';
import { IntegrityError, type Framing, type Opener, type Sealer } from './types';

const TAG = 16;

class GcmIv {
  private readonly iv: Uint8Array;
  constructor(initial: Uint8Array) {
    if (initial.length !== 12) throw new RangeError(`AES-GCM IV must be 12 bytes, got ${initial.length}`);
    this.iv = initial.slice();
  }
  /** Calls `use` with this packet's IV (valid only during the call), then advances the invocation counter. */
  use<T>(use: (iv: Uint8Array) => T): T {
    const result = use(this.iv);
    for (let i = 11; i >= 4; i--) {
      this.iv[i] = (this.iv[i] + 1) & 0xff;
      if (this.iv[i] !== 0) break;
    }
    return result;
  }
}

/** packet_length is the AAD, outside the 16-byte alignment. */
function framing(name: string): Framing {
  return { name, blockSize: 16, lengthExcluded: true };
}

async function importGcmKey(key: Uint8Array, usage: 'encrypt' | 'decrypt'): Promise<CryptoKey> {
  if (key.length !== 16 && key.length !== 32) throw new RangeError(`AES-GCM key must be 16 or 32 bytes, got ${key.length}`);
  return crypto.subtle.importKey('raw', key, { name: 'AES-GCM' }, false, [usage]);
}

export async function aesGcmSealer(name: string, key: Uint8Array, iv: Uint8Array): Promise<Sealer> {
  const cryptoKey = await importGcmKey(key, 'encrypt');
  const ivs = new GcmIv(iv);
  return {
    ...framing(name),
    async seal(_seq, packet) {
      const aad = packet.subarray(0, 4);
      const sealing = ivs.use((iv) => crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad, tagLength: 128 }, cryptoKey, packet.subarray(4)));
      const sealed = new Uint8Array(await sealing);
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
    ...framing(name),
    macLength: TAG,
    prefixLength: 4,
    concurrent: true,
    decryptLength: (_seq, prefix) => readUint32(prefix, 0),
    async open(_seq, wire) {
      const opening = ivs.use((iv) => crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: wire.subarray(0, 4), tagLength: 128 }, cryptoKey, wire.subarray(4)));
      try {
        return new Uint8Array(await opening);
      } catch {
        throw new IntegrityError('AES-GCM tag mismatch');
      }
    },
  };
}
