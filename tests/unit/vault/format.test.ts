// The vault sealing format, version 1, pinned by fixed vectors. If one of these fails, a change has made
// every existing vault unreadable: bump FORMAT_VERSION and keep a reader for version 1 instead.
// The vectors were made by src/vault/format.ts and agree byte for byte with an independent
// implementation in Python (xcheck.py beside this file, run by python-xcheck.test.ts).
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { scrypt } from '@noble/hashes/scrypt.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { VaultError } from '../../../src/vault/errors';
import {
  decodeHeader,
  encodeHeader,
  fromHex,
  HEADER_LENGTH,
  openSecret,
  sealSecret,
  toHex,
  unwrapVaultKey,
} from '../../../src/vault/format';
import { deriveKek } from '../../../src/vault/kdf';
import { VECTOR } from './vectors';

const DAMAGED = 'damaged-test-message';

function refusal(fn: () => unknown): VaultError {
  try {
    fn();
  } catch (e) {
    if (e instanceof VaultError) return e;
    throw e;
  }
  throw new Error('accepted altered data');
}

describe('fixed test vectors', () => {
  it('derives the KEK with scrypt as RFC 7914 defines it', async () => {
    const kek = await deriveKek(VECTOR.passphrase, VECTOR.salt, VECTOR.params);
    expect(toHex(kek)).toBe(VECTOR.kekHex);
  });

  it('writes the header byte for byte', async () => {
    const kek = fromHex(VECTOR.kekHex);
    const header = encodeHeader({ ...VECTOR, kek });
    expect(header.length).toBe(HEADER_LENGTH);
    expect(toHex(header)).toBe(VECTOR.headerHex);
  });

  it('seals a secret byte for byte', () => {
    const sealed = sealSecret(VECTOR.vaultKey, VECTOR.vaultId, VECTOR.secretName, VECTOR.plaintext, VECTOR.secretNonce);
    expect(toHex(sealed)).toBe(VECTOR.sealedHex);
  });

  it('opens the checked-in header and secret with the passphrase', async () => {
    const header = decodeHeader(fromHex(VECTOR.headerHex));
    expect(header.params).toEqual(VECTOR.params);
    expect(toHex(header.vaultId)).toBe(toHex(VECTOR.vaultId));
    const kek = await deriveKek(VECTOR.passphrase, header.salt, header.params, header.kdf);
    const vaultKey = unwrapVaultKey(header, kek);
    expect(toHex(vaultKey)).toBe(toHex(VECTOR.vaultKey));
    const plain = openSecret(vaultKey, header.vaultId, VECTOR.secretName, fromHex(VECTOR.sealedHex), DAMAGED);
    expect(toHex(plain)).toBe(toHex(VECTOR.plaintext));
  });

  it('matches the layout written in format.ts, read with bare primitives at the documented offsets', () => {
    const h = fromHex(VECTOR.headerHex);
    expect(new TextDecoder().decode(h.subarray(0, 4))).toBe('PVLT');
    expect([...h.subarray(4, 9)]).toEqual([1, 1, 10, 8, 1]);
    expect(toHex(sha256(h.subarray(0, 113)))).toBe(toHex(h.subarray(113)));
    const kek = scrypt(VECTOR.passphrase, h.subarray(25, 41), { N: 2 ** h[6], r: h[7], p: h[8], dkLen: 32 });
    const vaultKey = xchacha20poly1305(kek, h.subarray(41, 65), h.subarray(0, 41)).decrypt(h.subarray(65, 113));
    expect(toHex(vaultKey)).toBe(toHex(VECTOR.vaultKey));

    const s = fromHex(VECTOR.sealedHex);
    const name = new TextEncoder().encode(VECTOR.secretName);
    const ad = new Uint8Array([...s.subarray(0, 5), ...h.subarray(9, 25), 0, 0, 0, name.length, ...name]);
    const plain = xchacha20poly1305(vaultKey, s.subarray(5, 29), ad).decrypt(s.subarray(29));
    expect(plain[0]).toBe(1);
    expect(new TextDecoder().decode(plain.subarray(1))).toBe('not a real key');
  });
});

