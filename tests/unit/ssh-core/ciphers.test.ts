// Packet protection glue, checked against published vectors (RFC 8439 for the ChaCha20 and
// Poly1305 primitives) and against Node's OpenSSL for whole packets built the way the
// OpenSSH PROTOCOL.chacha20poly1305, RFC 5647 (AES-GCM) and RFC 4344/6668 (CTR + HMAC) say.

import { createCipheriv, createHmac } from 'node:crypto';
import { chacha20orig } from '@noble/ciphers/chacha.js';
import { poly1305 } from '@noble/ciphers/_poly1305.js';
import { describe, expect, test } from 'vitest';
import { chachaPolyOpener, chachaPolySealer } from '../../../src/ssh/core/cipher/chacha-poly';
import { aesGcmOpener, aesGcmSealer } from '../../../src/ssh/core/cipher/aes-gcm';
import { aesCtrOpener, aesCtrSealer, MACS } from '../../../src/ssh/core/cipher/aes-ctr';
import { IntegrityError } from '../../../src/ssh/core/cipher/types';
import { framePacket, PacketDecoder } from '../../../src/ssh/core/packet';
import { fromHex, toHex, utf8 } from '../../../src/ssh/core/wire/bytes';

const seqBE = (seq: number) => Buffer.from([seq >>> 24, (seq >>> 16) & 255, (seq >>> 8) & 255, seq & 255]);
const key64 = fromHex('00112233445566778899aabbccddeeff'.repeat(4));
const payload = utf8('hello, packet protection');

describe('primitives used by chacha20-poly1305@openssh.com', () => {
  test('ChaCha20 with an all-zero key and nonce, block 0 (RFC 8439 A.1 #1)', () => {
    expect(toHex(chacha20orig(new Uint8Array(32), new Uint8Array(8), new Uint8Array(64)))).toBe(
      '76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586',
    );
  });

  test('Poly1305 (RFC 8439 §2.5.2)', () => {
    const key = fromHex('85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b');
    expect(toHex(poly1305(utf8('Cryptographic Forum Research Group'), key))).toBe('a8061dc1305136c6c22b8baf0c0127a9');
  });
});

describe('chacha20-poly1305@openssh.com packet', () => {
  // OpenSSL's "chacha20" takes a 16-byte IV = 32-bit LE counter || 96-bit nonce. DJB's variant
  // (64-bit counter, 64-bit nonce) with counter c < 2^32 is IV = LE32(c) || 0000 0000 || nonce.
  const djb = (key: Uint8Array, seq: number, counter: number, data: Uint8Array) => {
    const iv = Buffer.concat([Buffer.from([counter, 0, 0, 0]), Buffer.alloc(4), Buffer.alloc(4), seqBE(seq)]);
    return createCipheriv('chacha20', key, iv).update(data);
  };

  test('matches the construction built from OpenSSL ChaCha20 + Poly1305', async () => {
    const seq = 7;
    const packet = framePacket(payload, 8, true);
    const plain = packet.slice();
    const wire = await chachaPolySealer(key64).seal(seq, packet);
    const k2 = key64.subarray(0, 32); // payload key
    const k1 = key64.subarray(32); // length key
    const encLength = djb(k1, seq, 0, plain.subarray(0, 4));
    const encBody = djb(k2, seq, 1, plain.subarray(4));
    const polyKey = djb(k2, seq, 0, new Uint8Array(32));
    const tag = poly1305(Buffer.concat([encLength, encBody]), polyKey);
    expect(toHex(wire)).toBe(toHex(Buffer.concat([encLength, encBody, tag])));
    // (padding_length + payload + padding) is a multiple of 8; packet_length is not counted.
    expect((plain.length - 4) % 8).toBe(0);
  });

  test('opens its own packets and refuses a flipped bit', async () => {
    const sealer = chachaPolySealer(key64);
    const opener = chachaPolyOpener(key64);
    const wire = await sealer.seal(3, framePacket(payload, 8, true));
    expect(opener.decryptLength(3, wire.subarray(0, 4))).toBe(wire.length - 4 - 16);
    const plain = await opener.open(3, wire);
    expect(toHex(plain.subarray(1, 1 + payload.length))).toBe(toHex(payload));
    wire[10] ^= 1;
    await expect(opener.open(3, wire)).rejects.toBeInstanceOf(IntegrityError);
  });

  test('the sequence number is the nonce: the wrong one fails', async () => {
    const wire = await chachaPolySealer(key64).seal(1, framePacket(payload, 8, true));
    await expect(chachaPolyOpener(key64).open(2, wire)).rejects.toBeInstanceOf(IntegrityError);
  });
});

