// Public-key utilities: OpenSSH fingerprints, authorized_keys lines, and reading a public
// key line back (ssh-keygen -l / -y output, authorized_keys, known_hosts key fields).

import { sha256 } from '@noble/hashes/sha2.js';
import { KeyError, type PrivateKey } from './types';
import { fromBase64, SshReader, toBase64 } from './bytes';

/** "SHA256:<base64 without padding>", exactly as `ssh-keygen -lf` and ssh print it. */
export function fingerprintSha256(blob: Uint8Array): string {
  return 'SHA256:' + toBase64(sha256(blob), false);
}

/** Type name stored at the start of a public key blob (RFC 4253 §6.6). */
export function blobKeyType(blob: Uint8Array): string {
  return new SshReader(blob, 'public key').text();
}

/** One authorized_keys line: "type base64 comment" (comment omitted when empty). */
export function authorizedKeysLine(key: Pick<PrivateKey, 'publicBlob' | 'comment'>): string {
  const line = `${blobKeyType(key.publicBlob)} ${toBase64(key.publicBlob)}`;
  const comment = key.comment.replace(/[\r\n]+/g, ' ').trim();
  return comment ? `${line} ${comment}` : line;
}

export interface PublicKeyLine {
  type: string;
  blob: Uint8Array;
  comment: string;
}

/**
 * Reads "[options] type base64 [comment]" (authorized_keys, .pub files, ssh-keygen -y).
 * The key is the first "type base64" pair whose blob names the same type, so leading
 * authorized_keys options are skipped.
 */
export function parsePublicKeyLine(text: string): PublicKeyLine {
  const tokens = text.trim().split(/\s+/);
  for (let i = 0; i + 1 < tokens.length; i++) {
    if (!/^[a-z0-9@.-]+$/.test(tokens[i]) || !tokens[i + 1].startsWith('AAAA')) continue;
    const blob = fromBase64(tokens[i + 1]);
    if (!blob) continue;
    let type: string;
    try {
      type = blobKeyType(blob);
    } catch {
      continue;
    }
    if (type === tokens[i]) return { type, blob, comment: tokens.slice(i + 2).join(' ') };
  }
  throw new KeyError('malformed', 'This is not an OpenSSH public key line ("type AAAA… comment").');
}

/** The SSH public key blob of a private key, or of a public key line. */
export function publicKeyBlob(key: PrivateKey | string): Uint8Array {
  return typeof key === 'string' ? parsePublicKeyLine(key).blob : key.publicBlob;
}
