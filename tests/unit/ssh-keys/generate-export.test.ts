// Keys generated here, exported in OpenSSH format, must be read by the real ssh-keygen
// (which checks check-ints, padding and the public/private match), with and without a
// passphrase; and keys imported from other formats must survive the same round trip.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import {
  authorizedKeysLine,
  exportOpenSSH,
  fingerprintSha256,
  generateKey,
  isExportable,
  KeyError,
  parsePrivateKey,
  publicKeyBlob,
  type GeneratedKeyType,
  type PrivateKey,
} from '../../../src/ssh/keys';
import { opensshAcceptsSignature, opensshPublicLine, read, run, TempDir } from './tools';

const PW = 'export passphrase';
const TYPES: [GeneratedKeyType, string][] = [
  ['ed25519', 'ssh-ed25519'],
  ['ecdsa-p256', 'ecdsa-sha2-nistp256'],
  ['rsa-3072', 'ssh-rsa'],
];

let dir: TempDir;
const keys = new Map<GeneratedKeyType, PrivateKey>();

beforeAll(async () => {
  dir = new TempDir();
  for (const [type] of TYPES) keys.set(type, await generateKey(type, `generated ${type}@postern`));
});

afterAll(() => dir?.remove());

function opensshRefuses(path: string, passphrase: string): boolean {
  try {
    execFileSync('ssh-keygen', ['-y', '-P', passphrase, '-f', path], { stdio: 'pipe' });
    return false;
  } catch {
    return true;
  }
}

describe.each(TYPES)('generated %s', (type, sshType) => {
  const key = () => keys.get(type)!;

  it('has the right type, size and signature algorithms', () => {
    expect(key().type).toBe(sshType);
    expect(isExportable(key())).toBe(true);
    if (type === 'rsa-3072') {
      // blob: string "ssh-rsa", mpint e (3 bytes), mpint n (384 bytes + leading zero)
      expect(key().publicBlob.length).toBe(4 + 7 + 4 + 3 + 4 + 385);
      expect(key().signatureAlgorithms).toEqual(['rsa-sha2-512', 'rsa-sha2-256']);
    }
  });

  it('exports unencrypted; ssh-keygen -y prints the same public key and comment', async () => {
    const text = await exportOpenSSH(key());
    expect(text).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n(.{70}\n)*.{1,70}\n-----END OPENSSH PRIVATE KEY-----\n$/);
    const path = dir.write(dir.fresh(type), text);
    expect(opensshPublicLine(path)).toBe(authorizedKeysLine(key()));
    const fingerprint = run('ssh-keygen', ['-l', '-E', 'sha256', '-f', path]).split(/\s+/)[1];
    expect(fingerprintSha256(key().publicBlob)).toBe(fingerprint);
  });

  it('exports with a passphrase; ssh-keygen -y -P reads it and refuses a wrong one', async () => {
    const path = dir.write(dir.fresh(type), await exportOpenSSH(key(), PW));
    expect(opensshPublicLine(path, PW)).toBe(authorizedKeysLine(key()));
    expect(opensshRefuses(path, 'not the passphrase')).toBe(true);
    expect(opensshRefuses(path, '')).toBe(true);
  });

  it('round-trips through our own parser and still signs for OpenSSH', async () => {
    const again = await parsePrivateKey(await exportOpenSSH(key(), PW), PW);
    expect(again.publicBlob).toEqual(key().publicBlob);
    expect(again.comment).toBe(key().comment);
    const verdict = await opensshAcceptsSignature(dir, again, again.signatureAlgorithms[0]);
    expect(verdict).toContain('Good "postern-test" signature');
  });
});

describe('export details', () => {
  it.each(['aes256-gcm@openssh.com', 'chacha20-poly1305@openssh.com', 'aes128-cbc', 'aes128-ctr'])(
    'ssh-keygen reads a key we encrypted with %s',
    async (cipher) => {
      const key = keys.get('ed25519')!;
      const path = dir.write(dir.fresh('cipher'), await exportOpenSSH(key, PW, { cipher, rounds: 4 }));
      expect(opensshPublicLine(path, PW)).toBe(authorizedKeysLine(key));
      expect(opensshRefuses(path, 'wrong')).toBe(true);
    },
  );

  it('re-exports an imported PEM RSA key as OpenSSH format that ssh-keygen reads', async () => {
    const pem = dir.file('imported');
    run('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', PW, '-f', pem]);
    const key = await parsePrivateKey(read(pem), PW);
    const path = dir.write(dir.fresh('reexport'), await exportOpenSSH(key));
    expect(publicKeyBlob(opensshPublicLine(path))).toEqual(publicKeyBlob(opensshPublicLine(pem, PW)));
  });

  it('authorizedKeysLine is "type base64 comment", without a trailing space when there is no comment', async () => {
    const key = await generateKey('ed25519');
    const line = authorizedKeysLine(key);
    expect(line).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43}$/);
    expect(publicKeyBlob(line)).toEqual(key.publicBlob);
    const named = await generateKey('ecdsa-p256', 'alice@laptop');
    expect(authorizedKeysLine(named)).toMatch(/^ecdsa-sha2-nistp256 AAAA[A-Za-z0-9+/=]+ alice@laptop$/);
  });

  it('each export uses a fresh salt and check-int', async () => {
    const key = keys.get('ed25519')!;
    expect(await exportOpenSSH(key, PW, { rounds: 1 })).not.toBe(await exportOpenSSH(key, PW, { rounds: 1 }));
  });

  it('refuses to export a PrivateKey that did not come from this module', async () => {
    const real = keys.get('ed25519')!;
    const foreign: PrivateKey = { ...real };
    const error = await exportOpenSSH(foreign).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyError);
    expect((error as KeyError).kind).toBe('unsupported');
  });
});
