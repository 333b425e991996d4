// PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5208, RFC 5958) and SEC1 ECPrivateKey
// (RFC 5915), the DER structures behind "BEGIN PRIVATE KEY" and "BEGIN EC PRIVATE KEY".

import { KeyError } from './types';
import { contextTag, decodeOid, DerReader, TAG } from './der';
import { curveByOid, ecdsaFromScalar, ed25519FromSeed, type EcCurve, type KeyMaterial } from './material';
import { OID_RSA_ENCRYPTION, parsePkcs1 } from './rsa';

const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const OID_ED25519 = '1.3.101.112';

/** Algorithms people do meet in PKCS#8 files, so the refusal can name them. */
const KNOWN_UNSUPPORTED: Record<string, string> = {
  '1.2.840.10040.4.1': 'DSA keys are not supported; use an Ed25519, ECDSA or RSA key.',
  '1.2.840.113549.1.1.10': 'RSA-PSS keys cannot sign SSH logins; use a plain RSA key.',
  '1.3.101.113': 'Ed448 keys are not supported by OpenSSH; use an Ed25519 key.',
  '1.3.101.110': 'This is an X25519 key, which cannot sign; use an Ed25519 key.',
  '1.3.101.111': 'This is an X448 key, which cannot sign; use an Ed25519 key.',
};

const CURVE_NAMES: Record<string, string> = {
  '1.3.132.0.10': 'secp256k1',
  '1.2.840.10045.3.1.1': 'prime192v1',
  '1.3.132.0.33': 'secp224r1',
  '1.3.36.3.3.2.8.1.1.7': 'brainpoolP256r1',
};

function curveFromOid(oid: string): EcCurve {
  const curve = curveByOid(oid);
  if (!curve) {
    const name = CURVE_NAMES[oid] ?? `with OID ${oid}`;
    throw new KeyError('unsupported', `ECDSA keys on the curve ${name} are not supported; OpenSSH uses P-256, P-384 or P-521.`);
  }
  return curve;
}

/**
 * ECPrivateKey ::= SEQUENCE {
 *   version        INTEGER { ecPrivkeyVer1(1) },
 *   privateKey     OCTET STRING,
 *   parameters [0] ECParameters {{ NamedCurve }} OPTIONAL,
 *   publicKey  [1] BIT STRING OPTIONAL }
 * The curve comes from [0] or, inside PKCS#8, from the AlgorithmIdentifier.
 */
export function parseSec1(der: Uint8Array, curveFromAlgorithm?: EcCurve): KeyMaterial {
  const seq = new DerReader(der, 'EC key').sequence();
  if (seq.smallInteger() !== 1) throw new KeyError('malformed', 'The EC key has an unknown version.');
  const d = seq.octetString();
  let curve = curveFromAlgorithm;
  let publicPoint: Uint8Array | undefined;
  while (!seq.done) {
    const field = seq.next();
    if (field.tag === contextTag(0)) {
      const named = new DerReader(field.value, 'EC key');
      if (named.peekTag() !== TAG.OID) throw new KeyError('unsupported', 'EC keys with explicit curve parameters are not supported.');
      curve = curveFromOid(named.oid());
    } else if (field.tag === contextTag(1)) {
      publicPoint = new DerReader(field.value, 'EC key').bitString();
    }
  }
  if (!curve) throw new KeyError('malformed', 'The EC key does not say which curve it is on.');
  return ecdsaFromScalar(curve, d, publicPoint);
}

/**
 * OneAsymmetricKey ::= SEQUENCE {
 *   version INTEGER (0 = v1, 1 = v2), privateKeyAlgorithm AlgorithmIdentifier,
 *   privateKey OCTET STRING, attributes [0] IMPLICIT OPTIONAL, publicKey [1] IMPLICIT BIT STRING OPTIONAL }
 */
export function parsePkcs8(der: Uint8Array): KeyMaterial {
  const seq = new DerReader(der, 'PKCS#8 key').sequence();
  const version = seq.smallInteger();
  if (version > 1) throw new KeyError('malformed', 'The PKCS#8 key has an unknown version.');
  const { oid, params } = seq.algorithm();
  const privateKey = seq.octetString();

  if (oid === OID_RSA_ENCRYPTION) return parsePkcs1(privateKey);
  if (oid === OID_EC_PUBLIC_KEY) {
    if (!params || params.tag !== TAG.OID) throw new KeyError('unsupported', 'EC keys with explicit curve parameters are not supported.');
    const curve = curveFromOid(decodeOid(params.value, 'PKCS#8 key'));
    return parseSec1(privateKey, curve);
  }
  if (oid === OID_ED25519) {
    // RFC 8410 §7: privateKey holds CurvePrivateKey ::= OCTET STRING (the 32-byte seed).
    const seed = new DerReader(privateKey, 'Ed25519 key').octetString();
    let publicKey: Uint8Array | undefined;
    while (!seq.done) {
      const field = seq.next();
      if (field.tag === 0x81) {
        // [1] IMPLICIT BIT STRING: unused-bits octet, then the key.
        if (field.value[0] !== 0) throw new KeyError('malformed', 'The Ed25519 key is damaged.');
        publicKey = field.value.subarray(1);
      }
    }
    return ed25519FromSeed(seed, publicKey);
  }
  throw new KeyError('unsupported', KNOWN_UNSUPPORTED[oid] ?? `Keys of the algorithm ${oid} are not supported.`);
}
