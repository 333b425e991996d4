// One library, both roles: the same negotiation from either end, errors about the peer worded by
// the role that reports them, and user signatures checked with the host-key code.

import { describe, expect, test } from 'vitest';
import { memoryPipe } from '../../../src/ssh/core/stream';
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
