// Authentication against a real OpenSSH sshd (with PAM): password, keyboard-interactive,
// public keys of every type, wrong password, refused key, partial success, too many failures.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSshd, USER_KEY_TYPES, type Sshd } from '../../support/sshd';
import { collectUntilClose, connectClient, socketStream } from '../../support/ssh-node';
import { parsePrivateKey } from '../../../src/ssh/keys';
import type { PrivateKey } from '../../../src/ssh/keys/types';
import { SshError } from '../../../src/ssh/core/wire/errors';
import type { PromptRequest } from '../../../src/ssh/core/auth';
import { signIn } from '../../../src/ssh/core/sign-in';

let sshd: Sshd;
let twoFactor: Sshd; // requires publickey AND password
let scratch: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'postern-auth-'));
  writeFileSync(join(scratch, 'banner'), 'Authorised use only.\n');
  [sshd, twoFactor] = await Promise.all([
    startSshd(),
    startSshd({ extraConfig: ['AuthenticationMethods publickey,password', 'MaxAuthTries 3', `Banner ${join(scratch, 'banner')}`] }),
  ]);
});
afterAll(async () => {
  await Promise.all([sshd?.stop(), twoFactor?.stop()]);
  rmSync(scratch, { recursive: true, force: true });
});

const connect = async (server = sshd) => connectClient(await socketStream(server.host, server.port));

async function whoami(client: Awaited<ReturnType<typeof connect>>): Promise<string> {
  const result = await collectUntilClose(await client.exec('id -un'));
  return result.output.trim();
}

/** Records which signature algorithm the client asked the key for. */
function recording(key: PrivateKey, only?: string[]): PrivateKey & { used: string[] } {
  const used: string[] = [];
  return {
    ...key,
    signatureAlgorithms: only ?? key.signatureAlgorithms,
    used,
    sign: (alg: string, data: Uint8Array) => {
      used.push(alg);
      return key.sign(alg, data);
    },
  };
}

function freshKey(type: string): string {
  const path = join(scratch, `unknown_${type}_${Math.random().toString(36).slice(2)}`);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', path]);
  return readFileSync(path, 'utf8');
}

test('password', async () => {
  const client = await connect();
  expect(await client.authMethods()).toEqual(expect.arrayContaining(['publickey', 'password', 'keyboard-interactive']));
  expect(await client.authenticate({ method: 'password', password: sshd.fixture.password })).toEqual({ status: 'success' });
  expect(client.state.name).toBe('connected');
  expect(await whoami(client)).toBe('postern-test');
  client.close();
});

