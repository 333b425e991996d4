// The demo SSH server against the real client core, in memory: key exchange with every cipher,
// MAC and kex method, host key, strict kex, rekey both ways, sign-in, and the fatal paths.

import { describe, expect, test } from 'vitest';
import { CIPHER_NAMES, MAC_NAMES } from '../../../src/ssh/core/cipher/suite';
import { KEX_NAMES } from '../../../src/ssh/core/kex/agreement';
import { Msg } from '../../../src/ssh/core/wire/messages';
import { framePacket } from '../../../src/ssh/core/packet';
import { memoryPipe } from '../../../src/ssh/core/stream';
import { utf8 } from '../../../src/ssh/core/wire/bytes';
import { SshWriter } from '../../../src/ssh/core/wire/wire';
import { fingerprintSha256, generateKey } from '../../../src/ssh/keys/index';
import { hostKeyFromSeed, newHostKeySeed } from '../../../src/demo/ssh-server/index';
import { pair, signedIn, Terminal } from './support';

async function echoHi(p: Awaited<ReturnType<typeof signedIn>>): Promise<void> {
  const channel = await p.client.exec('echo hi');
  const term = new Terminal(channel);
  const exit = new Promise((r) => channel.on('exit', r));
  await term.until((t) => t.includes('hi\n'));
  expect(await exit).toEqual({ code: 0 });
  expect(term.text).toBe('hi\n'); // no pty: plain LF, no prompt, no echo
}

describe('key exchange', () => {
  for (const cipher of CIPHER_NAMES) {
    test(`cipher ${cipher}`, async () => {
      const p = await signedIn({ client: { algorithms: { cipher: [cipher] } } });
      expect(p.client.negotiated).toMatchObject({ cipherC2S: cipher, cipherS2C: cipher });
      await echoHi(p);
      p.client.close();
    });
  }

  for (const mac of MAC_NAMES) {
    test(`aes128-ctr with ${mac}`, async () => {
      const p = await signedIn({ client: { algorithms: { cipher: ['aes128-ctr'], mac: [mac] } } });
      expect(p.client.negotiated).toMatchObject({ macC2S: mac, macS2C: mac });
      await echoHi(p);
      p.client.close();
    });
  }

  for (const kex of KEX_NAMES) {
    test(`kex ${kex}`, async () => {
      const p = await signedIn({ client: { algorithms: { kex: [kex] } } });
      expect(p.client.negotiated?.kex).toBe(kex);
      p.client.close();
    });
  }

  test('the client sees the Ed25519 host key and its fingerprint; strict kex is on both sides', async () => {
    const seed = newHostKeySeed();
    const p = pair({ server: { hostKey: hostKeyFromSeed(seed) } });
    const seen: string[] = [];
    p.client.on('hostKey', (info) => seen.push(`${info.algorithm} ${info.keyType} ${info.fingerprint}`));
    await p.client.ready;
    const expected = fingerprintSha256(hostKeyFromSeed(seed).publicBlob);
    expect(p.server.hostKeyFingerprint).toBe(expected);
    expect(seen).toEqual([`ssh-ed25519 ssh-ed25519 ${expected}`]);
    expect(p.client.strictKex).toBe(true);
    expect(p.session.strictKex).toBe(true);
    expect(p.client.serverVersion).toBe('SSH-2.0-PosternDemo_1.0');
    expect(p.client.serverSigAlgs).toContain('rsa-sha2-512');
    p.client.close();
  });

  test('a server restricted to one cipher the client lacks: no common algorithm, said by the client', async () => {
    const p = pair({ server: { algorithms: { cipher: ['aes256-ctr'] } }, client: { algorithms: { cipher: ['chacha20-poly1305@openssh.com'] } } });
    const reason = await p.client.closed;
    expect(reason.kind).toBe('no-common-algorithm');
    expect(reason.message).toContain('Server offers: aes256-ctr.');
    // Both sides see it from the other's KEXINIT; the server names what the client offered.
    expect(await p.session.ended).toEqual({ kind: 'kex', message: 'no cipher in common (client offers chacha20-poly1305@openssh.com)' });
  });

  test('the client rejecting the host key ends the server session too', async () => {
    const p = pair({ acceptHostKey: false });
    p.client.on('hostKey', () => p.client.rejectHostKey());
    expect((await p.client.closed).kind).toBe('host-key-rejected');
    const end = await p.session.ended;
    expect(end.kind).toBe('peer');
    expect(end.message).toMatch(/reason 9/);
  });

  test('rekey started by the client, then by the server, while output flows', async () => {
    for (const side of ['client', 'server'] as const) {
      const opts = side === 'client' ? { client: { rekeyBytes: 64 * 1024 } } : { server: { rekeyBytes: 64 * 1024 } };
      const p = await signedIn(opts);
      const channel = await p.client.exec('seq 30000');
      const term = new Terminal(channel);
      await new Promise((r) => channel.on('close', r));
      const lines = term.text.trimEnd().split('\n');
      expect(lines.length).toBe(30000);
      expect(lines.at(-1)).toBe('30000');
      // A second command's channel waits behind any key exchange still running, so it proves it finished.
      await echoHi(p);
      expect(p.client.kexCount).toBeGreaterThanOrEqual(2);
      expect(p.session.kexCount).toBe(p.client.kexCount);
      p.client.close();
    }
  });
});

