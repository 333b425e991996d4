// The post-quantum hybrid exchanges: K derived as the draft says (checked against noble's ML-KEM and
// Node's own X25519 and SHA-2, not our glue), K hashed as a string, both roles agreeing, keys made
// ahead used once, and a malformed server reply refused with a sentence.

import { createHash, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, test } from 'vitest';
import { createAgreement, respondToAgreement } from '../../../src/ssh/core/kex/agreement';
import { exchangeHash } from '../../../src/ssh/core/kex/exchange';
import * as sntrup761 from '../../../src/ssh/core/kex/sntrup761/index';
import { KexKeyPool } from '../../../src/ssh/core/kex/key-pool';
import { DEFAULT_ALGORITHMS } from '../../../src/ssh/core/kex/kexinit';
import { KexSession } from '../../../src/ssh/core/kex/session';
import { concat, fromHex, toHex } from '../../../src/ssh/core/wire/bytes';
import { SshError } from '../../../src/ssh/core/wire/errors';
import { SshReader, SshWriter } from '../../../src/ssh/core/wire/wire';
import { ed25519FromSeed } from '../../../src/ssh/keys/material';
import { createPrivateKey } from '../../../src/ssh/keys/private-key';
import { ServerKex, serverPreferences } from '../../../src/ssh/server/kex';

/** An X25519 key pair from Node (OpenSSL), as raw 32-byte values. */
function nodeX25519(): { pub: Uint8Array; privateKey: KeyObject; shared(peer: Uint8Array): Buffer } {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const pub = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(-32));
  const spkiPrefix = Buffer.from('302a300506032b656e032100', 'hex');
  return {
    pub,
    privateKey,
    shared: (peer) => diffieHellman({ privateKey, publicKey: createPublicKey({ key: Buffer.concat([spkiPrefix, peer]), format: 'der', type: 'spki' }) }),
  };
}

const sha = (alg: string, ...parts: Uint8Array[]) => toHex(new Uint8Array(createHash(alg).update(Buffer.concat(parts)).digest()));

describe('mlkem768x25519-sha256: K = SHA-256(K_PQ || K_CL)', () => {
  test('client: C_INIT is the ML-KEM key then the X25519 key; K from a reply made by noble and OpenSSL', () => {
    const client = createAgreement('mlkem768x25519-sha256');
    expect(client.secretEncoding).toBe('string');
    expect(client.ownValue.length).toBe(1184 + 32);
    const { cipherText, sharedSecret } = ml_kem768.encapsulate(client.ownValue.subarray(0, 1184));
    const server = nodeX25519();
    const kcl = server.shared(client.ownValue.subarray(1184));
    const k = client.computeSecret(concat(cipherText, server.pub));
    expect(toHex(k)).toBe(sha('sha256', sharedSecret, kcl));
  });

  test('server: S_REPLY is the ciphertext then the X25519 key; the client decapsulates the same K', () => {
    const { publicKey, secretKey } = ml_kem768.keygen();
    const client = nodeX25519();
    const reply = respondToAgreement('mlkem768x25519-sha256', concat(publicKey, client.pub));
    expect(reply.value.length).toBe(1088 + 32);
    const kpq = ml_kem768.decapsulate(reply.value.subarray(0, 1088), secretKey);
    const kcl = client.shared(reply.value.subarray(1088));
    expect(toHex(reply.secret)).toBe(sha('sha256', kpq, kcl));
  });

  test('the two roles agree', () => {
    const client = createAgreement('mlkem768x25519-sha256');
    const server = respondToAgreement('mlkem768x25519-sha256', client.ownValue);
    expect(toHex(client.computeSecret(server.value))).toBe(toHex(server.secret));
  });

  test('a key serves one exchange only', () => {
    const client = createAgreement('mlkem768x25519-sha256');
    const server = respondToAgreement('mlkem768x25519-sha256', client.ownValue);
    client.computeSecret(server.value);
    expect(() => client.computeSecret(server.value)).toThrow(/one exchange only/);
  });

  test('a client value of the wrong length, or an invalid ML-KEM key, is refused by the server as kex-failed', () => {
    expect(() => respondToAgreement('mlkem768x25519-sha256', new Uint8Array(1215))).toThrow(
      expect.objectContaining({ kind: 'kex-failed', message: expect.stringContaining('1215 bytes, not 1216') }),
    );
    // Coefficients of 0xfff are >= q = 3329: FIPS 203's modulus check fails.
    const bad = concat(new Uint8Array(1184).fill(0xff), nodeX25519().pub);
    expect(() => respondToAgreement('mlkem768x25519-sha256', bad)).toThrow(expect.objectContaining({ kind: 'kex-failed', message: expect.stringContaining('public key is not valid') }));
  });
});

describe('sntrup761x25519-sha512: K = SHA-512(K_PQ || K_CL)', () => {
  test('client: C_INIT is the sntrup761 key then the X25519 key; K from a reply made by hand', () => {
    const client = createAgreement('sntrup761x25519-sha512');
    expect(client.secretEncoding).toBe('string');
    expect(client.ownValue.length).toBe(1158 + 32);
    const { cipherText, sharedSecret } = sntrup761.encapsulate(client.ownValue.subarray(0, 1158));
    const server = nodeX25519();
    const kcl = server.shared(client.ownValue.subarray(1158));
    const k = client.computeSecret(concat(cipherText, server.pub));
    expect(k.length).toBe(64);
    expect(toHex(k)).toBe(sha('sha512', sharedSecret, kcl));
  });

  test('server: S_REPLY is the ciphertext then the X25519 key, under either name', () => {
    for (const kex of ['sntrup761x25519-sha512', 'sntrup761x25519-sha512@openssh.com']) {
      const { publicKey, secretKey } = sntrup761.keypair();
      const client = nodeX25519();
      const reply = respondToAgreement(kex, concat(publicKey, client.pub));
      expect(reply.value.length).toBe(1039 + 32);
      const kpq = sntrup761.decapsulate(reply.value.subarray(0, 1039), secretKey);
      expect(toHex(reply.secret)).toBe(sha('sha512', kpq, client.shared(reply.value.subarray(1039))));
    }
  });
});

