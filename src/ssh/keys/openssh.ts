// OpenSSH's own private key format, "openssh-key-v1" (OpenSSH PROTOCOL.key):
//
//   byte[15]  "openssh-key-v1\0"
//   string    ciphername        "none", "aes256-ctr", …
//   string    kdfname           "none" or "bcrypt"
//   string    kdfoptions        bcrypt: string salt, uint32 rounds
//   uint32    number of keys    always 1 in practice
//   string    public key blob
//   string    private section   (encrypted; length a multiple of the cipher block size)
//   byte[]    auth tag          only for AEAD ciphers (gcm, chacha20-poly1305)
//
// The private section, once decrypted:
//   uint32 checkint, uint32 checkint (equal: the passphrase check)
//   string key type, type-specific fields (see readFields), string comment
//   padding 1, 2, 3, … up to the block size

import { randomBytes } from '@noble/hashes/utils.js';
import { KeyError } from './types';
import { bcryptPbkdf } from './bcrypt-pbkdf';
import { bytesToBigInt, concat, equalBytes, SshReader, SshWriter, utf8 } from './bytes';
import { opensshCipher } from './ciphers';
import {
  CURVES,
  curveByName,
  ecdsaFromScalar,
  ed25519FromSeed,
  keyTypeOf,
  publicBlobOf,
  rsaFromComponents,
  type KeyMaterial,
} from './material';

const MAGIC = utf8.encode('openssh-key-v1\0');
/** More rounds than this would freeze a browser tab for minutes; OpenSSH's default is 16. */
export const MAX_BCRYPT_ROUNDS = 2048;

export function isOpenSshBlob(data: Uint8Array): boolean {
  return data.length >= MAGIC.length && equalBytes(data.subarray(0, MAGIC.length), MAGIC);
}

/** Key types we recognise but cannot use, with the reason a person needs. */
export function unsupportedKeyType(type: string): KeyError | undefined {
  if (type === 'ssh-dss') {
    return new KeyError('unsupported', 'DSA keys are not supported (OpenSSH disabled them long ago); use an Ed25519, ECDSA or RSA key.');
  }
  if (type.startsWith('sk-')) {
    return new KeyError('unsupported', 'This key lives on a hardware security key (FIDO); a browser cannot use it over SSH.');
  }
  if (type.includes('-cert-v01@openssh.com')) {
    return new KeyError('unsupported', 'OpenSSH certificates are not supported; use the plain private key.');
  }
  if (!['ssh-ed25519', 'ssh-rsa', ...Object.values(CURVES).map((c) => c.type)].includes(type)) {
    return new KeyError('unsupported', `Keys of type ${type} are not supported.`);
  }
  return undefined;
}

function readFields(r: SshReader, type: string): KeyMaterial {
  switch (type) {
    case 'ssh-ed25519': {
      // string public key (32), string private key (64 = seed || public key)
      const pub = r.string();
      const priv = r.string();
      if (pub.length !== 32 || priv.length !== 64 || !equalBytes(priv.subarray(32), pub)) {
        throw new KeyError('malformed', 'The Ed25519 key in this file is damaged.');
      }
      return ed25519FromSeed(priv.subarray(0, 32), pub);
    }
    case 'ssh-rsa': {
      // mpint n, mpint e, mpint d, mpint iqmp, mpint p, mpint q
      const n = r.mpint();
      const e = r.mpint();
      const d = r.mpint();
      r.mpint(); // iqmp: recomputed from p and q
      const p = r.mpint();
      const q = r.mpint();
      return rsaFromComponents({ n, e, d, p, q });
    }
    default: {
      // ecdsa-sha2-<curve>: string curve name, string Q, mpint d
      const curve = curveByName(r.text());
      if (!curve || CURVES[curve].type !== type) throw new KeyError('malformed', 'The ECDSA key in this file is damaged.');
      const q = r.string();
      return ecdsaFromScalar(curve, r.mpint(), q);
    }
  }
}

function writeFields(w: SshWriter, m: KeyMaterial): void {
  if (m.kind === 'ed25519') w.string(m.publicKey).string(concat(m.seed, m.publicKey));
  else if (m.kind === 'ecdsa') w.string(m.curve).string(m.q).mpint(bytesToBigInt(m.d));
  else w.mpint(m.n).mpint(m.e).mpint(m.d).mpint(m.qi).mpint(m.p).mpint(m.q);
}