describe('sign-in', () => {
  test('password demo/demo, after the banner', async () => {
    const p = pair({ server: { banner: 'Postern demo machine: sign in as demo / demo\r\n' } });
    const banners: string[] = [];
    p.client.on('banner', (b) => banners.push(b));
    await p.client.ready;
    expect(await p.client.authMethods()).toEqual(['publickey', 'password']);
    expect(await p.client.signInWithPassword('demo')).toEqual({ status: 'success' });
    expect(banners).toEqual(['Postern demo machine: sign in as demo / demo\r\n']);
    expect(p.session.user).toBe('demo');
    p.client.close();
  });

  test('a wrong password, then an unknown user: the same clear message; the session stays usable', async () => {
    const p = pair();
    await p.client.ready;
    await expect(p.client.signInWithPassword('nope')).rejects.toMatchObject({ kind: 'wrong-password', message: 'Wrong user name or password.' });
    expect(p.client.state.name).toBe('authenticating');
    expect(await p.client.authenticate({ method: 'password', password: 'demo' })).toEqual({ status: 'success' });
    p.client.close();

    const q = pair({ client: { username: 'root' } });
    await q.client.ready;
    await expect(q.client.signInWithPassword('demo')).rejects.toMatchObject({ kind: 'wrong-password' });
    q.client.close();
  });

  test('too many failures: the server disconnects and the client says so', async () => {
    const p = pair({ server: { maxAuthTries: 3 } });
    await p.client.ready;
    for (let i = 0; i < 2; i++) await expect(p.client.signInWithPassword(`guess${i}`)).rejects.toMatchObject({ kind: 'wrong-password' });
    await expect(p.client.authenticate({ method: 'password', password: 'guess2' })).rejects.toMatchObject({ kind: 'no-methods-left' });
    expect((await p.client.closed).kind).toBe('no-methods-left');
    expect((await p.session.ended).kind).toBe('auth-exhausted');
  });

  for (const type of ['ed25519', 'ecdsa-p256', 'rsa-3072'] as const) {
    test(`publickey with a generated ${type} key`, async () => {
      const key = await generateKey(type, 'test key');
      const p = pair();
      p.accounts.get('demo')!.authorizedKeys.push(key.publicBlob);
      await p.client.ready;
      expect(await p.client.authenticate({ method: 'publickey', key })).toEqual({ status: 'success' });
      await echoHi(p);
      p.client.close();
    });
  }

  test('a key that is not authorized is refused with its own message', async () => {
    const key = await generateKey('ed25519');
    const p = pair();
    await p.client.ready;
    await p.client.authMethods();
    await expect(p.client.authenticate({ method: 'publickey', key })).rejects.toMatchObject({
      kind: 'key-refused',
      message: 'The server does not accept this key for user "demo".',
    });
    p.client.close();
  });
});

describe('fatal paths', () => {
  test('a message before key exchange: DISCONNECT with a protocol error', async () => {
    const [clientEnd, serverEnd] = memoryPipe();
    const { demoServer } = await import('./support');
    const session = demoServer().serve(serverEnd);
    clientEnd.write(utf8('SSH-2.0-Raw\r\n'));
    clientEnd.write(framePacket(new SshWriter().byte(Msg.USERAUTH_REQUEST).string('demo').finish(), 8, false));
    const end = await session.ended;
    expect(end).toEqual({ kind: 'protocol', message: 'message 50 before the first key exchange finished' });
  });

  test('closing the server session disconnects the client with the reason', async () => {
    const p = await signedIn();
    p.session.close('The demo machine is shutting down.');
    const reason = await p.client.closed;
    expect(reason.kind).toBe('disconnected');
    expect(reason.message).toContain('The demo machine is shutting down.');
  });
});
