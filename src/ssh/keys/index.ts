// SSH private and public keys: reading every common file format, signing, fingerprints,
// generation and export. DOM-free and Node-free: runs in a page, a Web Worker and Node.

export { KeyError, type KeyErrorKind, type KeyType, type PrivateKey } from './types';
export { parsePrivateKey } from './parse';
export {
  authorizedKeysLine,
  blobKeyType,
  fingerprintSha256,
  parsePublicKeyLine,
  publicKeyBlob,
  type PublicKeyLine,
} from './public';
export { generateKey, type GeneratedKeyType } from './generate';
export { exportOpenSSH, isExportable } from './export';
export type { OpenSshWriteOptions } from './openssh';
