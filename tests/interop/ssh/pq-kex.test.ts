// The post-quantum exchanges against the real servers that have them: both sntrup761x25519 names
// against Debian 12's OpenSSH 9.2 (Debian's has the standard name too); mlkem768x25519 and both
// sntrup761x25519 names against OpenSSH 10.5.
// Each runs with the client's default list (post-quantum first, as a browser session does) or
// with the one method under test, signs in and runs a command, and reads in the server's own
// debug log which exchange it negotiated, and whether it took the client's guessed first packet.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sshdAvailable, startSshd, type Sshd, type SshdBuild } from '../../support/sshd';
import { collectUntilClose, connectClient, socketStream } from '../../support/ssh-node';
import { POST_QUANTUM_KEX } from '../../../src/ssh/core/kex/agreement';

const CASES: Array<{ name: string; build: SshdBuild; only: string[]; byDefault: string; takesGuess: boolean }> = [
  {
    name: 'Debian OpenSSH 9.2',
    build: 'debian',
    only: ['sntrup761x25519-sha512', 'sntrup761x25519-sha512@openssh.com'],
    byDefault: 'sntrup761x25519-sha512',
    takesGuess: false, // it prefers sntrup761x25519, the client mlkem768x25519
  },
  {
    name: 'OpenSSH 10.5',
    build: 'openssh-10.5',
    only: ['mlkem768x25519-sha256', 'sntrup761x25519-sha512', 'sntrup761x25519-sha512@openssh.com'],
    byDefault: 'mlkem768x25519-sha256',
    takesGuess: true,
  },
];

for (const c of CASES) if (!sshdAvailable(c.build)) console.warn(`pq-kex.test.ts: ${c.name} is not on this machine; its tests are skipped`);

describe.each(CASES.filter((c) => sshdAvailable(c.build)))('$name', ({ build, only, byDefault, takesGuess }) => {
  let sshd: Sshd;
  beforeAll(async () => {
    // DEBUG makes sshd print "kex: algorithm: <name>" for each exchange; DEBUG2 what it did with a guess.
    sshd = await startSshd({ build, extraConfig: ['LogLevel DEBUG2'] });
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  /** Connects, signs in, runs a command; returns what the client negotiated and what the server logged for it. */
  async function session(kex?: string[]): Promise<{ negotiated: string | undefined; serverSaw: string[]; log: string }> {
    const before = sshd.log().length;
    const client = await connectClient(await socketStream(sshd.host, sshd.port), kex ? { algorithms: { kex } } : {});
    expect(await client.signInWithPassword(sshd.fixture.password)).toEqual({ status: 'success' });
    const result = await collectUntilClose(await client.exec('echo pq $((6 * 7))'));
    expect(result.output).toBe('pq 42\n');
    const negotiated = client.negotiated?.kex;
    client.close();
    await client.closed;
    const log = sshd.log().slice(before);
    const serverSaw = [...log.matchAll(/kex: algorithm: (\S+)/g)].map((m) => m[1]);
    return { negotiated, serverSaw, log };
  }

  for (const kex of only) {
    test(kex, async () => {
      const { negotiated, serverSaw } = await session([kex]);
      expect(negotiated).toBe(kex);
      expect(serverSaw).toEqual([kex]);
    });
  }

  test(`the default list negotiates ${byDefault}, post-quantum`, async () => {
    const { negotiated, serverSaw } = await session();
    expect(negotiated).toBe(byDefault);
    expect(serverSaw).toEqual([byDefault]);
    expect(POST_QUANTUM_KEX.has(byDefault)).toBe(true);
  });

  test(`the KEX_ECDH_INIT guessed behind the KEXINIT is ${takesGuess ? 'taken' : 'skipped, and the right one follows'}`, async () => {
    const { negotiated, log } = await session();
    expect(negotiated).toBe(byDefault);
    expect(log).toContain(takesGuess ? 'proposals match' : 'skipped packet (type 30)');
  });
});
