// Test helpers: make keys with the real ssh-keygen and openssl in a temp dir, ask OpenSSH
// what it thinks of them, and verify our signatures independently (noble, WebCrypto, and
// OpenSSH itself through `ssh-keygen -Y check-novalidate`).

import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { parsePublicKeyLine, type PrivateKey } from '../../../src/ssh/keys';

export class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), 'postern-keys-'));
  private n = 0;

  file(name: string): string {
    return join(this.path, name);
  }

  /** A fresh file name, for copies. */
  fresh(prefix: string): string {
    return this.file(`${prefix}-${++this.n}`);
  }

  write(name: string, data: string | Uint8Array): string {
    const path = name.startsWith('/') ? name : this.file(name);
    writeFileSync(path, data);
    chmodSync(path, 0o600); // OpenSSH refuses private keys that others can read
    return path;
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

export function run(cmd: string, args: string[], input?: string | Uint8Array): string {
  return execFileSync(cmd, args, { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString('utf8');
}

export const read = (path: string): string => readFileSync(path, 'utf8');
export const readBytes = (path: string): Uint8Array => new Uint8Array(readFileSync(path));

/** `ssh-keygen -y`: the public key line OpenSSH derives from a private key file. */
export function opensshPublicLine(path: string, passphrase = ''): string {
  return run('ssh-keygen', ['-y', '-P', passphrase, '-f', path]).trim();
}

/** `ssh-keygen -l -E sha256` on a public key line. */
export function opensshFingerprint(dir: TempDir, publicLine: string): string {
  const pub = dir.write(dir.fresh('fp') + '.pub', publicLine + '\n');
  return run('ssh-keygen', ['-l', '-E', 'sha256', '-f', pub]).split(/\s+/)[1];
}

// ---- independent signature checks

function readString(buf: Uint8Array, at: number): [Uint8Array, number] {
  const len = new DataView(buf.buffer, buf.byteOffset + at, 4).getUint32(0);
  return [buf.subarray(at + 4, at + 4 + len), at + 4 + len];
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

function mpintToFixed(m: Uint8Array, size: number): Uint8Array {
  const stripped = m[0] === 0 ? m.subarray(1) : m;
  const out = new Uint8Array(size);
  out.set(stripped, size - stripped.length);
  return out;
}

const b64url = (b: Uint8Array) => Buffer.from(b).toString('base64url');

/** Verifies an SSH signature blob over `data` against a public key blob, without our code. */
export async function verifySshSignature(publicBlob: Uint8Array, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
  const [typeBytes, afterType] = readString(publicBlob, 0);
  const type = text(typeBytes);
  const [algBytes, afterAlg] = readString(signature, 0);
  const algorithm = text(algBytes);
  const [sig] = readString(signature, afterAlg);

  if (type === 'ssh-ed25519') {
    const [pub] = readString(publicBlob, afterType);
    return algorithm === 'ssh-ed25519' && ed25519.verify(sig, data, pub);
  }
  if (type.startsWith('ecdsa-sha2-')) {
    const [, afterCurve] = readString(publicBlob, afterType);
    const [q] = readString(publicBlob, afterCurve);
    const curve = { 'ecdsa-sha2-nistp256': p256, 'ecdsa-sha2-nistp384': p384, 'ecdsa-sha2-nistp521': p521 }[type]!;
    const size = { 'ecdsa-sha2-nistp256': 32, 'ecdsa-sha2-nistp384': 48, 'ecdsa-sha2-nistp521': 66 }[type]!;
    const [r, afterR] = readString(sig, 0);
    const [s] = readString(sig, afterR);
    const compact = new Uint8Array([...mpintToFixed(r, size), ...mpintToFixed(s, size)]);
    return algorithm === type && curve.verify(compact, data, q, { prehash: true, lowS: false });
  }
  // ssh-rsa blob: mpint e, mpint n. Verify with WebCrypto from a JWK.
  const [e, afterE] = readString(publicBlob, afterType);
  const [n] = readString(publicBlob, afterE);
  const hash = { 'rsa-sha2-512': 'SHA-512', 'rsa-sha2-256': 'SHA-256' }[algorithm];
  if (!hash) return false;
  const strip = (m: Uint8Array) => (m[0] === 0 ? m.subarray(1) : m);
  const key = await crypto.subtle.importKey(
    'jwk',
    { kty: 'RSA', n: b64url(strip(n)), e: b64url(strip(e)), ext: true },
    { name: 'RSASSA-PKCS1-v1_5', hash },
    false,
    ['verify'],
  );
  return crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, sig, data);
}

/**
 * Signs `message` with our key in the SSHSIG format (OpenSSH PROTOCOL.sshsig) and asks
 * `ssh-keygen -Y check-novalidate` whether the signature is good: OpenSSH as the verifier.
 */
export async function opensshAcceptsSignature(dir: TempDir, key: PrivateKey, algorithm: string): Promise<string> {
  const enc = new TextEncoder();
  const u32 = (n: number) => new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  const str = (b: Uint8Array | string) => {
    const bytes = typeof b === 'string' ? enc.encode(b) : b;
    return new Uint8Array([...u32(bytes.length), ...bytes]);
  };
  const message = enc.encode(`message for ${key.type} ${algorithm}\n`);
  const namespace = 'postern-test';
  const signedData = new Uint8Array([...enc.encode('SSHSIG'), ...str(namespace), ...str(''), ...str('sha512'), ...str(sha512(message))]);
  const signature = await key.sign(algorithm, signedData);
  const blob = new Uint8Array([
    ...enc.encode('SSHSIG'),
    ...u32(1),
    ...str(key.publicBlob),
    ...str(namespace),
    ...str(''),
    ...str('sha512'),
    ...str(signature),
  ]);
  const armored = `-----BEGIN SSH SIGNATURE-----\n${Buffer.from(blob).toString('base64').replace(/(.{70})/g, '$1\n')}\n-----END SSH SIGNATURE-----\n`;
  const sigPath = dir.write(dir.fresh('sshsig'), armored);
  return run('ssh-keygen', ['-Y', 'check-novalidate', '-n', namespace, '-s', sigPath], message);
}

/** The public blob and SHA256 fingerprint of a private key file, as OpenSSH reports them. */
export function opensshView(dir: TempDir, path: string, passphrase = ''): { blob: Uint8Array; fingerprint: string; comment: string } {
  const line = opensshPublicLine(path, passphrase);
  const { blob, comment } = parsePublicKeyLine(line);
  return { blob, comment, fingerprint: opensshFingerprint(dir, line) };
}
