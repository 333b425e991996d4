// parsePrivateKey: recognise what the user gave us (pasted text or file bytes), route it to
// the right format reader, and turn every failure into a KeyError with a sentence.

import { KeyError, type PrivateKey } from './types';
import { decodePemBody, findPemBlocks, normalizeText } from './armor';
import { DerReader, TAG } from './der';
import { isOpenSshBlob, parseOpenSsh, unsupportedKeyType } from './openssh';
import { decryptLegacyPem, decryptPkcs8 } from './pem-encryption';
import { parsePkcs8, parseSec1 } from './pkcs8';
import { createPrivateKey } from './private-key';
import { parsePkcs1 } from './rsa';
import type { KeyMaterial } from './material';

interface Decoded {
  material: KeyMaterial;
  comment: string;
}

const PUBLIC_KEY_MESSAGE = 'This is a public key, not a private key. Use the file without ".pub" (it starts with "-----BEGIN").';
const NOT_A_KEY_MESSAGE =
  'This does not look like a private key. Paste the whole file, from the "-----BEGIN … PRIVATE KEY-----" line to the "-----END … PRIVATE KEY-----" line.';

/** Reads a private key in any format we support. `passphrase` is needed only for encrypted keys. */
export async function parsePrivateKey(input: string | Uint8Array, passphrase?: string): Promise<PrivateKey> {
  let decoded: Decoded;
  try {
    decoded = await decode(input, passphrase || undefined);
  } catch (e) {
    if (e instanceof KeyError) throw e;
    // Anything else is a reader meeting bytes it did not expect: still the user's input at fault.
    throw new KeyError('malformed', 'This key could not be read; the file is damaged.');
  }
  return createPrivateKey(decoded.material, decoded.comment);
}

/** The largest real key file (16384-bit RSA, OpenSSH format) is about 13 KB; anything far bigger is not a key. */
const MAX_INPUT = 256 * 1024;

async function decode(input: string | Uint8Array, passphrase: string | undefined): Promise<Decoded> {
  if (input.length > MAX_INPUT) throw new KeyError('malformed', 'This is far too large to be a private key.');
  if (typeof input !== 'string') {
    if (isOpenSshBlob(input)) return parseOpenSsh(input, passphrase);
    if (input.length > 0 && input[0] === TAG.SEQUENCE) return decodeDer(input, passphrase);
    input = new TextDecoder('utf-8').decode(input);
  }
  const text = normalizeText(input).trim();
  if (text === '') throw new KeyError('malformed', 'No key was given.');
  refuseKnownNonKeys(text);

  const blocks = findPemBlocks(text);
  const block = blocks.find((b) => b.label.endsWith('PRIVATE KEY')) ?? blocks[0];
  if (!block) throw new KeyError('malformed', NOT_A_KEY_MESSAGE);
  const label = block.label;
  if (label.includes('PUBLIC KEY')) throw new KeyError('malformed', PUBLIC_KEY_MESSAGE);
  if (label === 'CERTIFICATE' || label === 'X509 CERTIFICATE') {
    throw new KeyError('malformed', 'This is a certificate, not a private key.');
  }
  if (label === 'SSH2 ENCRYPTED PRIVATE KEY') {
    throw new KeyError('unsupported', 'Keys in the ssh.com (SSH2) format are not supported; convert it with "ssh-keygen -i -f <file>".');
  }
  if (label === 'DSA PRIVATE KEY') throw unsupportedKeyType('ssh-dss')!;

  const known = ['OPENSSH PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'PRIVATE KEY', 'ENCRYPTED PRIVATE KEY'];
  if (!known.includes(label)) throw new KeyError('unsupported', `A "${label}" block is not a private key format we can read.`);
  const pem = decodePemBody(label, block.text);
  let body = pem.body;

  if (label === 'OPENSSH PRIVATE KEY') {
    if (!isOpenSshBlob(body)) throw new KeyError('malformed', 'The OpenSSH key is damaged (its header is wrong).');
    return parseOpenSsh(body, passphrase);
  }
  if (label === 'ENCRYPTED PRIVATE KEY') {
    const inner = await decryptPkcs8(body, passphrase);
    return { material: asWrongPassphrase(() => parsePkcs8(inner)), comment: '' };
  }
  const parse = label === 'RSA PRIVATE KEY' ? parsePkcs1 : label === 'EC PRIVATE KEY' ? parseSec1 : parsePkcs8;
  if (pem.dekInfo) {
    body = decryptLegacyPem(pem.dekInfo.cipher, pem.dekInfo.iv, body, passphrase);
    return { material: asWrongPassphrase(() => parse(body)), comment: '' };
  }
  return { material: parse(body), comment: '' };
}

/** After decryption, unreadable plaintext means the passphrase was wrong (the padding check passed by chance). */
function asWrongPassphrase(read: () => KeyMaterial): KeyMaterial {
  try {
    return read();
  } catch (e) {
    if (e instanceof KeyError && e.kind !== 'malformed') throw e;
    throw new KeyError('wrong-passphrase', 'The passphrase is wrong.');
  }
}

/** Things people paste instead of a private key, each with its own explanation. */
function refuseKnownNonKeys(text: string): void {
  if (/^PuTTY-User-Key-File-\d+:/m.test(text)) {
    throw new KeyError(
      'unsupported',
      'PuTTY .ppk keys are not supported; convert with puttygen (Conversions → Export OpenSSH key, or "puttygen key.ppk -O private-openssh -o key").',
    );
  }
  // authorized_keys / .pub line: [options] type base64 [comment]. Tokens, not one big regex,
  // so that a long paste cannot make the check slow.
  if (!text.includes('BEGIN ')) {
    const tokens = text.split(/\s+/);
    for (let i = 0; i + 1 < tokens.length; i++) {
      if (tokens[i].length <= 64 && PUBLIC_KEY_TYPE.test(tokens[i]) && tokens[i + 1].startsWith('AAAA')) {
        throw new KeyError('malformed', PUBLIC_KEY_MESSAGE);
      }
    }
  }
}

const PUBLIC_KEY_TYPE = /^(ssh-(rsa|dss|ed25519|ed448)|ecdsa-sha2-nistp\d+|sk-[a-z0-9-]+@openssh\.com|[a-z0-9-]+-cert-v01@openssh\.com)$/;

/** Binary DER from a file: tell PKCS#8, encrypted PKCS#8, PKCS#1 and SEC1 apart by their first fields. */
async function decodeDer(der: Uint8Array, passphrase: string | undefined): Promise<Decoded> {
  const seq = new DerReader(der, 'key').sequence();
  const first = seq.next();
  if (first.tag === TAG.SEQUENCE) {
    const inner = await decryptPkcs8(der, passphrase);
    return { material: asWrongPassphrase(() => parsePkcs8(inner)), comment: '' };
  }
  if (first.tag !== TAG.INTEGER || seq.done) throw new KeyError('malformed', NOT_A_KEY_MESSAGE);
  const second = seq.peekTag();
  if (second === TAG.SEQUENCE) return { material: parsePkcs8(der), comment: '' };
  if (second === TAG.INTEGER) return { material: parsePkcs1(der), comment: '' };
  if (second === TAG.OCTET_STRING) return { material: parseSec1(der), comment: '' };
  throw new KeyError('malformed', NOT_A_KEY_MESSAGE);
}
