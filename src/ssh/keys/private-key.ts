// Turns key material into the PrivateKey the SSH core signs with. The material itself is
// kept off the object (in a WeakMap) so a PrivateKey can be logged or inspected without
// printing secrets, yet exportOpenSSH can still reach it.

import { ed25519 } from '@noble/curves/ed25519.js';
import { KeyError, type PrivateKey } from './types';
import { bytesToBigInt, SshWriter } from './bytes';
import { CURVES, keyTypeOf, publicBlobOf, type KeyMaterial } from './material';
import { RSA_SIGNATURE_ALGORITHMS, rsaSigner, type RsaSignatureAlgorithm } from './rsa';

const materials = new WeakMap<PrivateKey, KeyMaterial>();

/** The private material behind a key made by this module, or undefined for foreign objects. */
export function materialOf(key: PrivateKey): KeyMaterial | undefined {
  return materials.get(key);
}

/** Signature blob (RFC 4253 §6.6): string algorithm, string signature. */
const signatureBlob = (algorithm: string, signature: Uint8Array) => new SshWriter().string(algorithm).string(signature).finish();

export function createPrivateKey(material: KeyMaterial, comment: string): PrivateKey {
  const type = keyTypeOf(material);
  let signatureAlgorithms: readonly string[];
  let signRaw: (algorithm: string, data: Uint8Array) => Promise<Uint8Array>;

  if (material.kind === 'ed25519') {
    signatureAlgorithms = ['ssh-ed25519'];
    // RFC 8709 §6: the 64-byte Ed25519 signature of the data itself.
    signRaw = async (_alg, data) => ed25519.sign(data, material.seed);
  } else if (material.kind === 'ecdsa') {
    signatureAlgorithms = [type];
    const { ecdsa } = CURVES[material.curve];
    const half = CURVES[material.curve].size;
    // RFC 5656 §3.1.2: hash with the curve's SHA-2 (noble's prehash does exactly that),
    // then the signature is the string holding mpint r, mpint s.
    signRaw = async (_alg, data) => {
      const rs = ecdsa.sign(data, material.d, { prehash: true });
      const r = bytesToBigInt(rs.subarray(0, half));
      const s = bytesToBigInt(rs.subarray(half));
      return new SshWriter().mpint(r).mpint(s).finish();
    };
  } else {
    signatureAlgorithms = RSA_SIGNATURE_ALGORITHMS;
    const rsa = rsaSigner(material);
    signRaw = (alg, data) => rsa(alg as RsaSignatureAlgorithm, data);
  }

  const key: PrivateKey = {
    type,
    publicBlob: publicBlobOf(material),
    comment,
    signatureAlgorithms,
    async sign(algorithm: string, data: Uint8Array): Promise<Uint8Array> {
      if (!signatureAlgorithms.includes(algorithm)) {
        const why = algorithm === 'ssh-rsa' ? ' (SHA-1 signatures are never made)' : '';
        throw new KeyError('unsupported', `This ${type} key cannot sign with ${algorithm}${why}.`);
      }
      return signatureBlob(algorithm, await signRaw(algorithm, data));
    },
  };
  materials.set(key, material);
  return key;
}
