// Key agreement for each kex method: a party's own public value and the shared secret K.
// Symmetric on purpose: the client and the server role use the same code.
//   curve25519-sha256 (RFC 8731): values are 32-byte X25519 keys; K is the 32-byte output read
//     as an unsigned big-endian integer.
//   ecdh-sha2-nistp* (RFC 5656 §4): values are uncompressed SEC1 points; K is the x coordinate.
//   diffie-hellman-group14-sha256, -group16-sha512 (RFC 8268, RFC 4253 §8): values are e and f;
//     K = f^x mod p.
//   mlkem768x25519-sha256, sntrup761x25519-sha512: post-quantum hybrids (hybrid.ts); the client's
//     value is a KEM public key and an X25519 key, the server's a ciphertext and an X25519 key.

import { x25519 } from '@noble/curves/ed25519.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { SshError } from '../wire/errors';
import { dhGroup } from './dh';
import { hybridInitiator, hybridResponse, type Kem } from './hybrid';
import * as sntrup761 from './sntrup761/index';

export type HashFn = (data: Uint8Array) => Uint8Array;

/** How K enters the exchange hash and the key derivation: an mpint, or (the hybrids) a string. */
export type SecretEncoding = 'mpint' | 'string';

/** The client's side of an exchange (and, for the classical methods, the server's too). */
export interface KeyAgreement {
  readonly hash: HashFn;
  readonly secretEncoding: SecretEncoding;
  /** Q_C / Q_S for ECDH, the mpint body of e / f for DH: what goes in KEX_ECDH_INIT or _REPLY. */
  readonly ownValue: Uint8Array;
  /** K: an unsigned big-endian magnitude (mpint methods) or the hybrid's hash output (string methods). */
  computeSecret(peerValue: Uint8Array): Uint8Array;
}

/** The server's side of an exchange: its reply value and K, from the client's value. */
export interface KeyResponse {
  readonly hash: HashFn;
  readonly secretEncoding: SecretEncoding;
  readonly value: Uint8Array;
  readonly secret: Uint8Array;
}

/** The exchanges whose secret stays safe from a quantum computer, as the UI names them. */
export const POST_QUANTUM_KEX: ReadonlySet<string> = new Set(['mlkem768x25519-sha256', 'sntrup761x25519-sha512', 'sntrup761x25519-sha512@openssh.com']);

/** Post-quantum first, as OpenSSH orders them. */
export const KEX_NAMES = [
  'mlkem768x25519-sha256',
  'sntrup761x25519-sha512',
  'sntrup761x25519-sha512@openssh.com',
  'curve25519-sha256',
  'curve25519-sha256@libssh.org',
  'ecdh-sha2-nistp256',
  'ecdh-sha2-nistp384',
  'ecdh-sha2-nistp521',
  'diffie-hellman-group16-sha512',
  'diffie-hellman-group14-sha256',
] as const;

/** `why` may name the peer ("the server's value…"), so it is said by the reporting role too. */
export type KexFailure = (why: string | ((peer: string) => string)) => SshError;

const kexFailed: KexFailure = (why) =>
  new SshError('kex-failed', (v) => `The key exchange with the ${v.peer} failed: ${typeof why === 'string' ? why : why(v.peer)}.`);

function curve25519(fixed?: Uint8Array): KeyAgreement {
  const secret = fixed ?? x25519.utils.randomSecretKey();
  return {
    hash: sha256,
    secretEncoding: 'mpint',
    ownValue: x25519.getPublicKey(secret),
    computeSecret(peer) {
      if (peer.length !== 32) throw kexFailed(`the peer's X25519 key is ${peer.length} bytes, not 32`);
      let shared: Uint8Array;
      try {
        shared = x25519.getSharedSecret(secret, peer);
      } catch {
        throw kexFailed("the peer's X25519 key is a low-order point");
      }
      // RFC 7748 §6.1: an all-zero result means a contributory-behaviour failure.
      if (shared.every((b) => b === 0)) throw kexFailed('the X25519 shared secret is zero');
      return shared;
    },
  };
}

