// The client's state machine and its one fatal path, against the in-memory TestServer (the
// library's server role with ways to misbehave).

import { describe, expect, test } from 'vitest';
import { connectSsh, memoryPipe } from '../../../src/ssh/core/stream';
import { fingerprintSha256 } from '../../../src/ssh/core/kex/signature';
import { Msg } from '../../../src/ssh/core/wire/messages';
import { SshWriter } from '../../../src/ssh/core/wire/wire';
import type { SshClient } from '../../../src/ssh/core/client';
import { TestServer, type PeerOptions } from './support/peer';

const IGNORE = new SshWriter().byte(Msg.IGNORE).string('x').finish();

function pair(options: PeerOptions = {}, accept = true) {
  const [clientEnd, serverEnd] = memoryPipe();
  const server = new TestServer(serverEnd, options);
  const client = connectSsh(clientEnd, { username: 'alice', keepaliveIntervalMs: 0 });
  const states: string[] = [];
  const logs: string[] = [];
  client.on('state', (s) => states.push(s.name));
  client.on('log', (m) => logs.push(m));
  if (accept) client.on('hostKey', () => client.acceptHostKey());
  return { client, server, states, logs };
}

async function signedIn(options: PeerOptions = {}): Promise<{ client: SshClient; server: TestServer; states: string[] }> {
  const p = pair(options);
  await p.client.ready;
  await p.client.signInWithPassword('secret');
  return p;
}

describe('happy path', () => {
  test('walks handshake -> host-key -> authenticating -> connected -> closed', async () => {
    const { client, server, states } = pair();
    const seen: string[] = [];
    client.on('hostKey', (info) => seen.push(`${info.keyType} ${info.fingerprint}`));
    await client.ready;
    expect(seen).toEqual([`ssh-ed25519 ${fingerprintSha256(server.hostBlob)}`]);
    expect(client.strictKex).toBe(true);
    expect(client.serverSigAlgs).toEqual(['ssh-ed25519', 'rsa-sha2-512']);
    expect(client.serverVersion).toBe('SSH-2.0-PosternTestPeer');
    expect(await client.signInWithPassword('secret')).toEqual({ status: 'success' });
    client.close();
    const reason = await client.closed;
    expect(reason.kind).toBe('closed');
    expect(states).toEqual(['handshake', 'host-key', 'handshake', 'authenticating', 'connected', 'closed']);
    expect(await server.disconnected).toEqual({ code: 11, description: 'The session was closed.' });
  });

  for (const cipher of ['aes256-gcm@openssh.com', 'aes128-ctr']) {
    test(`sequence numbers reset under strict kex with ${cipher}`, async () => {
      const { client } = await signedIn({ cipher });
      expect(client.state.name).toBe('connected');
      client.close();
    });
  }

  test('without strict kex, an IGNORE before KEXINIT is harmless', async () => {
    const { client } = pair({ strict: false, beforeKexInit: [IGNORE] });
    await client.ready;
    expect(client.strictKex).toBe(false);
    client.close();
  });

  test('a wrong password keeps the session in authenticating', async () => {
    const { client } = pair();
    await client.ready;
    await expect(client.signInWithPassword('nope')).rejects.toMatchObject({ kind: 'wrong-password', message: 'Wrong user name or password.' });
    expect(client.state.name).toBe('authenticating');
    client.close();
  });
});

describe('the one fatal path', () => {
  test('a tampered packet: integrity-failure, DISCONNECT with MAC_ERROR to the server', async () => {
    const { client, server } = await signedIn();
    const wire = await server.seal(IGNORE);
    wire[wire.length - 20] ^= 0x01;
    server.writeRaw(wire);
    const reason = await client.closed;
    expect(reason.kind).toBe('integrity-failure');
    expect(reason.message).toBe(
      'Data from the server failed its integrity check (Poly1305 tag mismatch). It may have been altered in transit; the connection was closed.',
    );
    expect((await server.disconnected)?.code).toBe(5);
    expect(client.state).toEqual({ name: 'closed', error: reason });
  });

  test('an oversize packet length is refused before its body arrives', async () => {
    const { client, server } = await signedIn({ cipher: 'aes128-gcm@openssh.com' });
    server.writeRaw(Uint8Array.of(0x00, 0x10, 0x00, 0x00)); // 1 MiB, length in clear under GCM
    const reason = await client.closed;
    expect(reason.kind).toBe('packet-too-large');
    expect(reason.message).toBe('The server sent a packet of 1048576 bytes; the limit is 262144. The connection was closed.');
    expect((await server.disconnected)?.code).toBe(2);
  });

  test('strict kex: anything before KEXINIT ends the session (Terrapin)', async () => {
    const { client } = pair({ beforeKexInit: [IGNORE] });
    const reason = await client.closed;
    expect(reason.kind).toBe('protocol-error');
    expect(reason.message).toContain('KEXINIT was not the first packet under strict key exchange');
  });

  test('a bad host key signature never reaches the trust prompt', async () => {
    const { client, server } = pair({ badSignature: true });
    let prompted = false;
    client.on('hostKey', () => (prompted = true));
    const reason = await client.closed;
    expect(reason.kind).toBe('host-key-invalid');
    expect(prompted).toBe(false);
    expect((await server.disconnected)?.code).toBe(9);
  });

  test('rejecting the host key ends the session with HOST_KEY_NOT_VERIFIABLE', async () => {
    const { client, server } = pair({}, false);
    client.on('hostKey', () => client.rejectHostKey());
    await expect(client.ready).rejects.toMatchObject({ kind: 'host-key-rejected' });
    expect((await server.disconnected)?.code).toBe(9);
  });

  test("the server's DISCONNECT is reported in its own words", async () => {
    const { client, server } = await signedIn();
    server.send(new SshWriter().byte(Msg.DISCONNECT).uint32(11).string('maintenance window').string('').finish());
    const reason = await client.closed;
    expect(reason).toMatchObject({ kind: 'disconnected', reasonCode: 11, serverMessage: 'maintenance window' });
    expect(reason.message).toBe('The server closed the session. The server said: "maintenance window"');
  });

  test('the stream ending without DISCONNECT is connection-lost', async () => {
    const [clientEnd, serverEnd] = memoryPipe();
    const server = new TestServer(serverEnd);
    const client = connectSsh(clientEnd, { username: 'alice', keepaliveIntervalMs: 0 });
    client.on('hostKey', () => client.acceptHostKey());
    await client.ready;
    void server;
    serverEnd.close();
    expect(await client.closed).toMatchObject({ kind: 'connection-lost', message: 'The connection to the server was lost.' });
  });
});

describe('transition guard', () => {
  test('an illegal transition is logged and refused', async () => {
    const { client, logs, states } = pair();
    await client.ready;
    client.start(); // already past idle
    expect(logs).toContain('illegal state transition authenticating -> handshake refused');
    expect(states).toEqual(['handshake', 'host-key', 'handshake', 'authenticating']);
    client.close();
  });

  test('API calls in the wrong state say which state is needed', async () => {
    const { client } = pair();
    await client.ready;
    await expect(client.openShell({ cols: 80, rows: 24 })).rejects.toMatchObject({
      kind: 'protocol-error',
      message: 'This needs the session to be connected, but it is authenticating.',
    });
    expect(() => client.acceptHostKey()).toThrow('No host key is waiting for an answer.');
    client.close();
    await expect(client.signInWithPassword('secret')).rejects.toMatchObject({ kind: 'closed' });
  });
});
