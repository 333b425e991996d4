// Post-quantum/classical hybrid key exchange: a KEM and X25519 side by side, as OpenSSH runs them.
//   mlkem768x25519-sha256 (draft-ietf-sshm-mlkem-hybrid-kex; OpenSSH PROTOCOL):
//     KEX_ECDH_INIT (30)   string C_INIT  = ML-KEM-768 encapsulation key (1184) || X25519 key (32)
//     KEX_ECDH_REPLY (31)  string S_REPLY = ML-KEM-768 ciphertext (1088)      || X25519 key (32)
//   sntrup761x25519-sha512 (and its @openssh.com name): the same with Streamlined NTRU Prime 761,
//     public key 1158, ciphertext 1039.
// K = HASH(K_PQ || K_CL): the KEM's 32-byte secret, then the raw 32-byte X25519 output. Unlike the
// classical methods, K enters the exchange hash and the key derivation as a string, not an mpint.
// The client generates the KEM key pair and decapsulates; the server encapsulates to it.

import { concat } from '../wire/bytes';
import type { HashFn, KexFailure, KeyAgreement, KeyResponse } from './agreement';

/** What a hybrid needs of its KEM (noble's ml_kem768 and our sntrup761 both have this shape). */
export interface Kem {
  readonly name: string;
  readonly publicKeyLength: number;
  readonly ciphertextLength: number;
  keygen(): { publicKey: Uint8Array; secretKey: Uint8Array };
  encapsulate(publicKey: Uint8Array): { cipherText: Uint8Array; sharedSecret: Uint8Array };
  decapsulate(cipherText: Uint8Array, secretKey: Uint8Array): Uint8Array;
}

/** The X25519 half, as the classical curve25519 method runs it (its zero-secret check included). */
export interface X25519Half {
  readonly ownValue: Uint8Array;
  computeSecret(peer: Uint8Array): Uint8Array;
}

/** The client's half: a fresh KEM key pair and X25519 key, good for one exchange. */
export function hybridInitiator(kem: Kem, hash: HashFn, x25519: X25519Half, fail: KexFailure): KeyAgreement {
  let pair: { publicKey: Uint8Array; secretKey: Uint8Array } | undefined = kem.keygen();
  const expected = kem.ciphertextLength + 32;
  return {
    hash,
    secretEncoding: 'string',
    ownValue: concat(pair.publicKey, x25519.ownValue),
    computeSecret(reply) {
      if (!pair) throw new RangeError('this key exchange key was already used; a key serves one exchange only');
      if (reply.length !== expected) {
        throw fail((peer) => `the ${peer}'s ${kem.name} reply is ${reply.length} bytes, not ${expected} (a ${kem.ciphertextLength}-byte ciphertext and a 32-byte X25519 key)`);
      }
      const secretKey = pair.secretKey;
      pair = undefined;
      const kpq = kem.decapsulate(reply.subarray(0, kem.ciphertextLength), secretKey);
      secretKey.fill(0);
      const kcl = x25519.computeSecret(reply.subarray(kem.ciphertextLength));
      return hashBoth(hash, kpq, kcl);
    },
  };
}

/** The server's half: encapsulate to the client's KEM key, and answer with the ciphertext and our X25519 key. */
export function hybridResponse(kem: Kem, hash: HashFn, x25519: X25519Half, fail: KexFailure, init: Uint8Array): KeyResponse {
  const expected = kem.publicKeyLength + 32;
  if (init.length !== expected) {
    throw fail((peer) => `the ${peer}'s ${kem.name} value is ${init.length} bytes, not ${expected} (a ${kem.publicKeyLength}-byte public key and a 32-byte X25519 key)`);
  }
  let sealed: { cipherText: Uint8Array; sharedSecret: Uint8Array };
  try {
    sealed = kem.encapsulate(init.subarray(0, kem.publicKeyLength));
  } catch {
    throw fail((peer) => `the ${peer}'s ${kem.name} public key is not valid`);
  }
  const kcl = x25519.computeSecret(init.subarray(kem.publicKeyLength));
  return { hash, secretEncoding: 'string', value: concat(sealed.cipherText, x25519.ownValue), secret: hashBoth(hash, sealed.sharedSecret, kcl) };
}

function hashBoth(hash: HashFn, kpq: Uint8Array, kcl: Uint8Array): Uint8Array {
  const both = concat(kpq, kcl);
  const k = hash(both);
  both.fill(0);
  kpq.fill(0);
  kcl.fill(0);
  return k;
}
