// Fixed inputs and the bytes format version 1 must produce from them. Never edit the expected values to
// make a test pass: they are what vaults already stored in browsers contain.
const seq = (n: number, start: number) => Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);

export const VECTOR = {
  passphrase: 'correct horse battery staple',
  params: { logN: 10, r: 8, p: 1 },
  salt: seq(16, 0x00),
  vaultId: seq(16, 0x10),
  wrapNonce: seq(24, 0x20),
  vaultKey: seq(32, 0x40),
  kekHex: '9a9f74cc441de571a18c4bf8580ad51f86745d14b39065ad24ad92fc05c99515',
  headerHex:
    '50564c5401010a0801101112131415161718191a1b1c1d1e1f000102030405060708090a0b0c0d0e0f20212223242526' +
    '2728292a2b2c2d2e2f3031323334353637b74413b326f8be719f1bf0a4d4ff2fe105498269d00f19a317f86d4631c97c' +
    '79447beb871595e6727cc877bd98a47e53db9a0e68f933e3cc911114b55a71e7a9de229b401725c606abb0ce763f973b8e',
  secretName: 'deploy key',
  secretNonce: seq(24, 0x80),
  /** Kind byte 1 (OpenSSH key text), then the text. */
  plaintext: new Uint8Array([1, ...new TextEncoder().encode('not a real key')]),
  sealedHex:
    '5056534b01808182838485868788898a8b8c8d8e8f909192939495969703cd198de05379064fed9039ed0abacf36cbc4d7' +
    '79f5723a7db3bfa3f04f4b',
};
