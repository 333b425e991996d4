// Every private key format we read, made at test time by ssh-keygen and openssl. For each:
// the public blob and fingerprint match what OpenSSH reports, signatures verify independently,
// and an encrypted key refuses a missing or wrong passphrase with the right kind.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { fingerprintSha256, KeyError, parsePrivateKey, type PrivateKey } from '../../../src/ssh/keys';
import {
  opensshAcceptsSignature,
  opensshFingerprint,
  opensshView,
  read,
  readBytes,
  run,
  TempDir,
  verifySshSignature,
} from './tools';

const PW = 'correct horse 42';
type Base = 'ed25519' | 'ecdsa-256' | 'ecdsa-384' | 'ecdsa-521' | 'rsa' | 'ed25519-openssl';

interface View {
  blob: Uint8Array;
  fingerprint: string;
  comment: string;
}

let dir: TempDir;
const baseFiles = new Map<Base, string>(); // OpenSSH format, unencrypted
const pemFiles = new Map<Base, string>(); // PKCS#1 / SEC1 / (ed25519) PKCS#8, unencrypted
const baseViews = new Map<Base, View>();

/** Copy of a base key re-saved by ssh-keygen -p with a new passphrase, format and cipher. */
function resave(base: Base, args: string[], passphrase = ''): string {
  const path = dir.fresh(base);
  copyFileSync(baseFiles.get(base)!, path);
  run('ssh-keygen', ['-p', '-P', '', '-N', passphrase, ...args, '-f', path]);
  return path;
}

