// SshClient.ping against a real OpenSSH sshd: one keepalive@openssh.com with want-reply, answered
// (OpenSSH says REQUEST_FAILURE), so the SSH terminal can time the round trip in its connection details.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startSshd, type Sshd } from '../../support/sshd';
import { connectClient, socketStream } from '../../support/ssh-node';

let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

test('ping resolves on the server\'s answer, once per ping, and only once signed in', async () => {
  const client = await connectClient(await socketStream(sshd.host, sshd.port), { keepaliveIntervalMs: 0 });
  expect(() => client.ping()).toThrow(/connected/);
  await client.signInWithPassword(sshd.fixture.password);
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await client.ping();
    expect(performance.now() - started).toBeLessThan(5000);
  }
  // Several at once: each is answered, in order.
  await Promise.all([client.ping(), client.ping(), client.ping()]);
  expect(client.keepalivesUnanswered).toBe(0);
  client.close();
});
