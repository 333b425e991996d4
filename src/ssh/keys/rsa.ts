// RSA key encodings (PKCS#1, RFC 8017 appendix A.1.2; PKCS#8, RFC 5208) and RSA signing
// through WebCrypto, which does the modular arithmetic in constant time and natively.

import { KeyError } from './types';
import { DerReader, derInteger, derNull, derOctetString, derOid, derSequence } from './der';
import { rsaFromComponents, type RsaMaterial } from './material';
import { subtle, type PlatformKey } from './webcrypto';

export const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';

/**
 * RSAPrivateKey ::= SEQUENCE {
 *   version INTEGER (0 two-prime, 1 multi-prime), modulus, publicExponent, privateExponent,
 *   prime1, prime2, exponent1, exponent2, coefficient INTEGER, otherPrimeInfos OPTIONAL }
 */
export function parsePkcs1(der: Uint8Array): RsaMaterial {
  const seq = new DerReader(der, 'RSA key').sequence();
  const version = seq.smallInteger();
  if (version !== 0) throw new KeyError('unsupported', 'Multi-prime RSA keys are not supported.');
  const n = seq.integer();
  const e = seq.integer();
  const d = seq.integer();
  const p = seq.integer();
  const q = seq.integer();
  return rsaFromComponents({ n, e, d, p, q });
}

export function encodePkcs1(m: RsaMaterial): Uint8Array {
  return derSequence(...[0n, m.n, m.e, m.d, m.p, m.q, m.dp, m.dq, m.qi].map(derInteger));
}

/** PrivateKeyInfo { version 0, AlgorithmIdentifier { rsaEncryption, NULL }, OCTET STRING RSAPrivateKey }. */
export function encodeRsaPkcs8(m: RsaMaterial): Uint8Array {
  return derSequence(derInteger(0n), derSequence(derOid(OID_RSA_ENCRYPTION), derNull()), derOctetString(encodePkcs1(m)));
}

const HASHES = { 'rsa-sha2-512': 'SHA-512', 'rsa-sha2-256': 'SHA-256' } as const;
export type RsaSignatureAlgorithm = keyof typeof HASHES;
export const RSA_SIGNATURE_ALGORITHMS: readonly RsaSignatureAlgorithm[] = ['rsa-sha2-512', 'rsa-sha2-256'];

/** Imports the key into WebCrypto once per hash (WebCrypto binds the hash to the key) and signs. */
export function rsaSigner(m: RsaMaterial): (algorithm: RsaSignatureAlgorithm, data: Uint8Array) => Promise<Uint8Array> {
  const imported = new Map<RsaSignatureAlgorithm, Promise<PlatformKey>>();
  return async (algorithm, data) => {
    let key = imported.get(algorithm);
    if (!key) {
      key = subtle().importKey('pkcs8', encodeRsaPkcs8(m), { name: 'RSASSA-PKCS1-v1_5', hash: HASHES[algorithm] }, false, [
        'sign',
      ]);
      imported.set(algorithm, key);
    }
    // RSASSA-PKCS1-v1_5 output is always the modulus length, as RFC 8332 §3 requires.
    return new Uint8Array(await subtle().sign({ name: 'RSASSA-PKCS1-v1_5' }, await key, data));
  };
}
