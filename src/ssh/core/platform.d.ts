// The few platform globals the SSH layer uses, typed by hand so src/ssh/tsconfig.json can leave
// out the DOM lib and Node types. All of them exist in browsers, Web Workers and Node >= 20.
// Written as mergeable interfaces and identically-typed vars, so the root tsconfig (which does
// include the DOM lib) accepts this file beside lib.dom.d.ts.
/* eslint-disable no-var, @typescript-eslint/no-empty-object-type -- vars and an empty interface merge with lib.dom.d.ts's */

interface CryptoKey {}

interface SubtleCrypto {
  importKey(
    format: 'raw' | 'jwk' | 'pkcs8' | 'spki',
    keyData: ArrayBufferView | ArrayBuffer | object,
    algorithm: string | { name: string; hash?: string; namedCurve?: string; length?: number },
    extractable: boolean,
    keyUsages: Array<'encrypt' | 'decrypt' | 'sign' | 'verify' | 'deriveBits'>,
  ): Promise<CryptoKey>;
  encrypt(
    algorithm: { name: string; iv?: ArrayBufferView; counter?: ArrayBufferView; length?: number; additionalData?: ArrayBufferView; tagLength?: number },
    key: CryptoKey,
    data: ArrayBufferView | ArrayBuffer,
  ): Promise<ArrayBuffer>;
  decrypt(
    algorithm: { name: string; iv?: ArrayBufferView; counter?: ArrayBufferView; length?: number; additionalData?: ArrayBufferView; tagLength?: number },
    key: CryptoKey,
    data: ArrayBufferView | ArrayBuffer,
  ): Promise<ArrayBuffer>;
  sign(algorithm: string | { name: string; hash?: string }, key: CryptoKey, data: ArrayBufferView | ArrayBuffer): Promise<ArrayBuffer>;
  verify(
    algorithm: string | { name: string; hash?: string },
    key: CryptoKey,
    signature: ArrayBufferView | ArrayBuffer,
    data: ArrayBufferView | ArrayBuffer,
  ): Promise<boolean>;
  digest(algorithm: string, data: ArrayBufferView | ArrayBuffer): Promise<ArrayBuffer>;
}

interface Crypto {
  readonly subtle: SubtleCrypto;
  getRandomValues<T extends ArrayBufferView | null>(array: T): T;
}

declare var crypto: Crypto;

interface TextEncoder {
  encode(input?: string): Uint8Array;
}
declare var TextEncoder: {
  prototype: TextEncoder;
  new(): TextEncoder;
};

interface TextDecoderOptions {
  fatal?: boolean;
  ignoreBOM?: boolean;
}
interface TextDecoder {
  decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string;
}
declare var TextDecoder: {
  prototype: TextDecoder;
  new(label?: string, options?: TextDecoderOptions): TextDecoder;
};

/** Scheduling a callback after the current task (every JS platform has it). */
declare function queueMicrotask(callback: () => void): void;