describe('exchange hash with a string K', () => {
  test('K enters H as string(K), not mpint(K)', () => {
    const k = fromHex('80' + '11'.repeat(31)); // high bit set: an mpint would add a zero byte
    const inputs = {
      clientVersion: 'SSH-2.0-A',
      serverVersion: 'SSH-2.0-B',
      clientKexInit: Uint8Array.of(20, 1),
      serverKexInit: Uint8Array.of(20, 2),
      hostKey: Uint8Array.of(3),
      clientValue: Uint8Array.of(4),
      serverValue: Uint8Array.of(5),
      secret: k,
      secretEncoding: 'string' as const,
    };
    const layout = new SshWriter().string('SSH-2.0-A').string('SSH-2.0-B').bytes(Uint8Array.of(20, 1)).bytes(Uint8Array.of(20, 2));
    layout.bytes(Uint8Array.of(3)).bytes(Uint8Array.of(4)).bytes(Uint8Array.of(5)).raw(concat(Uint8Array.of(0, 0, 0, 32), k));
    expect(toHex(exchangeHash(sha256, inputs))).toBe(sha('sha256', layout.finish()));
  });
});

const hostKey = createPrivateKey(ed25519FromSeed(ed25519.utils.randomSecretKey()), 'host');
const ctx = { clientVersion: 'SSH-2.0-Client', serverVersion: 'SSH-2.0-Server', sessionId: undefined };

/** A client and a server exchange run by hand up to the server's reply. */
async function exchange(kex: string, pool?: KexKeyPool) {
  const client = new KexSession({ ...DEFAULT_ALGORITHMS, kex: [kex] }, true, pool);
  const server = new ServerKex(serverPreferences(hostKey, { kex: [kex] }), hostKey, true);
  server.onPeerInit(client.ourInit);
  client.onServerInit(server.ourInit);
  const { reply, exchangeHash: h } = await server.reply(client.initMessage(), ctx);
  return { client, reply, h };
}

/** The reply with its Q_S (ciphertext || X25519 key) rewritten. */
function withServerValue(reply: Uint8Array, change: (value: Uint8Array) => Uint8Array): Uint8Array {
  const r = new SshReader(reply);
  r.byte();
  const blob = r.bytes();
  const value = r.bytes();
  const signature = r.bytes();
  return new SshWriter().byte(31).bytes(blob).bytes(change(value.slice())).bytes(signature).finish();
}

async function refusal(p: Promise<unknown>): Promise<SshError> {
  const e = await p.then(() => undefined, (error: unknown) => error);
  expect(e).toBeInstanceOf(SshError);
  return e as SshError;
}

describe.each(['mlkem768x25519-sha256', 'sntrup761x25519-sha512', 'sntrup761x25519-sha512@openssh.com'])('%s between the two roles', (kex) => {
  test('the client verifies the server signature over the same H', async () => {
    const { client, reply, h } = await exchange(kex);
    const result = await client.onReply(reply, ctx);
    expect(toHex(result.exchangeHash)).toBe(toHex(h));
  });

  test('a key made ahead is the one used, and only once', async () => {
    const pool = new KexKeyPool();
    pool.prepare(['sntrup761x25519-sha512', 'sntrup761x25519-sha512@openssh.com', 'mlkem768x25519-sha256']);
    expect(pool.size).toBe(2); // the two sntrup761 names share one key
    const { client, reply } = await exchange(kex, pool);
    expect(pool.size).toBe(1);
    await client.onReply(reply, ctx);
    expect(pool.take(kex)).toBeUndefined();
  });

  test('a reply one byte short is kex-failed, with a sentence naming the server', async () => {
    const { client, reply } = await exchange(kex);
    const e = await refusal(client.onReply(withServerValue(reply, (v) => v.subarray(1)), ctx));
    expect(e.kind).toBe('kex-failed');
    expect(e.message).toMatch(/^The key exchange with the server failed: the server's .* reply is \d+ bytes, not \d+ \(a \d+-byte ciphertext and a 32-byte X25519 key\)\.$/);
  });

  test('a corrupted ciphertext gives another K, so the signature over H does not hold: host-key-invalid', async () => {
    const { client, reply } = await exchange(kex);
    const e = await refusal(client.onReply(withServerValue(reply, (v) => (v[5] ^= 1, v)), ctx));
    expect(e.kind).toBe('host-key-invalid');
    expect(e.message).toContain("The server's host key signature is not valid");
  });

  test('an all-zero X25519 key in the reply is kex-failed', async () => {
    const { client, reply } = await exchange(kex);
    const e = await refusal(client.onReply(withServerValue(reply, (v) => (v.fill(0, v.length - 32), v)), ctx));
    expect(e.kind).toBe('kex-failed');
  });
});
