// The connection protocol against a real OpenSSH sshd: pty shell, window-change, exit status
// and signal, flow control both ways, rekeying (server-asked, by volume, by time), keepalive,
// and the failures a user can meet before signing in. The server's part runs against Debian 12's
// sshd (OpenSSH 9.2, which negotiates sntrup761x25519) and OpenSSH 10.5 (mlkem768x25519): rekeying
// makes fresh post-quantum keys each time.

import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort } from '../../support/ports';
import { sshdAvailable, startSshd, type Sshd, type SshdBuild } from '../../support/sshd';
import { collectUntilClose, connectClient, socketStream, waitForOutput, type TestConnectOptions } from '../../support/ssh-node';
import type { ByteStream } from '../../../src/ssh/core/stream';
import { connectSsh } from '../../../src/ssh/core/stream';
import { SshError } from '../../../src/ssh/core/wire/errors';

/** Terminal output as lines of plain text: escape sequences and carriage returns removed. */
function plain(text: string): string {
  // eslint-disable-next-line no-control-regex -- terminal escape sequences: ESC ] … BEL and ESC [ …
  return text.replace(/\x1b\][^\x07]*\x07/g, '').replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '').replace(/\r/g, '');
}

const SERVERS: Array<{ name: string; build: SshdBuild; kex: string }> = [
  { name: 'Debian OpenSSH 9.2', build: 'debian', kex: 'sntrup761x25519-sha512' },
  { name: 'OpenSSH 10.5', build: 'openssh-10.5', kex: 'mlkem768x25519-sha256' },
];
for (const { name, build } of SERVERS) if (!sshdAvailable(build)) console.warn(`session.test.ts: ${name} is not on this machine; its tests are skipped`);