describe('aes-gcm@openssh.com packet (RFC 5647)', () => {
  const key = key64.subarray(0, 16);
  // Invocation counter ends in ff ff: the second packet exercises the carry (RFC 5647 §7.1).
  const iv = fromHex('0102030400000000000000ff');

  test('two consecutive packets match OpenSSL AES-128-GCM with AAD = packet_length', async () => {
    const sealer = await aesGcmSealer('aes128-gcm@openssh.com', key, iv);
    const expectedIvs = ['0102030400000000000000ff', '010203040000000000000100'];
    for (let i = 0; i < 2; i++) {
      const packet = framePacket(payload, 16, true);
      const plain = packet.slice();
      const wire = await sealer.seal(i, packet);
      const c = createCipheriv('aes-128-gcm', key, fromHex(expectedIvs[i]));
      c.setAAD(plain.subarray(0, 4));
      const body = Buffer.concat([c.update(plain.subarray(4)), c.final()]);
      expect(toHex(wire)).toBe(toHex(Buffer.concat([plain.subarray(0, 4), body, c.getAuthTag()])));
      expect((plain.length - 4) % 16).toBe(0);
    }
  });

  test('opens in order; a tampered length (the AAD) is an integrity failure', async () => {
    const sealer = await aesGcmSealer('aes256-gcm@openssh.com', key64.subarray(0, 32), iv);
    const opener = await aesGcmOpener('aes256-gcm@openssh.com', key64.subarray(0, 32), iv);
    const a = await sealer.seal(0, framePacket(payload, 16, true));
    const b = await sealer.seal(1, framePacket(payload, 16, true));
    expect(toHex((await opener.open(0, a)).subarray(1, 1 + payload.length))).toBe(toHex(payload));
    b[3] ^= 0x10;
    await expect(opener.open(1, b)).rejects.toBeInstanceOf(IntegrityError);
  });
});

describe('aes-ctr with HMAC-SHA2 (RFC 4344, RFC 6668, OpenSSH -etm)', () => {
  const key = key64.subarray(0, 16);
  const iv = fromHex('000102030405060708090a0b0c0dfffe'); // counter carries into byte 13
  const macKey = key64.subarray(0, 32);

  for (const macName of Object.keys(MACS)) {
    const mac = MACS[macName];
    test(`${macName}: two packets match OpenSSL AES-128-CTR + HMAC`, async () => {
      const sealer = await aesCtrSealer('aes128-ctr', key, iv, mac, macKey);
      const opener = await aesCtrOpener('aes128-ctr', key, iv, mac, macKey);
      // One continuous keystream across packets, as the counter is never reset between them.
      const stream = createCipheriv('aes-128-ctr', key, iv);
      const hmacName = mac.hash === 'SHA-256' ? 'sha256' : 'sha512';
      for (const seq of [41, 42]) {
        const packet = framePacket(payload, 16, mac.etm);
        const plain = packet.slice();
        const wire = await sealer.seal(seq, packet);
        let expected: Buffer;
        if (mac.etm) {
          const enc = stream.update(plain.subarray(4));
          const tag = createHmac(hmacName, macKey).update(Buffer.concat([seqBE(seq), plain.subarray(0, 4), enc])).digest();
          expected = Buffer.concat([plain.subarray(0, 4), enc, tag]);
        } else {
          const enc = stream.update(plain);
          const tag = createHmac(hmacName, macKey).update(Buffer.concat([seqBE(seq), plain])).digest();
          expected = Buffer.concat([enc, tag]);
        }
        expect(toHex(wire)).toBe(toHex(expected));
        expect(await opener.decryptLength(seq, wire.subarray(0, opener.prefixLength))).toBe(plain.length - 4);
        expect(toHex(await opener.open(seq, wire))).toBe(toHex(plain.subarray(4)));
      }
    });
  }

  test('a MAC mismatch is an integrity failure', async () => {
    const mac = MACS['hmac-sha2-256'];
    const wire = await (await aesCtrSealer('aes128-ctr', key, iv, mac, macKey)).seal(0, framePacket(payload, 16, false));
    wire[wire.length - 1] ^= 1;
    await expect((await aesCtrOpener('aes128-ctr', key, iv, mac, macKey)).open(0, wire)).rejects.toBeInstanceOf(IntegrityError);
  });
});

describe('packet framing and bounds (RFC 4253 §6)', () => {
  test('padding is 4..255 bytes and aligns the packet', () => {
    for (let n = 0; n < 40; n++) {
      const p = framePacket(new Uint8Array(n), 8, false);
      const padding = p[4];
      expect(padding).toBeGreaterThanOrEqual(4);
      expect(p.length % 8).toBe(0);
      expect(p.length).toBe(4 + 1 + n + padding);
    }
  });

  test('a length over 256 KiB is refused before the body arrives', async () => {
    const d = new PacketDecoder();
    d.input.push(fromHex('00050000'));
    await expect(d.next()).rejects.toMatchObject({ kind: 'packet-too-large' });
  });

  test('a misaligned length is an integrity failure', async () => {
    const d = new PacketDecoder();
    d.input.push(fromHex('0000000d'));
    await expect(d.next()).rejects.toMatchObject({ kind: 'integrity-failure' });
  });

  test('padding shorter than 4 bytes is refused', async () => {
    const d = new PacketDecoder();
    d.input.push(fromHex('0000000c' + '03' + '05'.repeat(8) + '000000'));
    await expect(d.next()).rejects.toMatchObject({ kind: 'integrity-failure', message: expect.stringContaining('invalid padding') });
  });

  test('packets split across chunks reassemble', async () => {
    const d = new PacketDecoder();
    const p = framePacket(payload, 8, false);
    for (const b of p.subarray(0, p.length - 1)) d.input.push(Uint8Array.of(b));
    expect(await d.next()).toBeNull();
    d.input.push(p.subarray(p.length - 1));
    expect(toHex((await d.next())!)).toBe(toHex(payload));
  });
});
