// aes128-ctr / aes256-ctr (RFC 4344 §4) with hmac-sha2-256/512 (RFC 6668), in the classic
// encrypt-and-MAC layout or OpenSSH's -etm@openssh.com encrypt-then-MAC layout (PROTOCOL §1.5).
//   classic: wire = AES-CTR(whole packet) || HMAC(seq || plaintext packet)
//   etm:     wire = packet_length || AES-CTR(rest) || HMAC(seq || packet_length || ciphertext)
// The whole 16-byte IV block is one big-endian counter, advanced once per cipher block.

import { concat, readUint32 } from '../wire/bytes';
import { IntegrityError, seqBytes, type Framing, type Opener, type Sealer } from './types';

export interface MacSpec {
  name: string;
  hash: 'SHA-256' | 'SHA-512';
  length: number;
  etm: boolean;
}

export const MACS: Record<string, MacSpec> = {
  'hmac-sha2-256-etm@openssh.com': { name: 'hmac-sha2-256-etm@openssh.com', hash: 'SHA-256', length: 32, etm: true },
  'hmac-sha2-512-etm@openssh.com': { name: 'hmac-sha2-512-etm@openssh.com', hash: 'SHA-512', length: 64, etm: true },
  'hmac-sha2-256': { name: 'hmac-sha2-256', hash: 'SHA-256', length: 32, etm: false },
  'hmac-sha2-512': { name: 'hmac-sha2-512', hash: 'SHA-512', length: 64, etm: false },
};

class Counter {
  private readonly block: Uint8Array;
  constructor(iv: Uint8Array) {
    if (iv.length !== 16) throw new RangeError(`AES-CTR IV must be 16 bytes, got ${iv.length}`);
    this.block = iv.slice();
  }
  peek(): Uint8Array {
    return this.block.slice();
  }
  /** Returns the counter for the next `blocks` blocks and moves past them. */
  take(blocks: number): Uint8Array {
    const current = this.block.slice();
    let carry = blocks;
    for (let i = 15; i >= 0 && carry > 0; i--) {
      const sum = this.block[i] + (carry % 256);
      this.block[i] = sum & 0xff;
      carry = Math.floor(carry / 256) + (sum >> 8);
    }
    return current;
  }
}

async function importKeys(key: Uint8Array, macKey: Uint8Array, mac: MacSpec, usage: 'encrypt' | 'decrypt') {
  if (key.length !== 16 && key.length !== 32) throw new RangeError(`AES-CTR key must be 16 or 32 bytes, got ${key.length}`);
  const aes = await crypto.subtle.importKey('raw', key, { name: 'AES-CTR' }, false, [usage]);
  const hmac = await crypto.subtle.importKey('raw', macKey, { name: 'HMAC', hash: mac.hash }, false, ['sign', 'verify']);
  return { aes, hmac };
}

function ctr(counter: Uint8Array) {
  return { name: 'AES-CTR', counter, length: 128 };
}

function framing(name: string, mac: MacSpec): Framing {
  return { name: `${name} + ${mac.name}`, blockSize: 16, lengthExcluded: mac.etm };
}

export async function aesCtrSealer(name: string, key: Uint8Array, iv: Uint8Array, mac: MacSpec, macKey: Uint8Array): Promise<Sealer> {
  const keys = await importKeys(key, macKey, mac, 'encrypt');
  const counter = new Counter(iv);
  return {
    ...framing(name, mac),
    async seal(seq, packet) {
      const out = new Uint8Array(packet.length + mac.length);
      if (mac.etm) {
        const start = counter.take((packet.length - 4) / 16);
        out.set(packet.subarray(0, 4), 0);
        out.set(new Uint8Array(await crypto.subtle.encrypt(ctr(start), keys.aes, packet.subarray(4))), 4);
        const tag = await crypto.subtle.sign('HMAC', keys.hmac, concat(seqBytes(seq), out.subarray(0, packet.length)));
        out.set(new Uint8Array(tag), packet.length);
      } else {
        const start = counter.take(packet.length / 16);
        const tagPromise = crypto.subtle.sign('HMAC', keys.hmac, concat(seqBytes(seq), packet));
        out.set(new Uint8Array(await crypto.subtle.encrypt(ctr(start), keys.aes, packet)), 0);
        out.set(new Uint8Array(await tagPromise), packet.length);
      }
      return out;
    },
  };
}

export async function aesCtrOpener(name: string, key: Uint8Array, iv: Uint8Array, mac: MacSpec, macKey: Uint8Array): Promise<Opener> {
  const keys = await importKeys(key, macKey, mac, 'decrypt');
  const counter = new Counter(iv);
  return {
    ...framing(name, mac),
    macLength: mac.length,
    // Classic mode must decrypt the first block to learn the length; etm sends it in clear.
    prefixLength: mac.etm ? 4 : 16,
    async decryptLength(_seq, prefix) {
      if (mac.etm) return readUint32(prefix, 0);
      const first = new Uint8Array(await crypto.subtle.decrypt(ctr(counter.peek()), keys.aes, prefix.subarray(0, 16)));
      return readUint32(first, 0);
    },
    async open(seq, wire) {
      const body = wire.length - mac.length;
      const received = wire.subarray(body);
      if (mac.etm) {
        const start = counter.take((body - 4) / 16);
        const ok = await crypto.subtle.verify('HMAC', keys.hmac, received, concat(seqBytes(seq), wire.subarray(0, body)));
        if (!ok) throw new IntegrityError(`${mac.name} mismatch`);
        return new Uint8Array(await crypto.subtle.decrypt(ctr(start), keys.aes, wire.subarray(4, body)));
      }
      const start = counter.take(body / 16);
      const plain = new Uint8Array(await crypto.subtle.decrypt(ctr(start), keys.aes, wire.subarray(0, body)));
      const ok = await crypto.subtle.verify('HMAC', keys.hmac, received, concat(seqBytes(seq), plain));
      if (!ok) throw new IntegrityError(`${mac.name} mismatch`);
      return plain.subarray(4);
    },
  };
}
