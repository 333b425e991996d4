// One connection per key exchange, cipher and MAC the library offers, and per host-key algorithm,
// against a real OpenSSH sshd: each restricts the client to that one algorithm, checks what was
// negotiated, signs in and runs a command so data flows both ways under the new keys. The whole
// matrix runs against Debian 12's sshd (OpenSSH 9.2) and against OpenSSH 10.5p1; a key exchange
// one of them lacks (mlkem768x25519 before 9.9) is left out for that server only.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sshdAvailable, sshdKex, startSshd, type KeyName, type Sshd, type SshdBuild } from '../../support/sshd';
import { collectUntilClose, connectClient, socketStream } from '../../support/ssh-node';
import { CIPHER_NAMES, MAC_NAMES } from '../../../src/ssh/core/cipher/suite';
import { KEX_NAMES } from '../../../src/ssh/core/kex/agreement';
import type { AlgorithmPreferences } from '../../../src/ssh/core/kex/kexinit';
import type { SshClient } from '../../../src/ssh/core/client';

const SERVERS: Array<{ name: string; build: SshdBuild }> = [
  { name: 'Debian OpenSSH 9.2', build: 'debian' },
  { name: 'OpenSSH 10.5', build: 'openssh-10.5' },
];

for (const { name, build } of SERVERS) {
  if (!sshdAvailable(build)) console.warn(`algorithms.test.ts: ${name} is not on this machine; its matrix is skipped`);
}

describe.each(SERVERS.filter((s) => sshdAvailable(s.build)))('$name', ({ build }) => {
  // Each test is an independent connection, so blocks run concurrently (sshd has MaxStartups 100).
  let sshd: Sshd;
  beforeAll(async () => {
    // OpenSSH 10 no longer enables finite-field Diffie-Hellman on the server by default; this matrix tests that the client runs it.
    const extraConfig = build === 'openssh-10.5' ? ['KexAlgorithms +diffie-hellman-group14-sha256,diffie-hellman-group16-sha512'] : [];
    sshd = await startSshd({ build, extraConfig });
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  async function roundTrip(algorithms: Partial<AlgorithmPreferences>): Promise<SshClient> {
    const client = await connectClient(await socketStream(sshd.host, sshd.port), { algorithms });
    expect(client.strictKex).toBe(true);
    expect(await client.signInWithPassword(sshd.fixture.password)).toEqual({ status: 'success' });
    const channel = await client.exec('echo "round trip $((6 * 7))"');
    const result = await collectUntilClose(channel);
    expect(result.output).toBe('round trip 42\n');
    expect(result.exit).toEqual({ code: 0 });
    client.close();
    return client;
  }

  describe.concurrent('key exchange', () => {
    const offered = sshdKex(build);
    test('the server offers every key exchange of ours, but for mlkem768x25519 before OpenSSH 9.9', () => {
      const missing = KEX_NAMES.filter((k) => !offered.includes(k));
      expect(missing).toEqual(build === 'debian' ? ['mlkem768x25519-sha256'] : []);
    });
    for (const kex of KEX_NAMES.filter((k) => offered.includes(k))) {
      test(kex, async () => {
        const client = await roundTrip({ kex: [kex] });
        expect(client.negotiated?.kex).toBe(kex);
      });
    }
  });

  describe.concurrent('cipher', () => {
    for (const cipher of CIPHER_NAMES) {
      test(cipher, async () => {
        const client = await roundTrip({ cipher: [cipher] });
        expect(client.negotiated?.cipherC2S).toBe(cipher);
        expect(client.negotiated?.cipherS2C).toBe(cipher);
      });
    }
  });

  describe.concurrent('MAC (with aes128-ctr)', () => {
    for (const mac of MAC_NAMES) {
      test(mac, async () => {
        const client = await roundTrip({ cipher: ['aes128-ctr'], mac: [mac] });
        expect(client.negotiated?.macC2S).toBe(mac);
        expect(client.negotiated?.macS2C).toBe(mac);
      });
    }
  });

  describe.concurrent('host key', () => {
    const cases: Array<[string, KeyName, string]> = [
      ['ssh-ed25519', 'ed25519', 'ssh-ed25519'],
      ['ecdsa-sha2-nistp256', 'ecdsa256', 'ecdsa-sha2-nistp256'],
      ['ecdsa-sha2-nistp384', 'ecdsa384', 'ecdsa-sha2-nistp384'],
      ['ecdsa-sha2-nistp521', 'ecdsa521', 'ecdsa-sha2-nistp521'],
      ['rsa-sha2-512', 'rsa', 'ssh-rsa'],
      ['rsa-sha2-256', 'rsa', 'ssh-rsa'],
    ];
    for (const [algorithm, file, keyType] of cases) {
      test(algorithm, async () => {
        const client = await roundTrip({ hostKey: [algorithm] });
        expect(client.negotiated?.hostKey).toBe(algorithm);
        expect(client.hostKey?.keyType).toBe(keyType);
        // The fingerprint matches what ssh-keygen -lf prints for the server's key file.
        expect(client.hostKey?.fingerprint).toBe(sshd.hostFingerprints[file]);
      });
    }
  });
});
