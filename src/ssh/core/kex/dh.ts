// Finite-field Diffie-Hellman over the RFC 3526 MODP groups 14 (2048-bit) and 16 (4096-bit),
// generator 2, as used by diffie-hellman-group14-sha256 and -group16-sha512 (RFC 8268).
// The private exponent has twice the bits of the group's security level (RFC 8268 §4 guidance):
// 512 bits is enough for both and keeps the 4096-bit modexp fast.

import { bigIntToBytes, bytesToBigInt, randomBytes } from '../wire/bytes';
import { mpintMagnitude } from '../wire/wire';
import type { HashFn, KeyAgreement, KexFailure } from './agreement';

export const MODP14 = BigInt(
  '0x' +
    'ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74' +
    '020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437' +
    '4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed' +
    'ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05' +
    '98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb' +
    '9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b' +
    'e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718' +
    '3995497cea956ae515d2261898fa051015728e5a8aacaa68ffffffffffffffff',
);

export const MODP16 = BigInt(
  '0x' +
    'ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74' +
    '020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437' +
    '4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed' +
    'ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05' +
    '98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb' +
    '9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b' +
    'e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718' +
    '3995497cea956ae515d2261898fa051015728e5a8aaac42dad33170d04507a33' +
    'a85521abdf1cba64ecfb850458dbef0a8aea71575d060c7db3970f85a6e1e4c7' +
    'abf5ae8cdb0933d71e8c94e04a25619dcee3d2261ad2ee6bf12ffa06d98a0864' +
    'd87602733ec86a64521f2b18177b200cbbe117577a615d6c770988c0bad946e2' +
    '08e24fa074e5ab3143db5bfce0fd108e4b82d120a92108011a723c12a787e6d7' +
    '88719a10bdba5b2699c327186af4e23c1a946834b6150bda2583e9ca2ad44ce8' +
    'dbbbc2db04de8ef92e8efc141fbecaa6287c59474e6bc05d99b2964fa090c3a2' +
    '233ba186515be7ed1f612970cee2d7afb81bdd762170481cd0069127d5b05aa9' +
    '93b4ea988d8fddc186ffb7dc90a6c08f4df435c934063199ffffffffffffffff',
);

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

export function dhGroup(group: 14 | 16, hash: HashFn, fail: KexFailure, fixed?: Uint8Array): KeyAgreement {
  const p = group === 14 ? MODP14 : MODP16;
  // x in [2^511, 2^512): a random 512-bit number with the top bit forced keeps it well away from 0 and 1.
  const raw = fixed ?? randomBytes(64);
  if (!fixed) raw[0] |= 0x80;
  const x = bytesToBigInt(raw);
  const e = modPow(2n, x, p);
  return {
    hash,
    secretEncoding: 'mpint',
    // The mpint body (sign byte included), so string(ownValue) is exactly mpint(e) in the hash.
    ownValue: mpintMagnitude(bigIntToBytes(e)),
    computeSecret(peer) {
      if (peer.length > 0 && peer[0] & 0x80) throw fail((who) => `the ${who}'s Diffie-Hellman value is negative`);
      const f = bytesToBigInt(peer);
      // RFC 4253 §8: values outside [1, p-1] must not be accepted; 1 and p-1 are degenerate.
      if (f <= 1n || f >= p - 1n) throw fail((who) => `the ${who}'s Diffie-Hellman value is out of range`);
      return bigIntToBytes(modPow(f, x, p));
    },
  };
}