test('wrong password: its own error kind and sentence, and the next try still works', async () => {
  const client = await connect();
  const error = await client.authenticate({ method: 'password', password: 'not-the-password' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SshError);
  expect((error as SshError).kind).toBe('wrong-password');
  expect((error as SshError).message).toBe('Wrong user name or password.');
  expect(client.state.name).toBe('authenticating');
  expect(await client.authenticate({ method: 'password', password: sshd.fixture.password })).toEqual({ status: 'success' });
  client.close();
});

test('keyboard-interactive: PAM prompts surface as an event and the answers sign in', async () => {
  const client = await connect();
  const prompts: PromptRequest[] = [];
  client.on('prompt', (request) => {
    prompts.push(request);
    client.answerPrompts(request.prompts.map(() => sshd.fixture.password));
  });
  expect(await client.authenticate({ method: 'keyboard-interactive' })).toEqual({ status: 'success' });
  expect(prompts).toHaveLength(1);
  expect(prompts[0].prompts).toEqual([{ text: expect.stringMatching(/password/i), echo: false }]);
  expect(await whoami(client)).toBe('postern-test');
  client.close();
});

test('keyboard-interactive with a wrong answer is a wrong password', async () => {
  const client = await connect();
  client.on('prompt', (request) => client.answerPrompts(request.prompts.map(() => 'wrong')));
  const error = (await client.authenticate({ method: 'keyboard-interactive' }).catch((e: unknown) => e)) as SshError;
  expect(error.kind).toBe('wrong-password');
  client.close();
});

describe('public key', () => {
  for (const type of USER_KEY_TYPES) {
    test(type, async () => {
      const key = recording(await parsePrivateKey(sshd.fixture.userKeys[type]));
      const client = await connect();
      expect(await client.authenticate({ method: 'publickey', key })).toEqual({ status: 'success' });
      // RSA signs with SHA-512 when the server's server-sig-algs allows it, never ssh-rsa (SHA-1).
      expect(key.used).toEqual([type === 'rsa' ? 'rsa-sha2-512' : key.type]);
      expect(await whoami(client)).toBe('postern-test');
      client.close();
    });
  }

  // The sign-in policy with a key alone signs at once, with no query first (tests/unit/ssh-core/sign-in.test.ts):
  // sshd takes that for every key type, RSA with the SHA-2 signature its server-sig-algs asks for.
  for (const type of USER_KEY_TYPES) {
    test(`${type}, signed at once by the sign-in policy`, async () => {
      const key = recording(await parsePrivateKey(sshd.fixture.userKeys[type]));
      const client = await connect();
      await signIn(client, { key });
      expect(client.state.name).toBe('connected');
      expect(key.used).toEqual([type === 'rsa' ? 'rsa-sha2-512' : key.type]);
      expect(await whoami(client)).toBe('postern-test');
      client.close();
    });
  }

  test('a key sshd does not know, signed at once: refused in words', async () => {
    const client = await connect();
    const error = (await signIn(client, { key: await parsePrivateKey(freshKey('ed25519')) }).catch((e: unknown) => e)) as SshError;
    expect(error.kind).toBe('key-refused');
    expect(error.message).toContain('does not accept this key for user "postern-test"');
    client.close();
  });

  test('RSA with rsa-sha2-256 only', async () => {
    const key = recording(await parsePrivateKey(sshd.fixture.userKeys.rsa), ['rsa-sha2-256']);
    const client = await connect();
    expect(await client.authenticate({ method: 'publickey', key })).toEqual({ status: 'success' });
    expect(key.used).toEqual(['rsa-sha2-256']);
    client.close();
  });

  test('RSA in the PEM form (BEGIN RSA PRIVATE KEY)', async () => {
    const path = join(scratch, 'rsa_pem');
    writeFileSync(path, sshd.fixture.userKeys.rsa, { mode: 0o600 });
    execFileSync('ssh-keygen', ['-q', '-p', '-m', 'PEM', '-N', '', '-f', path]);
    const pem = readFileSync(path, 'utf8');
    expect(pem).toContain('-----BEGIN RSA PRIVATE KEY-----');
    const client = await connect();
    expect(await client.authenticate({ method: 'publickey', key: await parsePrivateKey(pem) })).toEqual({ status: 'success' });
    client.close();
  });

  test('a key that is not authorized is refused with its own kind', async () => {
    const client = await connect();
    const error = (await client.authenticate({ method: 'publickey', key: await parsePrivateKey(freshKey('ed25519')) }).catch((e: unknown) => e)) as SshError;
    expect(error.kind).toBe('key-refused');
    expect(error.message).toBe('The server does not accept this key for user "postern-test".');
    // The session is still usable for another method.
    expect(await client.authenticate({ method: 'password', password: sshd.fixture.password })).toEqual({ status: 'success' });
    client.close();
  });
});

test('partial success: publickey then password (and the banner is shown first)', async () => {
  const client = await connect(twoFactor);
  const banners: string[] = [];
  client.on('banner', (text) => banners.push(text));
  expect(await client.authMethods()).toEqual(['publickey']);
  expect(banners).toEqual(['Authorised use only.\n']);
  const denied = (await client.authenticate({ method: 'password', password: 'x' }).catch((e: unknown) => e)) as SshError;
  expect(denied.kind).toBe('method-not-allowed');
  expect(denied.message).toBe('The server does not accept password sign-in. It accepts: key.');
  const key = await parsePrivateKey(twoFactor.fixture.userKeys.ed25519);
  expect(await client.authenticate({ method: 'publickey', key })).toEqual({ status: 'partial', methods: ['password'] });
  expect(client.state.name).toBe('authenticating');
  expect(await client.authenticate({ method: 'password', password: twoFactor.fixture.password })).toEqual({ status: 'success' });
  expect(await whoami(client)).toBe('postern-test');
  client.close();
});

test('the sign-in policy follows partial success: the key, then the password it asks for', async () => {
  const client = await connect(twoFactor);
  const key = await parsePrivateKey(twoFactor.fixture.userKeys.ed25519);
  const asked: PromptRequest[] = [];
  await signIn(client, {
    key,
    ask: async (request) => {
      asked.push(request);
      return [twoFactor.fixture.password];
    },
  });
  expect(asked.map((r) => r.prompts)).toEqual([[{ text: 'Password:', echo: false }]]);
  expect(client.state.name).toBe('connected');
  expect(await whoami(client)).toBe('postern-test');
  client.close();
});

test('too many failures: the server disconnects and the reason is a sentence', async () => {
  const client = await connect(twoFactor);
  let last: SshError | undefined;
  for (let i = 0; i < 4 && client.state.name !== 'closed'; i++) {
    last = (await client.authenticate({ method: 'publickey', key: await parsePrivateKey(freshKey('ed25519')) }).catch((e: unknown) => e)) as SshError;
  }
  const reason = await client.closed;
  expect(reason.kind).toBe('no-methods-left');
  expect(reason.message).toMatch(/^The server allows no more sign-in attempts \(too many failures\)\./);
  expect(last?.kind).toBe('no-methods-left');
  expect(client.state).toEqual({ name: 'closed', error: reason });
});
