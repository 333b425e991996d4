// The sign-in policy with a key alone, against the library's own server role: the key is signed and sent
// at once (one request, no "none" and no query first), a server that takes no keys is answered by the
// rest of the policy (here: it asks for a password), and a key the server does not know is refused in
// words. The interop suite signs in the same way against OpenSSH's sshd.

import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, test } from 'vitest';
import { connectSsh, memoryPipe } from '../../../src/ssh/core/stream';
import { signIn } from '../../../src/ssh/core/sign-in';
import { SshError } from '../../../src/ssh/core/wire/errors';
import { generateKey } from '../../../src/ssh/keys/index';
import { ed25519FromSeed } from '../../../src/ssh/keys/material';
import { createPrivateKey } from '../../../src/ssh/keys/private-key';
import type { PrivateKey } from '../../../src/ssh/keys/types';
import { SshServer, type SignInAttempt } from '../../../src/ssh/server/index';

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** A client and a server role over a memory pipe; the server takes `accepted` (a key, or the password "pw") among `methods`. */
async function stage(methods: string[], accepted: PrivateKey | undefined) {
  const [clientEnd, serverEnd] = memoryPipe();
  const attempts: SignInAttempt[] = [];
  const server = new SshServer({
    hostKey: createPrivateKey(ed25519FromSeed(ed25519.utils.randomSecretKey()), 'host'),
    algorithms: { kex: ['curve25519-sha256'], cipher: ['aes128-gcm@openssh.com'], mac: ['hmac-sha2-256-etm@openssh.com'] },
    userSignatureAlgorithms: ['ssh-ed25519'],
    authMethods: methods,
    authenticate: (attempt) => {
      attempts.push(attempt);
      if (attempt.method === 'password') return attempt.password === 'pw';
      return !!accepted && same(attempt.publicKey, accepted.publicBlob);
    },
    startProgram: (io) => {
      io.exit(0);
      return { input: () => undefined, resize: () => undefined, endOfInput: () => undefined, hangup: () => undefined };
    },
  });
  const session = server.session((bytes) => serverEnd.write(bytes));
  serverEnd.onData((bytes) => session.receive(bytes));
  serverEnd.onClose((error) => session.streamClosed(error?.message));
  session.start();
  const client = connectSsh(clientEnd, { username: 'alice', keepaliveIntervalMs: 0 });
  client.on('hostKey', () => client.acceptHostKey());
  await client.ready;
  return { client, attempts };
}

describe('signing in with a key alone', () => {
  test('the signed request is the only one: no "none" request, no query first', async () => {
    const key = await generateKey('ed25519');
    const { client, attempts } = await stage(['publickey', 'password'], key);
    await signIn(client, { key });
    expect(client.state.name).toBe('connected');
    // The server's policy sees every publickey request, a query too: one call is one request.
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ method: 'publickey', user: 'alice', algorithm: 'ssh-ed25519' });
    client.close();
  });

  test('a key the server does not know is refused in words, after that one request', async () => {
    const { client, attempts } = await stage(['publickey', 'password'], await generateKey('ed25519'));
    const error = await signIn(client, { key: await generateKey('ed25519') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SshError);
    expect(error).toMatchObject({ kind: 'key-refused', message: expect.stringContaining('does not accept this key for user "alice"') });
    expect(attempts).toHaveLength(1);
    client.close();
  });

  test('a server that takes passwords only: the policy goes on from its answer and asks for the password', async () => {
    const { client, attempts } = await stage(['password'], undefined);
    const asked: string[] = [];
    await signIn(client, {
      key: await generateKey('ed25519'),
      ask: async (request) => {
        asked.push(request.prompts[0]?.text ?? '');
        return ['pw'];
      },
    });
    expect(client.state.name).toBe('connected');
    expect(asked).toEqual(['Password:']);
    // The key was not offered to the policy (publickey is not offered), the password was.
    expect(attempts.map((a) => a.method)).toEqual(['password']);
    client.close();
  });
});
