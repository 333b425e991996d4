// What people actually paste: keys mangled by copy and paste (still accepted), things that
// are not private keys (each named), formats we refuse (each named), and damaged files
// (always a KeyError, never a crash).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { KeyError, parsePrivateKey } from '../../../src/ssh/keys';
import { opensshPublicLine, read, run, TempDir } from './tools';

const PW = 'pasted passphrase';
let dir: TempDir;
let ed: string; // OpenSSH ed25519, unencrypted
let edEncrypted: string;
let rsaPem: string; // BEGIN RSA PRIVATE KEY
let rsaPemEncrypted: string;
let edPublicLine: string;
let rsaPublicLine: string;

function keygen(name: string, args: string[]): string {
  const path = dir.file(name);
  run('ssh-keygen', ['-q', ...args, '-f', path]);
  return path;
}

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] }).toString('utf8');
}

beforeAll(() => {
  dir = new TempDir();
  const edPath = keygen('ed', ['-t', 'ed25519', '-N', '', '-C', 'paste-test']);
  ed = read(edPath);
  edPublicLine = opensshPublicLine(edPath);
  edEncrypted = read(keygen('ed-enc', ['-t', 'ed25519', '-N', PW]));
  const rsaPath = keygen('rsa', ['-t', 'rsa', '-b', '2048', '-N', '', '-m', 'PEM']);
  rsaPem = read(rsaPath);
  rsaPublicLine = opensshPublicLine(rsaPath);
  rsaPemEncrypted = read(keygen('rsa-enc', ['-t', 'rsa', '-b', '2048', '-N', PW, '-m', 'PEM']));
});

afterAll(() => dir?.remove());