export function parseOpenSsh(data: Uint8Array, passphrase?: string): { material: KeyMaterial; comment: string } {
  const r = new SshReader(data.subarray(MAGIC.length), 'OpenSSH key');
  const cipherName = r.text();
  const kdfName = r.text();
  const kdfOptions = r.string();
  const count = r.uint32();
  if (count !== 1) throw new KeyError('unsupported', `This file holds ${count} keys; only files with one key are supported.`);
  const publicBlob = r.string();
  const publicType = new SshReader(publicBlob, 'OpenSSH key').text();
  const refused = unsupportedKeyType(publicType);
  if (refused) throw refused;

  const cipher = opensshCipher(cipherName);
  if (!cipher) throw new KeyError('unsupported', `This key is encrypted with ${cipherName}, which is not supported.`);
  const sealed = r.string();
  const tag = r.bytes(cipher.authLength);
  if (sealed.length % cipher.blockSize !== 0) throw new KeyError('malformed', 'The OpenSSH key is truncated or corrupt.');

  const encrypted = cipherName !== 'none';
  let plain = sealed;
  if (encrypted) {
    if (kdfName !== 'bcrypt') throw new KeyError('unsupported', `This key uses the key derivation "${kdfName}", which is not supported.`);
    if (!passphrase) throw new KeyError('passphrase-required', 'This key is protected by a passphrase.');
    const kdf = new SshReader(kdfOptions, 'OpenSSH key');
    const salt = kdf.string();
    const rounds = kdf.uint32();
    if (rounds < 1 || salt.length === 0) throw new KeyError('malformed', 'The OpenSSH key is truncated or corrupt.');
    if (rounds > MAX_BCRYPT_ROUNDS) {
      throw new KeyError(
        'unsupported',
        `This key asks for ${rounds} bcrypt rounds, too slow for a browser (at most ${MAX_BCRYPT_ROUNDS}); re-protect it with "ssh-keygen -p -a 100 -f <file>".`,
      );
    }
    const derived = bcryptPbkdf(utf8.encode(passphrase), salt, cipher.keyLength + cipher.ivLength, rounds);
    const opened = cipher.decrypt(derived.subarray(0, cipher.keyLength), derived.subarray(cipher.keyLength), sealed, tag);
    if (!opened) throw new KeyError('wrong-passphrase', 'The passphrase is wrong.');
    plain = opened;
  } else if (kdfName !== 'none') {
    throw new KeyError('malformed', 'The OpenSSH key is truncated or corrupt.');
  }

  const p = new SshReader(plain, 'OpenSSH key');
  if (p.uint32() !== p.uint32()) {
    throw encrypted ? new KeyError('wrong-passphrase', 'The passphrase is wrong.') : new KeyError('malformed', 'The OpenSSH key is corrupt.');
  }
  const type = p.text();
  if (type !== publicType) throw new KeyError('malformed', "The key's public and private parts do not match; the file is damaged.");
  const material = readFields(p, type);
  const comment = p.text();
  const padding = p.rest();
  for (let i = 0; i < padding.length; i++) {
    if (padding[i] !== i + 1) throw new KeyError('malformed', 'The OpenSSH key is corrupt (bad padding).');
  }
  if (!equalBytes(publicBlobOf(material), publicBlob)) {
    throw new KeyError('malformed', "The key's public and private parts do not match; the file is damaged.");
  }
  return { material, comment };
}

export interface OpenSshWriteOptions {
  /** Cipher used with a passphrase; OpenSSH's default is aes256-ctr. */
  cipher?: string;
  /** bcrypt rounds; OpenSSH's default is 16. */
  rounds?: number;
}

export function serializeOpenSsh(m: KeyMaterial, comment: string, passphrase?: string, options: OpenSshWriteOptions = {}): Uint8Array {
  const cipherName = passphrase ? (options.cipher ?? 'aes256-ctr') : 'none';
  const cipher = opensshCipher(cipherName);
  if (!cipher) throw new KeyError('unsupported', `Cannot encrypt a key with ${cipherName}.`);
  const rounds = options.rounds ?? 16;
  const salt = randomBytes(16);

  const checkint = new DataView(randomBytes(4).buffer).getUint32(0);
  const priv = new SshWriter().uint32(checkint).uint32(checkint).string(keyTypeOf(m));
  writeFields(priv, m);
  let plain = priv.string(comment).finish();
  const padLength = (cipher.blockSize - (plain.length % cipher.blockSize)) % cipher.blockSize;
  plain = concat(plain, Uint8Array.from({ length: padLength }, (_, i) => i + 1));

  let sealed = plain;
  if (passphrase) {
    const derived = bcryptPbkdf(utf8.encode(passphrase), salt, cipher.keyLength + cipher.ivLength, rounds);
    sealed = cipher.encrypt(derived.subarray(0, cipher.keyLength), derived.subarray(cipher.keyLength), plain);
  }
  const body = sealed.subarray(0, plain.length);
  const tag = sealed.subarray(plain.length);
  return new SshWriter()
    .raw(MAGIC)
    .string(cipherName)
    .string(passphrase ? 'bcrypt' : 'none')
    .string(passphrase ? new SshWriter().string(salt).uint32(rounds).finish() : new Uint8Array(0))
    .uint32(1)
    .string(publicBlobOf(m))
    .string(body)
    .raw(tag)
    .finish();
}
