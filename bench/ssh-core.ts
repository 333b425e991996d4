// The SSH core alone, in Node, against the same real sshd as bench:ssh: no browser, no relay. Says what the
// packet pump costs per MB of shell output in JavaScript (Node's WebCrypto differs from Chromium's, so
// decryption's share differs), how large the server's packets are, and how that compares with OpenSSH's
// client reading the same output. A quick loop for changes to src/ssh/core before the whole bench:ssh.
// With --relay the core connects through the proxy's /ws/relay (a link to the sshd), as the browser does, and
// the WebSocket messages the relay sent are counted and sized.
// Run: node --import tsx bench/ssh-core.ts [--mb 100] [--runs 3] [--cipher aes128-gcm@openssh.com] [--relay]
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectClient, socketStream } from '../tests/support/ssh-node.ts';
import { startSshd } from '../tests/support/sshd.ts';
import { signIn } from '../src/ssh/core/sign-in.ts';
import { parsePrivateKey } from '../src/ssh/keys/index.ts';
import WebSocket from 'ws';
import { signIn as ownerSignIn, startProxy, type ProxyProcess } from '../tests/support/proxy.ts';
import { webSocketStream, type ByteStream } from '../src/ssh/core/stream.ts';
import { arg, args } from './args.ts';

const MB = Number(arg('--mb', '100'));
const RUNS = Number(arg('--runs', '3'));
const CIPHER = arg('--cipher', '');
const RELAY = args.includes('--relay');

/** WebSocket messages received through the relay in the current run: count and bytes. */
const messages = { count: 0, bytes: 0 };

/** A link to the sshd on a fresh proxy, and a function that opens a relayed stream through it. */
async function relayTo(sshdPort: number, hostFingerprint: string): Promise<{ proxy: ProxyProcess; open: () => Promise<ByteStream> }> {
  const proxy = await startProxy({});
  const owner = await ownerSignIn(proxy.url, proxy.ownerSigninUrl);
  await owner.call('PUT', '/api/settings', { shareableLinks: true });
  const res = (await owner.call('POST', '/api/resources', { name: 'bench', address: '127.0.0.1', ports: { ssh: [sshdPort] }, sshHostKeyFingerprint: hostFingerprint })).body;
  const token = (await owner.call('POST', '/api/links', { resourceIds: [res.id] })).body[0].token;
  const url = `${proxy.url.replace(/^http/, 'ws')}/ws/relay?protocol=ssh&port=${sshdPort}`;
  return {
    proxy,
    open: async () => {
      const ws = new WebSocket(url, ['binary', `postern.link.${token}`], { headers: { origin: proxy.url }, perMessageDeflate: false });
      ws.on('message', (data: ArrayBuffer) => {
        messages.count++;
        messages.bytes += data.byteLength;
      });
      return webSocketStream(ws as never);
    },
  };
}
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
  const relay = RELAY ? await relayTo(sshd.port, sshd.hostFingerprints.ed25519) : undefined;
  try {
    const ours: Array<{ rate: number; cpu: number; packets: number; count: number; bytes: number }> = [];
    const theirs: number[] = [];
    let negotiated = '';
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const r = spawnSync('ssh', ['-tt', '-i', keyFile, '-p', String(sshd.port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
        '-o', 'LogLevel=ERROR', '-o', 'BatchMode=yes', ...(CIPHER ? ['-c', CIPHER] : []), `postern-test@127.0.0.1`, `head -c ${BYTES} ${TEXT_FILE}`], { stdio: 'ignore' });
      if (r.status !== 0) throw new Error(`ssh exited with ${r.status}`);
      theirs.push(BYTES / 1e6 / ((performance.now() - t0) / 1000));

      const stream = relay ? await relay.open() : await socketStream('127.0.0.1', sshd.port);
      const client = await connectClient(stream, { username: sshd.fixture.user, ...(CIPHER ? { algorithms: { cipher: [CIPHER] } } : {}) });
      await signIn(client, { key });
      negotiated = `${client.negotiated?.kex}, ${client.negotiated?.cipherS2C}`;
      const channel = await client.openShell({ term: 'xterm-256color', cols: 120, rows: 40 }, 'manual');
      let got = 0;
      let packets = 0;
      let tail = '';
      Object.assign(messages, { count: 0, bytes: 0 });
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
      ours.push({ rate: BYTES / 1e6 / seconds, cpu: (used.user + used.system) / 1000 / MB, packets, ...messages });
      client.close();
    }
    const best = ours.sort((a, b) => a.rate - b.rate)[Math.floor(RUNS / 2)];
    console.log(`SSH core in Node (${process.version}) against Debian's sshd${relay ? ' through the relay' : ''}, ${MB} MB of shell output, median of ${RUNS}; negotiated ${negotiated}`);
    console.log(`  core: ${best.rate.toFixed(1)} MB/s, ${best.cpu.toFixed(1)} CPU ms per MB (Node process, all threads), ${best.packets} data packets (${(BYTES / best.packets / 1024).toFixed(1)} KB each)`);
    if (relay) console.log(`  through the relay: ${best.count} WebSocket messages, ${(best.bytes / best.count / 1024).toFixed(1)} KB each`);
    console.log(`  OpenSSH ssh -tt into /dev/null: ${median(theirs).toFixed(1)} MB/s`);
    console.log(`  runs (MB/s, CPU ms/MB): ${ours.map((o) => `${o.rate.toFixed(1)}/${o.cpu.toFixed(1)}`).join(' ')}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    await relay?.proxy.stop();
    await sshd.stop();
    rmSync(keyDir, { recursive: true, force: true });
    rmSync(TEXT_FILE, { force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
