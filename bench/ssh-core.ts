// The SSH core alone, in Node, against the same real sshd as bench:ssh: no browser, no relay. Says what the
// packet pump costs per MB of shell output in JavaScript (Node's WebCrypto differs from Chromium's, so
// decryption's share differs), how large the server's packets are, and how that compares with OpenSSH's
// client reading the same output. A quick loop for changes to src/ssh/core before the whole bench:ssh.
// Run: node --import tsx bench/ssh-core.ts [--mb 100] [--runs 3] [--cipher aes128-gcm@openssh.com]
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectClient, socketStream } from '../tests/support/ssh-node.ts';
import { startSshd } from '../tests/support/sshd.ts';
import { signIn } from '../src/ssh/core/sign-in.ts';
import { parsePrivateKey } from '../src/ssh/keys/index.ts';
import { arg } from './args.ts';

const MB = Number(arg('--mb', '100'));
const RUNS = Number(arg('--runs', '3'));
const CIPHER = arg('--cipher', '');
const BYTES = MB * 1_000_000;
const TEXT_FILE = join(tmpdir(), `postern-bench-core-${process.pid}`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const block = Buffer.alloc(1 << 20, 'a');
  const fd = openSync(TEXT_FILE, 'w', 0o644);
  for (let left = BYTES; left > 0; left -= block.length) writeSync(fd, block, 0, Math.min(left, block.length));
  closeSync(fd);
  const sshd = await startSshd();
  const keyDir = mkdtempSync(join(tmpdir(), 'postern-bench-core-'));
  const keyFile = join(keyDir, 'id_ed25519');
  writeFileSync(keyFile, sshd.fixture.userKeys.ed25519, { mode: 0o600 });
  const key = await parsePrivateKey(sshd.fixture.userKeys.ed25519);
  try {
    const ours: Array<{ rate: number; cpu: number; packets: number }> = [];
    const theirs: number[] = [];
    let negotiated = '';
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const r = spawnSync('ssh', ['-tt', '-i', keyFile, '-p', String(sshd.port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
        '-o', 'LogLevel=ERROR', '-o', 'BatchMode=yes', ...(CIPHER ? ['-c', CIPHER] : []), `postern-test@127.0.0.1`, `head -c ${BYTES} ${TEXT_FILE}`], { stdio: 'ignore' });
      if (r.status !== 0) throw new Error(`ssh exited with ${r.status}`);
      theirs.push(BYTES / 1e6 / ((performance.now() - t0) / 1000));

      const client = await connectClient(await socketStream('127.0.0.1', sshd.port), { username: sshd.fixture.user, ...(CIPHER ? { algorithms: { cipher: [CIPHER] } } : {}) });
      await signIn(client, { key });
      negotiated = `${client.negotiated?.kex}, ${client.negotiated?.cipherS2C}`;
      const channel = await client.openShell({ term: 'xterm-256color', cols: 120, rows: 40 }, 'manual');
      let got = 0;
      let packets = 0;
      let tail = '';
      const cpu0 = process.cpuUsage();
      const start = performance.now();
      await new Promise<void>((resolve) => {
        channel.on('data', (bytes) => {
          got += bytes.length;
          packets++;
          channel.consume(bytes.length); // as the page acknowledges what the terminal has taken
          tail = (tail + new TextDecoder().decode(bytes.subarray(Math.max(0, bytes.length - 512)))).slice(-1024);
          if (got > BYTES && tail.includes('END-42')) resolve();
        });
        channel.write(new TextEncoder().encode(`head -c ${BYTES} ${TEXT_FILE}; echo; echo END-$((6*7))\r`));
      });
      const seconds = (performance.now() - start) / 1000;
      const used = process.cpuUsage(cpu0);
      ours.push({ rate: BYTES / 1e6 / seconds, cpu: (used.user + used.system) / 1000 / MB, packets });
      client.close();
    }
    const best = ours.sort((a, b) => a.rate - b.rate)[Math.floor(RUNS / 2)];
    console.log(`SSH core in Node (${process.version}) against Debian's sshd, ${MB} MB of shell output, median of ${RUNS}; negotiated ${negotiated}`);
    console.log(`  core: ${best.rate.toFixed(1)} MB/s, ${best.cpu.toFixed(1)} CPU ms per MB (Node process, all threads), ${best.packets} data packets (${(BYTES / best.packets / 1024).toFixed(1)} KB each)`);
    console.log(`  OpenSSH ssh -tt into /dev/null: ${median(theirs).toFixed(1)} MB/s`);
    console.log(`  runs (MB/s, CPU ms/MB): ${ours.map((o) => `${o.rate.toFixed(1)}/${o.cpu.toFixed(1)}`).join(' ')}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    await sshd.stop();
    rmSync(keyDir, { recursive: true, force: true });
    rmSync(TEXT_FILE, { force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
