// Host key signature verification over the exchange hash, with keys and signatures made by
// Node's OpenSSL (an independent signer), and fingerprints compared with ssh-keygen's output.

import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fingerprintSha256, verifyHostSignature } from '../../../src/ssh/core/kex/signature';
import { SshWriter } from '../../../src/ssh/core/wire/wire';
import { toBase64 } from '../../../src/ssh/core/wire/bytes';

const b64url = (s: string) => new Uint8Array(Buffer.from(s, 'base64url'));
const data = new Uint8Array(32).fill(0x5a); // stands in for the exchange hash H

interface Case {
  algorithm: string;
  blob: Uint8Array;
  signature: Uint8Array; // the SSH signature blob
}

function ed25519Case(): Case {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const blob = new SshWriter().string('ssh-ed25519').bytes(b64url(publicKey.export({ format: 'jwk' }).x!)).finish();
  const sig = new SshWriter().string('ssh-ed25519').bytes(sign(null, data, privateKey)).finish();
  return { algorithm: 'ssh-ed25519', blob, signature: sig };
}

function ecdsaCase(bits: 256 | 384 | 521): Case {
  const hash = { 256: 'sha256', 384: 'sha384', 521: 'sha512' }[bits];
  const size = { 256: 32, 384: 48, 521: 66 }[bits];
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: `P-${bits}` });
  const jwk = publicKey.export({ format: 'jwk' });
  const point = new Uint8Array([4, ...b64url(jwk.x!), ...b64url(jwk.y!)]);
  const name = `ecdsa-sha2-nistp${bits}`;
  const blob = new SshWriter().string(name).string(`nistp${bits}`).bytes(point).finish();
  const rs = sign(hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  const inner = new SshWriter().mpintFromBytes(rs.subarray(0, size)).mpintFromBytes(rs.subarray(size)).finish();
  return { algorithm: name, blob, signature: new SshWriter().string(name).bytes(inner).finish() };
}

let rsaPair: { publicKey: KeyObject; privateKey: KeyObject } | undefined;
function rsaCase(algorithm: 'rsa-sha2-512' | 'rsa-sha2-256'): Case {
  rsaPair ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = rsaPair.publicKey.export({ format: 'jwk' });
  const blob = new SshWriter().string('ssh-rsa').mpintFromBytes(b64url(jwk.e!)).mpintFromBytes(b64url(jwk.n!)).finish();
  const sig = sign(algorithm === 'rsa-sha2-512' ? 'sha512' : 'sha256', data, rsaPair.privateKey);
  return { algorithm, blob, signature: new SshWriter().string(algorithm).bytes(sig).finish() };
}

const cases: Array<[string, () => Case]> = [
  ['ssh-ed25519', ed25519Case],
  ['ecdsa-sha2-nistp256', () => ecdsaCase(256)],
  ['ecdsa-sha2-nistp384', () => ecdsaCase(384)],
  ['ecdsa-sha2-nistp521', () => ecdsaCase(521)],
  ['rsa-sha2-512', () => rsaCase('rsa-sha2-512')],
  ['rsa-sha2-256', () => rsaCase('rsa-sha2-256')],
];

describe('verifyHostSignature', () => {
  for (const [name, make] of cases) {
    test(`${name}: accepts a valid signature, refuses altered data`, async () => {
      const c = make();
      await expect(verifyHostSignature(c.algorithm, c.blob, c.signature, data)).resolves.toBeUndefined();
      const altered = data.slice();
      altered[0] ^= 1;
      await expect(verifyHostSignature(c.algorithm, c.blob, c.signature, altered)).rejects.toMatchObject({ kind: 'host-key-invalid' });
    });
  }

  test('a signature made with a different algorithm than negotiated is refused', async () => {
    const c = rsaCase('rsa-sha2-256');
    await expect(verifyHostSignature('rsa-sha2-512', c.blob, c.signature, data)).rejects.toMatchObject({
      kind: 'host-key-invalid',
      message: expect.stringContaining('signed with rsa-sha2-256, negotiated rsa-sha2-512'),
    });
  });

  test('a key of the wrong type for the algorithm is refused', async () => {
    const c = ed25519Case();
    await expect(verifyHostSignature('ecdsa-sha2-nistp256', c.blob, c.signature, data)).rejects.toMatchObject({ kind: 'host-key-invalid' });
  });

  test('a truncated blob is host-key-invalid, not a crash', async () => {
    const c = ed25519Case();
    await expect(verifyHostSignature('ssh-ed25519', c.blob.subarray(0, 20), c.signature, data)).rejects.toMatchObject({ kind: 'host-key-invalid' });
  });
});

test('SHA256 fingerprints match ssh-keygen -lf for every key type', () => {
  const dir = mkdtempSync(join(tmpdir(), 'postern-fp-'));
  try {
    for (const [name, make] of cases) {
      const c = make();
      const keyType = name.startsWith('rsa-') ? 'ssh-rsa' : name;
      writeFileSync(join(dir, 'k.pub'), `${keyType} ${toBase64(c.blob)} test\n`);
      const line = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'k.pub')], { encoding: 'utf8' });
      expect(fingerprintSha256(c.blob)).toBe(line.split(' ')[1]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