describe('refusals', () => {
  it('a wrong passphrase is told apart from damage, and says so in a sentence', async () => {
    const header = decodeHeader(fromHex(VECTOR.headerHex));
    const kek = await deriveKek('correct horse battery stapler', header.salt, header.params);
    const e = refusal(() => unwrapVaultKey(header, kek));
    expect(e.kind).toBe('wrong-passphrase');
    expect(e.message).toBe('The passphrase is wrong.');
  });

  it('refuses every single-byte alteration of the header before any KDF runs', () => {
    const good = fromHex(VECTOR.headerHex);
    for (let i = 0; i < good.length; i++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const bad = good.slice();
        bad[i] ^= flip;
        const e = refusal(() => decodeHeader(bad));
        expect(e.kind, `byte ${i} ^ ${flip}`).toBe('damaged');
        expect(e.message).toBe("This vault's data has been altered or damaged; nothing was decrypted.");
      }
    }
    expect(refusal(() => decodeHeader(good.subarray(0, 144))).kind).toBe('damaged');
    expect(refusal(() => decodeHeader(new Uint8Array([...good, 0]))).kind).toBe('damaged');
  });

  it('an altered header with a recomputed checksum still cannot open: the wrap binds every field', async () => {
    const good = fromHex(VECTOR.headerHex);
    const kek = fromHex(VECTOR.kekHex);
    // Vault id (9..24) and the wrap itself (41..112); the salt and KDF parameters would change the KEK too.
    for (const i of [9, 24, 41, 64, 65, 112]) {
      const bad = good.slice();
      bad[i] ^= 0x01;
      bad.set(sha256(bad.subarray(0, 113)), 113);
      expect(refusal(() => unwrapVaultKey(decodeHeader(bad), kek)).kind, `byte ${i}`).toBe('wrong-passphrase');
    }
  });

  it('refuses every single-byte alteration of a sealed secret, returning nothing', () => {
    const good = fromHex(VECTOR.sealedHex);
    for (let i = 0; i < good.length; i++) {
      for (const flip of [0x01, 0x80]) {
        const bad = good.slice();
        bad[i] ^= flip;
        const e = refusal(() => openSecret(VECTOR.vaultKey, VECTOR.vaultId, VECTOR.secretName, bad, DAMAGED));
        // The version byte flipped upwards reads as "made by a newer Postern"; every other change is damage.
        if (i === 4 && bad[4] > 1) expect(e.kind).toBe('unsupported');
        else expect(e.kind, `byte ${i} ^ ${flip}`).toBe('damaged');
      }
    }
    expect(refusal(() => openSecret(VECTOR.vaultKey, VECTOR.vaultId, VECTOR.secretName, good.subarray(0, good.length - 1), DAMAGED)).kind).toBe('damaged');
    expect(refusal(() => openSecret(VECTOR.vaultKey, VECTOR.vaultId, VECTOR.secretName, new Uint8Array([...good, 0]), DAMAGED)).kind).toBe('damaged');
  });

  it('binds the name: a sealed value moved to another name does not open', () => {
    const sealed = fromHex(VECTOR.sealedHex);
    for (const other of ['deploy-key', 'Deploy key', 'deploy key ', 'deploy']) {
      expect(refusal(() => openSecret(VECTOR.vaultKey, VECTOR.vaultId, other, sealed, DAMAGED)).kind).toBe('damaged');
    }
  });

  it('binds the vault: the same value under the same key and name, in another vault, does not open', () => {
    const sealed = fromHex(VECTOR.sealedHex);
    const otherVault = VECTOR.vaultId.slice();
    otherVault[15] ^= 1;
    expect(refusal(() => openSecret(VECTOR.vaultKey, otherVault, VECTOR.secretName, sealed, DAMAGED)).kind).toBe('damaged');
  });

  it('binds names in NFC, so one name typed two ways is one name', () => {
    const composed = 'caf\u00e9';
    const decomposed = 'cafe\u0301';
    const sealed = sealSecret(VECTOR.vaultKey, VECTOR.vaultId, composed, VECTOR.plaintext, VECTOR.secretNonce);
    expect(toHex(openSecret(VECTOR.vaultKey, VECTOR.vaultId, decomposed, sealed, DAMAGED))).toBe(toHex(VECTOR.plaintext));
  });

  it('names the field when a caller passes the wrong length', () => {
    expect(() => sealSecret(VECTOR.vaultKey, VECTOR.vaultId, 'x', VECTOR.plaintext, new Uint8Array(12))).toThrow(/nonce must be 24 bytes/);
    expect(() => encodeHeader({ ...VECTOR, kek: new Uint8Array(16) })).toThrow(/KEK must be 32 bytes/);
  });
});
