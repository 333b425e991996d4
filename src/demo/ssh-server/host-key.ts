// The demo machine's Ed25519 host key. It is made from a 32-byte seed, so the worker can keep the
// seed (in IndexedDB) and present the same fingerprint on every visit instead of a new one that a
// known-hosts check would call "changed".

import { ed25519 } from '@noble/curves/ed25519.js';
import { ed25519FromSeed } from '../../ssh/keys/material';
import { createPrivateKey } from '../../ssh/keys/private-key';
import type { PrivateKey } from '../../ssh/keys/types';

export function newHostKeySeed(): Uint8Array {
  return ed25519.utils.randomSecretKey();
}

export function hostKeyFromSeed(seed: Uint8Array): PrivateKey {
  if (seed.length !== 32) throw new RangeError(`seed: an Ed25519 seed is 32 bytes, got ${seed.length}`);
  return createPrivateKey(ed25519FromSeed(seed), 'postern-demo host key');
}