async function keyError(p: Promise<unknown>): Promise<KeyError> {
  const error = await p.then(
    () => new Error('expected a KeyError, but the key was accepted'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeyError);
  return error as KeyError;
}

const blobOf = (line: string) => new Uint8Array(Buffer.from(line.split(' ')[1], 'base64'));

describe('copy-and-paste damage is tolerated', () => {
  const variants: [string, (t: string) => string][] = [
    ['CRLF line ends', (t) => t.replace(/\n/g, '\r\n')],
    ['every line indented', (t) => t.replace(/^/gm, '        ')],
    ['tabs and trailing spaces', (t) => t.replace(/^/gm, '\t').replace(/$/gm, '   ')],
    ['newlines collapsed into spaces', (t) => t.replace(/\n/g, ' ')],
    ['surrounding chatter', (t) => `Here is the key you asked for:\n\n${t}\nthanks!\n`],
    ['a byte-order mark and non-breaking spaces', (t) => '\uFEFF' + t.replace(/^/gm, '\u00a0')],
    ['blank lines inside the body', (t) => t.replace(/\n(?=[A-Za-z0-9+/])/, '\n\n')],
  ];
  it.each(variants)('OpenSSH key with %s', async (_name, mangle) => {
    const key = await parsePrivateKey(mangle(ed));
    expect(key.publicBlob).toEqual(blobOf(edPublicLine));
    expect(key.comment).toBe('paste-test');
  });
  it.each(variants)('encrypted PEM RSA key (Proc-Type/DEK-Info headers) with %s', async (_name, mangle) => {
    const key = await parsePrivateKey(mangle(rsaPemEncrypted), PW);
    expect(key.type).toBe('ssh-rsa');
  });
  it.each(variants)('plain PEM RSA key with %s', async (_name, mangle) => {
    const key = await parsePrivateKey(mangle(rsaPem));
    expect(key.publicBlob).toEqual(blobOf(rsaPublicLine));
  });
  it('accepts file bytes as well as text', async () => {
    const key = await parsePrivateKey(new TextEncoder().encode(ed));
    expect(key.publicBlob).toEqual(blobOf(edPublicLine));
  });
});

describe('things that are not private keys', () => {
  it.each([
    ['an empty string', '', /No key was given/],
    ['only whitespace', '  \n\t ', /No key was given/],
    ['a sentence', 'my password is hunter2', /does not look like a private key/],
    ['random base64', Buffer.from('x'.repeat(300)).toString('base64'), /does not look like a private key/],
    ['a huge paste', '-----BEGIN OPENSSH PRIVATE KEY-----\n'.repeat(20_000), /far too large/],
  ])('%s is malformed', async (_name, input, message) => {
    const e = await keyError(parsePrivateKey(input));
    expect(e.kind).toBe('malformed');
    expect(e.message).toMatch(message);
  });

  it('an authorized_keys line is named as a public key', async () => {
    for (const input of [edPublicLine, rsaPublicLine, `from="10.0.0.1",no-pty ${edPublicLine}`]) {
      const e = await keyError(parsePrivateKey(input));
      expect(e.kind).toBe('malformed');
      expect(e.message).toMatch(/^This is a public key, not a private key\./);
    }
  });

  it('PEM and RFC 4716 public keys are named as public keys', async () => {
    const pub = dir.write('ed.pub', edPublicLine + '\n');
    const inputs = [
      run('ssh-keygen', ['-e', '-f', pub]), // ---- BEGIN SSH2 PUBLIC KEY ----
      run('ssh-keygen', ['-e', '-m', 'PKCS8', '-f', dir.write('rsa.pub', rsaPublicLine + '\n')]), // BEGIN PUBLIC KEY
      run('ssh-keygen', ['-e', '-m', 'PEM', '-f', dir.file('rsa.pub')]), // BEGIN RSA PUBLIC KEY
    ];
    for (const input of inputs) {
      const e = await keyError(parsePrivateKey(input));
      expect(e.kind).toBe('malformed');
      expect(e.message).toMatch(/^This is a public key, not a private key\./);
    }
  });

  it('a certificate is named as one', async () => {
    const keyFile = dir.write('cert-key.pem', rsaPem);
    const cert = openssl(['req', '-x509', '-new', '-key', keyFile, '-subj', '/CN=postern-test', '-days', '1']);
    const e = await keyError(parsePrivateKey(cert));
    expect(e.kind).toBe('malformed');
    expect(e.message).toBe('This is a certificate, not a private key.');
  });
});

describe('formats and algorithms we refuse, by name', () => {
  it('PuTTY .ppk keys point to puttygen', async () => {
    const ppk = 'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: test\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5\n';
    const e = await keyError(parsePrivateKey(ppk));
    expect(e.kind).toBe('unsupported');
    expect(e.message).toMatch(/^PuTTY \.ppk keys are not supported; convert with puttygen/);
  });

  it('legacy PEM with DES-EDE3-CBC names the cipher', async () => {
    const pem = openssl(['rsa', '-in', dir.write('des.pem', rsaPem), '-traditional', '-des3', '-passout', `pass:${PW}`]);
    expect(pem).toContain('DEK-Info: DES-EDE3-CBC');
    const e = await keyError(parsePrivateKey(pem, PW));
    expect(e.kind).toBe('unsupported');
    expect(e.message).toMatch(/DES-EDE3-CBC, which is not supported/);
  });

  it('PKCS#8 with 3DES or PBES1 names the scheme', async () => {
    const src = dir.write('p8src.pem', rsaPem);
    const des = openssl(['pkcs8', '-topk8', '-in', src, '-v2', 'des3', '-passout', `pass:${PW}`]);
    expect((await keyError(parsePrivateKey(des, PW))).message).toMatch(/DES-EDE3-CBC/);
    const pbes1 = openssl(['pkcs8', '-topk8', '-in', src, '-v1', 'PBE-SHA1-3DES', '-passout', `pass:${PW}`]);
    const e = await keyError(parsePrivateKey(pbes1, PW));
    expect(e.kind).toBe('unsupported');
    expect(e.message).toMatch(/PKCS#12 password-based encryption/);
  });

  it('an OpenSSH key encrypted with 3des-cbc names the cipher', async () => {
    const path = keygen('ed-3des', ['-t', 'ed25519', '-N', PW, '-Z', '3des-cbc']);
    const e = await keyError(parsePrivateKey(read(path), PW));
    expect(e.kind).toBe('unsupported');
    expect(e.message).toMatch(/3des-cbc/);
  });

  it('DSA, Ed448 and secp256k1 keys are refused with a reason', async () => {
    const dsa = read(keygen('dsa', ['-t', 'dsa', '-N', '']));
    expect((await keyError(parsePrivateKey(dsa))).message).toMatch(/^DSA keys are not supported/);
    const dsaPkcs8 = openssl(['dsaparam', '-genkey', '1024']);
    expect((await keyError(parsePrivateKey(dsaPkcs8))).message).toMatch(/^DSA keys are not supported/);
    const ed448 = openssl(['genpkey', '-algorithm', 'ed448']);
    expect((await keyError(parsePrivateKey(ed448))).message).toMatch(/Ed448/);
    const k1 = openssl(['ecparam', '-name', 'secp256k1', '-genkey']);
    const e = await keyError(parsePrivateKey(k1));
    expect(e.kind).toBe('unsupported');
    expect(e.message).toMatch(/secp256k1/);
  });
});

describe('damaged keys never crash the parser', () => {
  const body = (pem: string) => pem.split('\n').filter((l) => l && !l.startsWith('-----') && !l.includes(':'));
  const rearmor = (label: string, bytes: Buffer) =>
    `-----BEGIN ${label}-----\n${bytes.toString('base64').replace(/(.{70})/g, '$1\n')}\n-----END ${label}-----\n`;

  it('a paste cut off before the END line says so', async () => {
    const e = await keyError(parsePrivateKey(ed.slice(0, ed.length / 2)));
    expect(e.kind).toBe('malformed');
    expect(e.message).toMatch(/"-----END OPENSSH PRIVATE KEY-----" line is missing/);
  });

  it('non-base64 characters in the body are reported', async () => {
    const e = await keyError(parsePrivateKey(ed.replace(/\n(?=[A-Za-z0-9])/, '\n%%%')));
    expect(e.kind).toBe('malformed');
  });

  for (const [label, which] of [
    ['OPENSSH PRIVATE KEY', () => ed],
    ['RSA PRIVATE KEY', () => rsaPem],
  ] as const) {
    it(`every truncation of a ${label} is 'malformed'`, async () => {
      const bytes = Buffer.from(body(which()).join(''), 'base64');
      // Every length for the first 64 bytes (the headers), then a stride through the rest.
      const lengths = new Set<number>();
      for (let n = 0; n < Math.min(64, bytes.length); n++) lengths.add(n);
      for (let n = 64; n < bytes.length; n += 7) lengths.add(n);
      for (const n of lengths) {
        const e = await keyError(parsePrivateKey(rearmor(label, bytes.subarray(0, n))));
        expect(e.kind, `truncated to ${n} bytes`).toBe('malformed');
      }
    });

    it(`bit flips in a ${label} give a KeyError or a consistent key, never a crash`, async () => {
      const bytes = Buffer.from(body(which()).join(''), 'base64');
      for (let i = 0; i < bytes.length; i += 3) {
        const flipped = Buffer.from(bytes);
        flipped[i] ^= 1 << i % 8;
        const result = await parsePrivateKey(rearmor(label, flipped)).then(
          (key) => key,
          (e: unknown) => e,
        );
        if (result instanceof KeyError) continue;
        expect(result, `flip at byte ${i}`).not.toBeInstanceOf(Error);
      }
    });
  }

  it('an encrypted key with a damaged body is refused, not decrypted to garbage', async () => {
    const lines = edEncrypted.split('\n');
    lines[5] = lines[5].slice(0, 10) + (lines[5][10] === 'A' ? 'B' : 'A') + lines[5].slice(11);
    const e = await keyError(parsePrivateKey(lines.join('\n'), PW));
    expect(['wrong-passphrase', 'malformed']).toContain(e.kind);
  });

  // These once sent a backtracking regex into minutes of work; now each is one linear scan.
  // (No timing assertion: a regression shows up as the test timing out.)
  it.each([
    ['a run of dashes', '-'.repeat(250_000)],
    ['repeated BEGIN lines', '-----BEGIN OPENSSH PRIVATE KEY-----\n'.repeat(7000)],
    ['a long word', 'a'.repeat(250_000)],
    ['a run of padding', '='.repeat(250_000) + 'A'],
    ['repeated RFC 4716 openers', '---- BEGIN '.repeat(20_000)],
    ['a giant DEK-Info header', `-----BEGIN RSA PRIVATE KEY-----\nDEK-Info: ${'A'.repeat(200_000)}\n-----END RSA PRIVATE KEY-----`],
  ])('%s is refused as malformed', async (_name, input) => {
    expect((await keyError(parsePrivateKey(input))).kind).toBe('malformed');
  });

  it('random binary input is malformed', async () => {
    for (let i = 0; i < 50; i++) {
      const bytes = new Uint8Array(Buffer.from(Array.from({ length: 1 + i * 13 }, (_, j) => (j * 7919 + i * 104729) & 0xff)));
      if (i % 2 === 0) bytes[0] = 0x30; // looks like DER
      const e = await keyError(parsePrivateKey(bytes));
      expect(e.kind).toBe('malformed');
    }
  });
});