function openssl(args: string[], binary = false): string {
  const out = execFileSync('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  return dir.write(dir.fresh('openssl'), binary ? new Uint8Array(out) : out.toString('utf8'));
}

interface Spec {
  name: string;
  base: Base;
  make: () => string;
  passphrase?: string;
  /** ssh-keygen can read the file itself (otherwise the base key's view is the reference). */
  opensshReads?: boolean;
  binary?: boolean;
  /** OpenSSH-format files keep the comment. */
  keepsComment?: boolean;
}

const SSH_BASES: Base[] = ['ed25519', 'ecdsa-256', 'ecdsa-384', 'ecdsa-521', 'rsa'];
const specs: Spec[] = [];
for (const base of SSH_BASES) {
  specs.push({ name: `OpenSSH ${base}`, base, make: () => baseFiles.get(base)!, keepsComment: true });
  specs.push({ name: `OpenSSH ${base} aes256-ctr`, base, make: () => resave(base, [], PW), passphrase: PW, keepsComment: true });
}
const OPENSSH_CIPHERS: [Base, string][] = [
  ['ed25519', 'aes128-ctr'],
  ['ed25519', 'aes192-ctr'],
  ['ed25519', 'aes128-cbc'],
  ['ed25519', 'aes192-cbc'],
  ['ed25519', 'aes256-cbc'],
  ['ed25519', 'aes128-gcm@openssh.com'],
  ['ed25519', 'aes256-gcm@openssh.com'],
  ['ed25519', 'chacha20-poly1305@openssh.com'],
  ['ecdsa-384', 'chacha20-poly1305@openssh.com'],
  ['rsa', 'aes256-gcm@openssh.com'],
];
for (const [base, cipher] of OPENSSH_CIPHERS) {
  specs.push({ name: `OpenSSH ${base} ${cipher}`, base, make: () => resave(base, ['-Z', cipher], PW), passphrase: PW, keepsComment: true });
}
specs.push({ name: 'OpenSSH ed25519 with 4 bcrypt rounds', base: 'ed25519', make: () => resave('ed25519', ['-a', '4'], PW), passphrase: PW });

// PEM: PKCS#1 "RSA PRIVATE KEY" and SEC1 "EC PRIVATE KEY", as ssh-keygen -m PEM writes them.
for (const base of ['rsa', 'ecdsa-256', 'ecdsa-384', 'ecdsa-521'] as Base[]) {
  specs.push({ name: `PEM ${base}`, base, make: () => resave(base, ['-m', 'PEM']) });
  specs.push({ name: `PKCS#8 ${base}`, base, make: () => resave(base, ['-m', 'PKCS8']) });
}
specs.push({ name: 'PEM rsa AES-128-CBC (ssh-keygen)', base: 'rsa', make: () => resave('rsa', ['-m', 'PEM'], PW), passphrase: PW });
specs.push({ name: 'PEM ecdsa-384 AES-128-CBC (ssh-keygen)', base: 'ecdsa-384', make: () => resave('ecdsa-384', ['-m', 'PEM'], PW), passphrase: PW });
specs.push({
  name: 'PEM rsa AES-256-CBC (openssl)',
  base: 'rsa',
  make: () => openssl(['rsa', '-in', pemFiles.get('rsa')!, '-traditional', '-aes256', '-passout', `pass:${PW}`]),
  passphrase: PW,
});
specs.push({
  name: 'PEM ecdsa-521 AES-192-CBC (openssl)',
  base: 'ecdsa-521',
  make: () => openssl(['ec', '-in', pemFiles.get('ecdsa-521')!, '-aes192', '-passout', `pass:${PW}`]),
  passphrase: PW,
});
specs.push({
  name: 'PEM ecdsa-256 after an EC PARAMETERS block (openssl ecparam style)',
  base: 'ecdsa-256',
  make: () => dir.write(dir.fresh('params'), run('openssl', ['ecparam', '-name', 'prime256v1']) + read(pemFiles.get('ecdsa-256')!)),
});

// PKCS#8: ssh-keygen -m PKCS8 with a passphrase (PBES2, PBKDF2-HMAC-SHA256, AES-128-CBC), and openssl variants.
specs.push({ name: 'PKCS#8 rsa encrypted (ssh-keygen)', base: 'rsa', make: () => resave('rsa', ['-m', 'PKCS8'], PW), passphrase: PW });
specs.push({ name: 'PKCS#8 ecdsa-521 encrypted (ssh-keygen)', base: 'ecdsa-521', make: () => resave('ecdsa-521', ['-m', 'PKCS8'], PW), passphrase: PW });
specs.push({
  name: 'PKCS#8 rsa PBKDF2-HMAC-SHA1 AES-256-CBC (openssl)',
  base: 'rsa',
  make: () => openssl(['pkcs8', '-topk8', '-in', pemFiles.get('rsa')!, '-v2', 'aes-256-cbc', '-v2prf', 'hmacWithSHA1', '-passout', `pass:${PW}`]),
  passphrase: PW,
});
specs.push({
  name: 'PKCS#8 ecdsa-384 PBKDF2-HMAC-SHA512 AES-192-CBC (openssl)',
  base: 'ecdsa-384',
  make: () => openssl(['pkcs8', '-topk8', '-in', pemFiles.get('ecdsa-384')!, '-v2', 'aes-192-cbc', '-v2prf', 'hmacWithSHA512', '-passout', `pass:${PW}`]),
  passphrase: PW,
});
specs.push({ name: 'PKCS#8 ed25519 (openssl)', base: 'ed25519-openssl', make: () => pemFiles.get('ed25519-openssl')!, opensshReads: false });
specs.push({
  name: 'PKCS#8 ed25519 scrypt AES-256-CBC (openssl)',
  base: 'ed25519-openssl',
  make: () => openssl(['pkcs8', '-topk8', '-in', pemFiles.get('ed25519-openssl')!, '-scrypt', '-passout', `pass:${PW}`]),
  passphrase: PW,
  opensshReads: false,
});

// Binary DER files, as a file picker would hand them over.
const der = (name: string, base: Base, args: () => string[], passphrase?: string): Spec => ({
  name: `DER ${name}`,
  base,
  make: () => openssl([...args(), '-outform', 'DER'], true),
  passphrase,
  opensshReads: false,
  binary: true,
});
specs.push(der('PKCS#1 rsa', 'rsa', () => ['rsa', '-in', pemFiles.get('rsa')!, '-traditional']));
specs.push(der('SEC1 ecdsa-256', 'ecdsa-256', () => ['ec', '-in', pemFiles.get('ecdsa-256')!]));
specs.push(der('PKCS#8 ecdsa-384', 'ecdsa-384', () => ['pkcs8', '-topk8', '-nocrypt', '-in', pemFiles.get('ecdsa-384')!]));
specs.push(der('PKCS#8 ed25519', 'ed25519-openssl', () => ['pkcs8', '-topk8', '-nocrypt', '-in', pemFiles.get('ed25519-openssl')!]));
specs.push(
  der('encrypted PKCS#8 rsa', 'rsa', () => ['pkcs8', '-topk8', '-in', pemFiles.get('rsa')!, '-v2', 'aes-256-cbc', '-passout', `pass:${PW}`], PW),
);

beforeAll(() => {
  dir = new TempDir();
  const keygen: Record<Exclude<Base, 'ed25519-openssl'>, string[]> = {
    ed25519: ['-t', 'ed25519'],
    'ecdsa-256': ['-t', 'ecdsa', '-b', '256'],
    'ecdsa-384': ['-t', 'ecdsa', '-b', '384'],
    'ecdsa-521': ['-t', 'ecdsa', '-b', '521'],
    rsa: ['-t', 'rsa', '-b', '2048'],
  };
  for (const base of SSH_BASES) {
    const path = dir.file(base);
    run('ssh-keygen', ['-q', ...keygen[base as keyof typeof keygen], '-N', '', '-C', `test-${base}@postern`, '-f', path]);
    baseFiles.set(base, path);
    baseViews.set(base, opensshView(dir, path));
    if (base !== 'ed25519') pemFiles.set(base, resave(base, ['-m', 'PEM']));
  }
  // OpenSSH 9.2 cannot read Ed25519 PKCS#8, so the reference blob comes from openssl's SPKI
  // (12-byte prefix, then the 32-byte key), fingerprinted by ssh-keygen.
  const edPem = openssl(['genpkey', '-algorithm', 'ed25519']);
  pemFiles.set('ed25519-openssl', edPem);
  const spki = execFileSync('openssl', ['pkey', '-in', edPem, '-pubout', '-outform', 'DER']);
  const blob = new Uint8Array([0, 0, 0, 11, ...Buffer.from('ssh-ed25519'), 0, 0, 0, 32, ...spki.subarray(12)]);
  const line = `ssh-ed25519 ${Buffer.from(blob).toString('base64')}`;
  baseViews.set('ed25519-openssl', { blob, comment: '', fingerprint: opensshFingerprint(dir, line) });
});

afterAll(() => dir?.remove());

async function expectKeyError(p: Promise<unknown>, kind: string, message?: RegExp): Promise<KeyError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeyError);
  expect((error as KeyError).kind).toBe(kind);
  if (message) expect((error as KeyError).message).toMatch(message);
  return error as KeyError;
}

