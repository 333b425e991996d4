// Writing keys back out in OpenSSH's format, so a key generated or imported here can be
// used by ssh, ssh-add and ssh-keygen.

import { KeyError, type PrivateKey } from './types';
import { armor } from './armor';
import { serializeOpenSsh, type OpenSshWriteOptions } from './openssh';
import { materialOf } from './private-key';

/** Whether this key carries its private material (true for every key made by this module). */
export function isExportable(key: PrivateKey): boolean {
  return materialOf(key) !== undefined;
}

/**
 * The key as an "OPENSSH PRIVATE KEY" file. With a passphrase it is encrypted the way
 * ssh-keygen does by default: bcrypt-pbkdf (16 rounds, 16-byte salt) and aes256-ctr.
 */
export async function exportOpenSSH(key: PrivateKey, passphrase?: string, options?: OpenSshWriteOptions): Promise<string> {
  const material = materialOf(key);
  if (!material) throw new KeyError('unsupported', 'This key cannot be exported: its private part is not available here.');
  // OpenSSH wraps the base64 at 70 columns (sshkey.c, sshkey_private_to_blob2).
  return armor('OPENSSH PRIVATE KEY', serializeOpenSsh(material, key.comment, passphrase || undefined, options), 70);
}
