// chacha20-poly1305@openssh.com (OpenSSH PROTOCOL.chacha20poly1305).
// 64 bytes of key material: the first 32 are K_2 (payload and Poly1305 key), the last 32 are
// K_1 (packet_length only). Nonce = sequence number as uint64 big-endian. The Poly1305 key is
// the first 32 bytes of ChaCha20(K_2, nonce, counter 0); the payload uses counter 1.
// Tag = Poly1305(encrypted length || encrypted payload). This is DJB's original ChaCha20 with
// an 8-byte nonce, hence noble's chacha20orig.

import { chacha20orig } from '@noble/ciphers/chacha.js';
import { poly1305 } from '@noble/ciphers/_poly1305.js';
import { equalBytes, readUint32 } from '../wire/bytes';
import { IntegrityError, type Framing, type Opener, type Sealer } from './types';

const TAG = 16;
const ZERO32 = new Uint8Array(32);
const FRAMING: Framing = { name: 'chacha20-poly1305@openssh.com', blockSize: 8, lengthExcluded: true };

function nonceFor(seq: number): Uint8Array {
  const n = new Uint8Array(8);
  n[4] = seq >>> 24;
  n[5] = (seq >>> 16) & 0xff;
  n[6] = (seq >>> 8) & 0xff;
  n[7] = seq & 0xff;
  return n;
}

function splitKey(key: Uint8Array): { main: Uint8Array; header: Uint8Array } {
  if (key.length !== 64) throw new RangeError(`chacha20-poly1305 key must be 64 bytes, got ${key.length}`);
  return { main: key.slice(0, 32), header: key.slice(32, 64) };
}

export function chachaPolySealer(key: Uint8Array): Sealer {
  const { main, header } = splitKey(key);
  return {
    ...FRAMING,
    async seal(seq, packet) {
      const nonce = nonceFor(seq);
      const out = new Uint8Array(packet.length + TAG);
      chacha20orig(header, nonce, packet.subarray(0, 4), out.subarray(0, 4), 0);
      chacha20orig(main, nonce, packet.subarray(4), out.subarray(4, packet.length), 1);
      const polyKey = chacha20orig(main, nonce, ZERO32, undefined, 0);
      out.set(poly1305(out.subarray(0, packet.length), polyKey), packet.length);
      return out;
    },
  };
}

export function chachaPolyOpener(key: Uint8Array): Opener {
  const { main, header } = splitKey(key);
  return {
    ...FRAMING,
    macLength: TAG,
    prefixLength: 4,
    concurrent: true,
    decryptLength(seq, prefix) {
      return readUint32(chacha20orig(header, nonceFor(seq), prefix.subarray(0, 4), undefined, 0), 0);
    },
    async open(seq, wire) {
      const nonce = nonceFor(seq);
      const body = wire.length - TAG;
      const polyKey = chacha20orig(main, nonce, ZERO32, undefined, 0);
      const expected = poly1305(wire.subarray(0, body), polyKey);
      // Verify before decrypting anything (encrypt-then-MAC).
      if (!equalBytes(expected, wire.subarray(body))) throw new IntegrityError('Poly1305 tag mismatch');
      return chacha20orig(main, nonce, wire.subarray(4, body), undefined, 1);
    },
  };
}
