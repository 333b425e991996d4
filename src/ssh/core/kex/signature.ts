// SSH signatures, verified the same way for both uses: a server's host key over the exchange hash
// (the client checks it), and a user's key over the sign-in request (the server checks it, RFC 4252
// §7). Also OpenSSH-style fingerprints.
// Public key blobs (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4):
//   ssh-ed25519:         string "ssh-ed25519", string key(32)
//   ecdsa-sha2-nistpN:   string "ecdsa-sha2-nistpN", string "nistpN", string Q (SEC1 point)
//   ssh-rsa:             string "ssh-rsa", mpint e, mpint n
// Signature blobs: string algorithm, string signature, where the signature is
//   ed25519: 64 raw bytes (RFC 8709 §6); ecdsa: mpint r || mpint s (RFC 5656 §3.1.2);
//   rsa-sha2-256/512: PKCS#1 v1.5, as long as the modulus (RFC 8332 §3).

import { ed25519 } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bigIntToBytes, concat, toBase64, toBase64Url } from '../wire/bytes';
import { SshError } from '../wire/errors';
import { SshReader } from '../wire/wire';

/** What this library verifies, for host keys and user keys alike; never ssh-rsa (SHA-1). */
export const SIGNATURE_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
] as const;

const ECDSA = {
  'ecdsa-sha2-nistp256': { curve: p256, name: 'nistp256', size: 32 },
  'ecdsa-sha2-nistp384': { curve: p384, name: 'nistp384', size: 48 },
  'ecdsa-sha2-nistp521': { curve: p521, name: 'nistp521', size: 66 },
} as const;

/** The key type written in a public key blob (e.g. "ssh-rsa" for an rsa-sha2-512 host key). */
export function keyTypeOf(blob: Uint8Array): string {
  return new SshReader(blob).string('the key type');
}

/** OpenSSH's `ssh-keygen -l` format: "SHA256:" + unpadded base64 of SHA-256(blob). */
export function fingerprintSha256(blob: Uint8Array): string {
  return 'SHA256:' + toBase64(sha256(blob), false);
}

/** The key type a signature algorithm needs (RFC 8332: rsa-sha2-* sign with "ssh-rsa" keys). */
export function keyTypeForAlgorithm(algorithm: string): string {
  return algorithm.startsWith('rsa-sha2-') ? 'ssh-rsa' : algorithm;
}

/** Why the signature does not hold: a short reason for a log or a message. */
class BadSignature extends Error {}

/**
 * Checks an SSH signature blob over `data` against a public key blob, for the algorithm agreed on.
 * Resolves when it holds; rejects with BadSignature saying why on any mismatch or malformed blob.
 */
async function verifySignature(algorithm: string, keyBlob: Uint8Array, signatureBlob: Uint8Array, data: Uint8Array): Promise<void> {
  const bad = (why: string) => new BadSignature(why);
  let ok: boolean;
  try {
    const key = new SshReader(keyBlob);
    const keyType = key.string();
    if (keyType !== keyTypeForAlgorithm(algorithm)) throw bad(`a ${keyType} key was sent for ${algorithm}`);
    const sig = new SshReader(signatureBlob);
    const sigAlgorithm = sig.string();
    if (sigAlgorithm !== algorithm) throw bad(`signed with ${sigAlgorithm}, negotiated ${algorithm}`);
    const signature = sig.bytes();
    sig.end('the signature');

    if (algorithm === 'ssh-ed25519') {
      const pub = key.bytes();
      key.end('the public key');
      if (pub.length !== 32 || signature.length !== 64) throw bad('wrong Ed25519 sizes');
      ok = ed25519.verify(signature, data, pub);
    } else if (algorithm in ECDSA) {
      const spec = ECDSA[algorithm as keyof typeof ECDSA];
      if (key.string() !== spec.name) throw bad('curve name does not match the key type');
      const point = key.bytes();
      key.end('the public key');
      const rs = new SshReader(signature);
      const r = rs.mpint();
      const s = rs.mpint();
      rs.end('the ECDSA signature');
      const compact = concat(bigIntToBytes(r, spec.size), bigIntToBytes(s, spec.size));
      // prehash: the curve's own hash (SHA-256/384/512) as RFC 5656 §6.2.1 prescribes; OpenSSH does not normalise s.
      ok = spec.curve.verify(compact, data, point, { prehash: true, lowS: false });
    } else if (algorithm === 'rsa-sha2-512' || algorithm === 'rsa-sha2-256') {
      const e = key.mpintBytes();
      const n = key.mpintBytes();
      key.end('the public key');
      if (n.length * 8 < 1024) throw bad(`RSA key of ${n.length * 8} bits is too small`);
      const padded = signature.length < n.length ? concat(new Uint8Array(n.length - signature.length), signature) : signature;
      const hash = algorithm === 'rsa-sha2-512' ? 'SHA-512' : 'SHA-256';
      const cryptoKey = await crypto.subtle.importKey(
        'jwk',
        { kty: 'RSA', n: toBase64Url(n), e: toBase64Url(e), ext: true },
        { name: 'RSASSA-PKCS1-v1_5', hash },
        false,
        ['verify'],
      );
      ok = await crypto.subtle.verify('RSASSA-PKCS1-v1_5', cryptoKey, padded, data);
    } else {
      throw bad(`unsupported algorithm ${algorithm}`);
    }
  } catch (e) {
    if (e instanceof BadSignature) throw e;
    throw bad(e instanceof Error ? e.message : String(e));
  }
  if (!ok) throw bad('the signature does not match');
}

/**
 * The client's check of the server's signature over the exchange hash, with the negotiated algorithm.
 * Throws SshError('host-key-invalid') on any mismatch or malformed blob.
 */
export async function verifyHostSignature(algorithm: string, keyBlob: Uint8Array, signatureBlob: Uint8Array, data: Uint8Array): Promise<void> {
  try {
    await verifySignature(algorithm, keyBlob, signatureBlob, data);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new SshError('host-key-invalid', `The server's host key signature is not valid (${why}). Someone may be intercepting the connection; it was closed.`);
  }
}

/** The server's check of a user's signature over the publickey sign-in request (RFC 4252 §7). */
export async function verifyUserSignature(algorithm: string, keyBlob: Uint8Array, signatureBlob: Uint8Array, signed: Uint8Array): Promise<boolean> {
  return verifySignature(algorithm, keyBlob, signatureBlob, signed).then(
    () => true,
    () => false,
  );
}
