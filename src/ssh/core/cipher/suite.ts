// Cipher and MAC names this client speaks, their key sizes, and the factory that builds one
// direction's Sealer or Opener from key-exchange output.

import { aesCtrOpener, aesCtrSealer, MACS } from './aes-ctr';
import { aesGcmOpener, aesGcmSealer } from './aes-gcm';
import { chachaPolyOpener, chachaPolySealer } from './chacha-poly';
import type { Opener, Sealer } from './types';

export interface CipherSpec {
  keyLength: number;
  ivLength: number;
  /** AEAD ciphers carry their own integrity; the negotiated MAC is ignored (RFC 5647 §5.1). */
  aead: boolean;
}

export const CIPHERS: Record<string, CipherSpec> = {
  'chacha20-poly1305@openssh.com': { keyLength: 64, ivLength: 0, aead: true },
  'aes256-gcm@openssh.com': { keyLength: 32, ivLength: 12, aead: true },
  'aes128-gcm@openssh.com': { keyLength: 16, ivLength: 12, aead: true },
  'aes256-ctr': { keyLength: 32, ivLength: 16, aead: false },
  'aes128-ctr': { keyLength: 16, ivLength: 16, aead: false },
};

export const CIPHER_NAMES = Object.keys(CIPHERS);
export const MAC_NAMES = Object.keys(MACS);

export function macKeyLength(mac: string): number {
  return MACS[mac]?.length ?? 0;
}

export interface DirectionKeys {
  cipher: string;
  mac: string;
  key: Uint8Array;
  iv: Uint8Array;
  macKey: Uint8Array;
}

export async function createSealer(k: DirectionKeys): Promise<Sealer> {
  switch (k.cipher) {
    case 'chacha20-poly1305@openssh.com':
      return chachaPolySealer(k.key);
    case 'aes256-gcm@openssh.com':
    case 'aes128-gcm@openssh.com':
      return aesGcmSealer(k.cipher, k.key, k.iv);
    case 'aes256-ctr':
    case 'aes128-ctr':
      return aesCtrSealer(k.cipher, k.key, k.iv, macSpec(k.mac), k.macKey);
    default:
      throw new RangeError(`unsupported cipher ${k.cipher}`);
  }
}

export async function createOpener(k: DirectionKeys): Promise<Opener> {
  switch (k.cipher) {
    case 'chacha20-poly1305@openssh.com':
      return chachaPolyOpener(k.key);
    case 'aes256-gcm@openssh.com':
    case 'aes128-gcm@openssh.com':
      return aesGcmOpener(k.cipher, k.key, k.iv);
    case 'aes256-ctr':
    case 'aes128-ctr':
      return aesCtrOpener(k.cipher, k.key, k.iv, macSpec(k.mac), k.macKey);
    default:
      throw new RangeError(`unsupported cipher ${k.cipher}`);
  }
}

function macSpec(name: string) {
  const spec = MACS[name];
  if (!spec) throw new RangeError(`unsupported MAC ${name}`);
  return spec;
}
