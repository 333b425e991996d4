// The slice of WebCrypto (W3C Web Cryptography API) that key handling uses, declared locally
// because the SSH core compiles without the DOM lib. The same global exists in pages,
// Web Workers and Node 20 (globalThis.crypto).

/** Opaque handle to a key held by the platform. */
export interface PlatformKey {
  readonly type: string;
}

interface RsaHashedParams {
  name: 'RSASSA-PKCS1-v1_5';
  hash: 'SHA-256' | 'SHA-512';
}

interface RsaGenParams extends RsaHashedParams {
  modulusLength: number;
  publicExponent: Uint8Array;
}

export interface Subtle {
  importKey(
    format: 'pkcs8',
    keyData: Uint8Array,
    algorithm: RsaHashedParams,
    extractable: boolean,
    usages: 'sign'[],
  ): Promise<PlatformKey>;
  sign(algorithm: { name: 'RSASSA-PKCS1-v1_5' }, key: PlatformKey, data: Uint8Array): Promise<ArrayBuffer>;
  generateKey(
    algorithm: RsaGenParams,
    extractable: boolean,
    usages: ('sign' | 'verify')[],
  ): Promise<{ privateKey: PlatformKey; publicKey: PlatformKey }>;
  exportKey(format: 'pkcs8', key: PlatformKey): Promise<ArrayBuffer>;
}

export function subtle(): Subtle {
  const c = (globalThis as unknown as { crypto?: { subtle?: Subtle } }).crypto;
  if (!c?.subtle) {
    // WebCrypto exists only in secure contexts (https or localhost) in browsers.
    throw new Error('WebCrypto is not available here (browsers offer it only on https:// or localhost pages).');
  }
  return c.subtle;
}
