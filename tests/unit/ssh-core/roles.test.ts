// One library, both roles: the same negotiation from either end, errors about the peer worded by
// the role that reports them, and user signatures checked with the host-key code.

import { describe, expect, test } from 'vitest';
import { connectSsh, memoryPipe } from '../../../src/ssh/core/stream';
import { CLIENT_VOICE, SshError } from '../../../src/ssh/core/wire/errors';
import { DEFAULT_ALGORITHMS, buildKexInit, negotiate } from '../../../src/ssh/core/kex/kexinit';
import { framePacket } from '../../../src/ssh/core/packet';
import { verifyUserSignature } from '../../../src/ssh/core/kex/signature';
import { utf8 } from '../../../src/ssh/core/wire/bytes';
import { generateKey } from '../../../src/ssh/keys/index';
import { SERVER_VOICE } from '../../../src/ssh/server/index';
import { TestServer } from './support/peer';

const SERVER_LISTS = {
  kex: ['ecdh-sha2-nistp256', 'curve25519-sha256'],
  hostKey: ['ssh-ed25519'],
  cipher: ['aes256-ctr', 'chacha20-poly1305@openssh.com', 'aes128-gcm@openssh.com'],
  mac: ['hmac-sha2-512', 'hmac-sha2-256-etm@openssh.com'],
};

describe('negotiation', () => {
  test("both ends agree, and the client's preference wins whichever end asks", () => {
    const fromClient = negotiate('client', DEFAULT_ALGORITHMS, buildKexInit('server', SERVER_LISTS, true));
    const fromServer = negotiate('server', SERVER_LISTS, buildKexInit('client', DEFAULT_ALGORITHMS, true));
    expect(fromClient.negotiated).toEqual(fromServer.negotiated);
    expect(fromClient.negotiated).toEqual({
      kex: 'curve25519-sha256',
      hostKey: 'ssh-ed25519',
      cipherC2S: 'aes128-gcm@openssh.com',
      cipherS2C: 'aes128-gcm@openssh.com',
      macC2S: '',
      macS2C: '',
    });
    // Strict kex both ways; only the client asks for EXT_INFO.
    expect([fromClient.strict, fromServer.strict, fromClient.wantsExtInfo, fromServer.wantsExtInfo]).toEqual([true, true, false, true]);
  });

  test('nothing in common is one error, said by each role in its own words', () => {
    const lists = { ...SERVER_LISTS, cipher: ['aes256-ctr'] };
    const client = { ...DEFAULT_ALGORITHMS, cipher: ['aes128-gcm@openssh.com'] };
    let error: unknown;
    try {
      negotiate('server', lists, buildKexInit('client', client, true));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SshError);
    expect(error).toMatchObject({ kind: 'no-common-algorithm', reason: 3 });
    const e = error as SshError;
    expect(e.spokenBy(SERVER_VOICE).message).toBe('no cipher in common (client offers aes128-gcm@openssh.com)');
    expect(e.spokenBy(CLIENT_VOICE).message).toBe(
      'The server and this client have no encryption cipher in common. Server offers: aes128-gcm@openssh.com. This client supports: aes256-ctr.',
    );
  });
});