describe.each(SERVERS.filter((s) => sshdAvailable(s.build)))('$name', ({ build, kex }) => {
  let sshd: Sshd;
  let rekeying: Sshd; // asks for a new key exchange every 256 KiB
  beforeAll(async () => {
    [sshd, rekeying] = await Promise.all([startSshd({ build }), startSshd({ build, extraConfig: ['RekeyLimit 256K'] })]);
  });
  afterAll(async () => {
    await Promise.all([sshd?.stop(), rekeying?.stop()]);
  });

  async function signedIn(opts: TestConnectOptions = {}, server = sshd) {
    const client = await connectClient(await socketStream(server.host, server.port), opts);
    await client.signInWithPassword(server.fixture.password);
    return client;
  }

  describe('pty shell', () => {
    test('runs a command, follows window-change in stty size, reports exit status', async () => {
      const client = await signedIn();
      const shell = await client.openShell({ term: 'xterm-256color', cols: 80, rows: 24 });
      shell.write('echo "TERM=$TERM"; stty size; echo "done-$((40 + 2))"\n');
      const first = await waitForOutput(shell, (t) => t.includes('done-42'));
      expect(first).toContain('TERM=xterm-256color');
      expect(plain(first)).toMatch(/^24 80$/m);

      shell.resize(132, 43);
      shell.write('stty size; echo "resized-$((1 + 1))"\n');
      expect(plain(await waitForOutput(shell, (t) => t.includes('resized-2')))).toMatch(/^43 132$/m);

      const end = collectUntilClose(shell);
      shell.write('exit 3\n');
      expect((await end).exit).toEqual({ code: 3 });
      expect(shell.state).toBe('closed');
      client.close();
    });

    test('env requests set the names sshd accepts (AcceptEnv LANG LC_*) and the others are ignored', async () => {
      const client = await signedIn();
      const shell = await client.openShell({ cols: 80, rows: 24, env: { LANG: 'C.UTF-8', LC_TIME: 'C.UTF-8', POSTERN_NOT_ACCEPTED: 'x' } });
      shell.write('echo "[$LANG|$LC_TIME|${POSTERN_NOT_ACCEPTED:-unset}]"; echo "done-$((1 + 1))"\n');
      expect(plain(await waitForOutput(shell, (t) => t.includes('done-2')))).toMatch(/^\[C\.UTF-8\|C\.UTF-8\|unset\]$/m);
      client.close();
    });

    test('exit-signal is reported with the signal name', async () => {
      const client = await signedIn();
      const result = await collectUntilClose(await client.exec('kill -TERM $$'));
      expect(result.exit).toEqual({ signal: 'TERM', coreDumped: false, message: '' });
      client.close();
    });
  });

  describe('flow control', () => {
    test('5 MB of output through a 2 MiB receive window', async () => {
      const client = await signedIn();
      const channel = await client.exec("head -c 5000000 /dev/zero | tr '\\0' x");
      let received = 0;
      let allX = true;
      channel.on('data', (bytes) => {
        received += bytes.length;
        if (allX && bytes.some((b) => b !== 0x78)) allX = false;
      });
      const result = await collectUntilClose(channel);
      expect(result.exit).toEqual({ code: 0 });
      expect(received).toBe(5_000_000);
      expect(allX).toBe(true);
      client.close();
    });

    test('3 MB of input respects the server window and arrives whole', async () => {
      const client = await signedIn();
      const channel = await client.exec('wc -c');
      const done = collectUntilClose(channel);
      const chunk = new Uint8Array(100_000).fill(0x61);
      for (let i = 0; i < 30; i++) channel.write(chunk);
      channel.eof();
      const result = await done;
      expect(result.output.trim()).toBe('3000000');
      expect(result.exit).toEqual({ code: 0 });
      client.close();
    });
  });

  describe('rekeying', () => {
    test('when the server asks (RekeyLimit 256K)', async () => {
      const client = await signedIn({}, rekeying);
      const result = await collectUntilClose(await client.exec('head -c 2000000 /dev/urandom | base64 -w0 | wc -c; head -c 1500000 /dev/zero'));
      expect(result.output.startsWith('2666668\n')).toBe(true);
      expect(result.output.length).toBe('2666668\n'.length + 1_500_000);
      expect(client.kexCount).toBeGreaterThan(3);
      expect(client.negotiated?.kex).toBe(kex); // the client's default list, post-quantum first, each time
      client.close();
    });

    test('after the byte limit, initiated by the client', async () => {
      const client = await signedIn({ rekeyBytes: 300_000 });
      const result = await collectUntilClose(await client.exec('head -c 1000000 /dev/zero'));
      const channel = await client.exec('wc -c');
      const done = collectUntilClose(channel);
      channel.write(new Uint8Array(1_000_000));
      channel.eof();
      expect(result.output.length).toBe(1_000_000);
      expect((await done).output.trim()).toBe('1000000');
      expect(client.kexCount).toBeGreaterThanOrEqual(3);
      client.close();
    });

    test('after the time limit, on tick()', async () => {
      let now = 1_000_000;
      const client = await signedIn({ now: () => now, rekeyIntervalMs: 60_000, keepaliveIntervalMs: 0 });
      expect(client.kexCount).toBe(1);
      now += 60_000;
      client.tick();
      const result = await collectUntilClose(await client.exec('echo after-rekey'));
      expect(result.output).toBe('after-rekey\n');
      expect(client.kexCount).toBe(2);
      client.close();
    });
  });

  describe('keepalive', () => {
    test('is sent after silence and answered by the server', async () => {
      let now = 0;
      const client = await signedIn({ now: () => now, keepaliveIntervalMs: 10_000 });
      now += 10_000;
      client.tick();
      expect(client.keepalivesUnanswered).toBe(1);
      // Any reply (OpenSSH answers REQUEST_FAILURE) counts as proof of life.
      await collectUntilClose(await client.exec('true'));
      expect(client.keepalivesUnanswered).toBe(0);
      client.close();
    });

    test('unanswered keepalives end the session with a timeout', async () => {
      let now = 0;
      let deaf = false;
      const real = await socketStream(sshd.host, sshd.port);
      // A stream that stops delivering server bytes, as a dead network path would.
      const stream: ByteStream = { ...real, onData: (h) => real.onData((b) => (deaf ? undefined : h(b))) };
      const client = await connectClient(stream, { now: () => now, keepaliveIntervalMs: 5_000, keepaliveMaxUnanswered: 2 });
      await client.signInWithPassword(sshd.fixture.password);
      deaf = true;
      for (let i = 0; i < 3; i++) {
        now += 5_000;
        client.tick();
      }
      const reason = await client.closed;
      expect(reason.kind).toBe('timeout');
      expect(reason.message).toBe('The server stopped answering (2 keepalives unanswered). The connection was closed.');
    });
  });

  describe('before sign-in', () => {
    test('a rejected host key stops the connection with that kind', async () => {
      const client = connectSsh(await socketStream(sshd.host, sshd.port), { username: 'postern-test' });
      const seen: string[] = [];
      client.on('hostKey', (info) => {
        seen.push(info.fingerprint);
        client.rejectHostKey('host-key-changed');
      });
      await expect(client.ready).rejects.toMatchObject({ kind: 'host-key-changed' });
      expect(seen).toEqual([sshd.hostFingerprints.ed25519]);
      const reason = await client.closed;
      expect(reason.message).toMatch(/host key has changed/);
    });
  });
});

describe('before connecting', () => {
  test('a closed port is a sentence naming the address', async () => {
    const port = await freePort();
    const error = await socketStream('127.0.0.1', port).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SshError);
    expect(error).toMatchObject({ kind: 'stream-error', message: `Connection refused by 127.0.0.1:${port}.` });
  });

  test('a port that does not speak SSH', async () => {
    const server = createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const client = connectSsh(await socketStream('127.0.0.1', port), { username: 'postern-test' });
    const reason = await client.closed;
    server.close();
    expect(reason.kind).toBe('not-ssh');
    expect(reason.message).toBe('The server did not answer like an SSH server (it sent "HTTP/1.1 400 Bad Request"). Check that the port runs SSH.');
  });
});
