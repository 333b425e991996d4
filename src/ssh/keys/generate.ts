// Key generation in the browser: Ed25519 and ECDSA P-256 from noble with the platform's
// CSPRNG, RSA-3072 from WebCrypto (which does the prime search natively).

import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import type { PrivateKey } from './types';
import { ecdsaFromScalar, ed25519FromSeed } from './material';
import { parsePkcs8 } from './pkcs8';
import { createPrivateKey } from './private-key';
import { subtle } from './webcrypto';

export type GeneratedKeyType = 'ed25519' | 'ecdsa-p256' | 'rsa-3072';

export async function generateKey(type: GeneratedKeyType, comment = ''): Promise<PrivateKey> {
  switch (type) {
    case 'ed25519':
      return createPrivateKey(ed25519FromSeed(ed25519.utils.randomSecretKey()), comment);
    case 'ecdsa-p256':
      return createPrivateKey(ecdsaFromScalar('nistp256', p256.utils.randomSecretKey()), comment);
    case 'rsa-3072': {
      const pair = await subtle().generateKey(
        { name: 'RSASSA-PKCS1-v1_5', modulusLength: 3072, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-512' },
        true,
        ['sign', 'verify'],
      );
      const pkcs8 = new Uint8Array(await subtle().exportKey('pkcs8', pair.privateKey));
      return createPrivateKey(parsePkcs8(pkcs8), comment);
    }
    default:
      throw new RangeError(`generateKey: unknown key type ${String(type)}`);
  }
}
