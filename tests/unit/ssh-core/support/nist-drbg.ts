// The AES-256 CTR_DRBG (NIST SP 800-90A, no derivation function, no prediction resistance) that the
// NIST post-quantum submissions' KAT programs use as randombytes(), so known-answer outputs can be
// reproduced call by call. AES from Node (OpenSSL).

import { createCipheriv } from 'node:crypto';

export class NistDrbg {
  private key = new Uint8Array(32);
  private v = new Uint8Array(16);

  constructor(entropy: Uint8Array) {
    if (entropy.length !== 48) throw new RangeError('entropy: 48 bytes');
    this.update(entropy);
  }

  private block(): Uint8Array {
    // V is a 128-bit big-endian counter.
    for (let j = 15; j >= 0; j--) {
      this.v[j] = (this.v[j] + 1) & 0xff;
      if (this.v[j] !== 0) break;
    }
    const aes = createCipheriv('aes-256-ecb', this.key, null).setAutoPadding(false);
    return new Uint8Array(aes.update(this.v));
  }

  private update(provided?: Uint8Array): void {
    const temp = new Uint8Array(48);
    for (let i = 0; i < 3; i++) temp.set(this.block(), 16 * i);
    if (provided) for (let i = 0; i < 48; i++) temp[i] ^= provided[i];
    this.key = temp.slice(0, 32);
    this.v = temp.slice(32);
  }

  /** One randombytes(n) call: whole blocks, then the state moves on (so 4 + 4 differs from 8). */
  randomBytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let at = 0; at < n; at += 16) out.set(this.block().subarray(0, Math.min(16, n - at)), at);
    this.update();
    return out;
  }
}
