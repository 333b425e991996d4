// Cipher and MAC names this library speaks: each cipher's key sizes and how it builds one
// direction's Sealer or Opener from key-exchange output.

import { aesCtrOpener, aesCtrSealer, MACS } from './aes-ctr';
import { aesGcmOpener, aesGcmSealer } from './aes-gcm';
import { chachaPolyOpener, chachaPolySealer } from './chacha-poly';
import type { Opener, Sealer } from './types';

export interface DirectionKeys {
  cipher: string;
  mac: string;
  key: Uint8Array;
  iv: Uint8Array;
  macKey: Uint8Array;
}

/** How each cipher builds its two directions from key-exchange output. */
export interface Builder {
  sealer(k: DirectionKeys): Promise<Sealer> | Sealer;
  opener(k: DirectionKeys): Promise<Opener> | Opener;
}

const CHACHA_POLY: Builder = {
  sealer: (k) => chachaPolySealer(k.key),
  opener: (k) => chachaPolyOpener(k.key),
};
const AES_GCM: Builder = {
  sealer: (k) => aesGcmSealer(k.cipher, k.key, k.iv),
  opener: (k) => aesGcmOpener(k.cipher, k.key, k.iv),
};
const AES_CTR: Builder = {
  sealer: (k) => aesCtrSealer(k.cipher, k.key, k.iv, macSpec(k.mac), k.macKey),
  opener: (k) => aesCtrOpener(k.cipher, k.key, k.iv, macSpec(k.mac), k.macKey),
};

export interface CipherSpec {
  keyLength: number;
  ivLength: number;
  /** AEAD ciphers carry their own integrity; the negotiated MAC is ignored (RFC 5647 §5.1). */
  aead: boolean;
  build: Builder;
}

export const CIPHERS: Record<string, CipherSpec> = {
  'chacha20-poly1305@openssh.com': { keyLength: 64, ivLength: 0, aead: true, build: CHACHA_POLY },
  'aes256-gcm@openssh.com': { keyLength: 32, ivLength: 12, aead: true, build: AES_GCM },
  'aes128-gcm@openssh.com': { keyLength: 16, ivLength: 12, aead: true, build: AES_GCM },
  'aes256-ctr': { keyLength: 32, ivLength: 16, aead: false, build: AES_CTR },
  'aes128-ctr': { keyLength: 16, ivLength: 16, aead: false, build: AES_CTR },
};

export const CIPHER_NAMES = Object.keys(CIPHERS);
export const MAC_NAMES = Object.keys(MACS);

export function macKeyLength(mac: string): number {
  return MACS[mac]?.length ?? 0;
}

function builder(cipher: string): Builder {
  if (!Object.hasOwn(CIPHERS, cipher)) throw new RangeError(`unsupported cipher ${cipher}`);
  return CIPHERS[cipher].build;
}

export async function createSealer(k: DirectionKeys): Promise<Sealer> {
  return builder(k.cipher).sealer(k);
}

export async function createOpener(k: DirectionKeys): Promise<Opener> {
  return builder(k.cipher).opener(k);
}

function macSpec(name: string) {
  const spec = MACS[name];
  if (!spec) throw new RangeError(`unsupported MAC ${name}`);
  return spec;
}