async function expectSignaturesVerify(key: PrivateKey): Promise<void> {
  for (const algorithm of key.signatureAlgorithms) {
    const data = new Uint8Array(randomBytes(200));
    const signature = await key.sign(algorithm, data);
    expect(await verifySshSignature(key.publicBlob, signature, data), algorithm).toBe(true);
    // A signature over other data must not verify (the check above is not vacuous).
    expect(await verifySshSignature(key.publicBlob, signature, data.map((b, i) => (i === 0 ? b ^ 1 : b)))).toBe(false);
  }
}

describe.each(specs)('$name', (spec) => {
  let path: string;
  let reference: View;

  beforeAll(() => {
    path = spec.make();
    reference = spec.opensshReads === false ? baseViews.get(spec.base)! : opensshView(dir, path, spec.passphrase);
  });

  const input = () => (spec.binary ? readBytes(path) : read(path));

  it('reads the same public key and fingerprint as OpenSSH, and signs', async () => {
    const key = await parsePrivateKey(input(), spec.passphrase);
    expect(key.publicBlob).toEqual(reference.blob);
    expect(key.publicBlob).toEqual(baseViews.get(spec.base)!.blob);
    expect(fingerprintSha256(key.publicBlob)).toBe(reference.fingerprint);
    if (spec.keepsComment) expect(key.comment).toBe(baseViews.get(spec.base)!.comment);
    if (key.type === 'ssh-rsa') expect(key.signatureAlgorithms).toEqual(['rsa-sha2-512', 'rsa-sha2-256']);
    await expectSignaturesVerify(key);
  });

  if (spec.passphrase) {
    it('asks for the passphrase when none is given', async () => {
      await expectKeyError(parsePrivateKey(input()), 'passphrase-required', /protected by a passphrase/);
      await expectKeyError(parsePrivateKey(input(), ''), 'passphrase-required');
    });
    it('refuses a wrong passphrase', async () => {
      await expectKeyError(parsePrivateKey(input(), 'wrong passphrase'), 'wrong-passphrase', /^The passphrase is wrong\.$/);
    });
  }
});

describe('OpenSSH verifies our signatures (ssh-keygen -Y check-novalidate)', () => {
  it.each([
    ['ed25519', 'ssh-ed25519'],
    ['ecdsa-256', 'ecdsa-sha2-nistp256'],
    ['ecdsa-384', 'ecdsa-sha2-nistp384'],
    ['ecdsa-521', 'ecdsa-sha2-nistp521'],
    ['rsa', 'rsa-sha2-512'],
    ['rsa', 'rsa-sha2-256'],
  ] as [Base, string][])('%s with %s', async (base, algorithm) => {
    const key = await parsePrivateKey(read(baseFiles.get(base)!));
    const verdict = await opensshAcceptsSignature(dir, key, algorithm);
    expect(verdict).toContain(`Good "postern-test" signature`);
    expect(verdict).toContain(fingerprintSha256(key.publicBlob));
  });
});

describe('RSA never signs with SHA-1', () => {
  it('refuses ssh-rsa as a signature algorithm', async () => {
    const key = await parsePrivateKey(read(baseFiles.get('rsa')!));
    await expectKeyError(key.sign('ssh-rsa', new Uint8Array(8)), 'unsupported', /SHA-1/);
  });
});