describe('a guessed key exchange packet (RFC 4253 §7 first_kex_packet_follows)', () => {
  test('stands only when both sides prefer the same method and host key algorithm, as OpenSSH judges it', () => {
    const guessing = buildKexInit('client', DEFAULT_ALGORITHMS, true, true, true);
    // The server's first method differs: the guess is skipped, though the client's first method is agreed.
    const otherFirst = { ...SERVER_LISTS, kex: ['curve25519-sha256', DEFAULT_ALGORITHMS.kex[0]] };
    const skipped = negotiate('server', otherFirst, guessing);
    expect(skipped.negotiated.kex).toBe(DEFAULT_ALGORITHMS.kex[0]);
    expect([skipped.skipGuess, skipped.firstChoicesMatch]).toEqual([true, false]);
    const sameFirst = negotiate('server', { ...SERVER_LISTS, kex: [DEFAULT_ALGORITHMS.kex[0]], hostKey: [DEFAULT_ALGORITHMS.hostKey[0]] }, guessing);
    expect([sameFirst.skipGuess, sameFirst.firstChoicesMatch]).toEqual([false, true]);
    // No guess announced: nothing to skip.
    expect(negotiate('server', otherFirst, buildKexInit('client', DEFAULT_ALGORITHMS, true)).skipGuess).toBe(false);
  });

  /** KEX_ECDH_INIT messages the client writes before its keys switch (plaintext packets: the type is byte 5). */
  async function kexInitsSent(kex: string[] | undefined, guessKex?: boolean): Promise<{ inits: number; agreed: string | undefined }> {
    const [clientEnd, serverEnd] = memoryPipe();
    new TestServer(serverEnd);
    const types: number[] = [];
    const write = clientEnd.write.bind(clientEnd);
    clientEnd.write = (bytes) => {
      if (!types.includes(21) && bytes[0] !== 0x53) types.push(bytes[5]); // 'S': the version line
      write(bytes);
    };
    const client = connectSsh(clientEnd, { username: 'alice', keepaliveIntervalMs: 0, guessKex, algorithms: kex ? { kex } : undefined });
    client.on('hostKey', () => client.acceptHostKey());
    await client.ready;
    const agreed = client.negotiated?.kex;
    client.close();
    return { inits: types.filter((t) => t === 30).length, agreed };
  }

  test('a right guess is the only KEX_ECDH_INIT; a wrong one is followed by the right one; both sign in', async () => {
    // The test server offers curve25519-sha256 and an ssh-ed25519 host key, the client's first host key algorithm.
    expect(await kexInitsSent(['curve25519-sha256', 'ecdh-sha2-nistp256'])).toEqual({ inits: 1, agreed: 'curve25519-sha256' });
    expect(await kexInitsSent(undefined)).toEqual({ inits: 2, agreed: 'curve25519-sha256' });
    expect(await kexInitsSent(undefined, false)).toEqual({ inits: 1, agreed: 'curve25519-sha256' });
  });
});

describe('errors about the peer', () => {
  test("the server reports a client's oversize packet as the client sending it, with PROTOCOL_ERROR", async () => {
    const [clientEnd, serverEnd] = memoryPipe();
    const server = new TestServer(serverEnd);
    clientEnd.write(utf8('SSH-2.0-Raw\r\n'));
    clientEnd.write(Uint8Array.of(0x00, 0x10, 0x00, 0x00)); // 1 MiB
    const end = await server.session.closed;
    expect(end).toMatchObject({ kind: 'packet-too-large', reason: 2 });
    expect(end.message).toBe('The client sent a packet of 1048576 bytes; the limit is 262144. The connection was closed.');
  });

  test('a message that does not parse is the client\'s, said in the server\'s words', async () => {
    const [clientEnd, serverEnd] = memoryPipe();
    const server = new TestServer(serverEnd);
    clientEnd.write(utf8('SSH-2.0-Raw\r\n'));
    clientEnd.write(framePacket(Uint8Array.of(20, 1, 2, 3), 8, false)); // a KEXINIT cut short
    const end = await server.session.closed;
    expect(end).toMatchObject({ kind: 'protocol-error', reason: 2 });
    expect(end.message).toBe('malformed message from the client: message ends in the middle of the KEXINIT cookie');
  });
});

describe('verifyUserSignature', () => {
  for (const type of ['ed25519', 'ecdsa-p256', 'rsa-3072'] as const) {
    test(`${type}: the key's signature holds, over other data it does not`, async () => {
      const key = await generateKey(type);
      const data = utf8('session id and USERAUTH_REQUEST');
      const algorithm = key.signatureAlgorithms[0];
      const signature = await key.sign(algorithm, data);
      expect(await verifyUserSignature(algorithm, key.publicBlob, signature, data)).toBe(true);
      expect(await verifyUserSignature(algorithm, key.publicBlob, signature, utf8('something else'))).toBe(false);
      expect(await verifyUserSignature(algorithm, key.publicBlob.subarray(0, 10), signature, data)).toBe(false);
    });
  }
});