function ecdh(curve: typeof p256, hash: HashFn, fixed?: Uint8Array): KeyAgreement {
  const secret = fixed ?? curve.utils.randomSecretKey();
  return {
    hash,
    secretEncoding: 'mpint',
    ownValue: curve.getPublicKey(secret, false),
    computeSecret(peer) {
      try {
        // Compressed form = 1 prefix byte || x; the prefix is dropped.
        return curve.getSharedSecret(secret, peer, true).slice(1);
      } catch {
        throw kexFailed("the peer's elliptic-curve point is not valid");
      }
    },
  };
}

const MLKEM768: Kem = {
  name: 'ML-KEM-768',
  publicKeyLength: 1184,
  ciphertextLength: 1088,
  keygen: () => ml_kem768.keygen(),
  // noble checks the encapsulation key (FIPS 203 §7.2 modulus check) and throws on a bad one.
  encapsulate: (publicKey) => ml_kem768.encapsulate(publicKey),
  decapsulate: (cipherText, secretKey) => ml_kem768.decapsulate(cipherText, secretKey),
};

const SNTRUP761: Kem = {
  name: 'sntrup761',
  publicKeyLength: sntrup761.PUBLIC_KEY_BYTES,
  ciphertextLength: sntrup761.CIPHERTEXT_BYTES,
  keygen: () => sntrup761.keypair(),
  // Every 1158-byte string decodes to some public key, so encapsulation cannot refuse one.
  encapsulate: (publicKey) => sntrup761.encapsulate(publicKey),
  decapsulate: (cipherText, secretKey) => sntrup761.decapsulate(cipherText, secretKey),
};

const HYBRIDS: Record<string, { kem: Kem; hash: HashFn }> = {
  'mlkem768x25519-sha256': { kem: MLKEM768, hash: sha256 },
  'sntrup761x25519-sha512': { kem: SNTRUP761, hash: sha512 },
  'sntrup761x25519-sha512@openssh.com': { kem: SNTRUP761, hash: sha512 },
};

/**
 * The client's side of `kex` (for the classical methods, either side's). A key is made fresh for
 * each call and serves one exchange. `secretKey` fixes a classical private value; only test vectors use it.
 */
export function createAgreement(kex: string, secretKey?: Uint8Array): KeyAgreement {
  const hybrid = HYBRIDS[kex];
  if (hybrid) return hybridInitiator(hybrid.kem, hybrid.hash, curve25519(), kexFailed);
  switch (kex) {
    case 'curve25519-sha256':
    case 'curve25519-sha256@libssh.org':
      return curve25519(secretKey);
    case 'ecdh-sha2-nistp256':
      return ecdh(p256, sha256, secretKey);
    case 'ecdh-sha2-nistp384':
      return ecdh(p384, sha384, secretKey);
    case 'ecdh-sha2-nistp521':
      return ecdh(p521, sha512, secretKey);
    case 'diffie-hellman-group14-sha256':
      return dhGroup(14, sha256, kexFailed, secretKey);
    case 'diffie-hellman-group16-sha512':
      return dhGroup(16, sha512, kexFailed, secretKey);
    default:
      throw new RangeError(`unsupported key exchange ${kex}`);
  }
}

/** The server's answer to the client's KEX_ECDH_INIT value: a KEM encapsulation for the hybrids, else an agreement of its own. */
export function respondToAgreement(kex: string, clientValue: Uint8Array): KeyResponse {
  const hybrid = HYBRIDS[kex];
  if (hybrid) return hybridResponse(hybrid.kem, hybrid.hash, curve25519(), kexFailed, clientValue);
  const agreement = createAgreement(kex);
  return { hash: agreement.hash, secretEncoding: agreement.secretEncoding, value: agreement.ownValue, secret: agreement.computeSecret(clientValue) };
}
