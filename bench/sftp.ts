// SFTP benchmark: the SSH library's SFTP client in Node against a real sshd (Debian's OpenSSH 9.2 with
// its sftp-server), beside the same bytes through a plain exec channel of the same SSH session
// (`cat > file` up, `cat file` down), and OpenSSH's own sftp client (batch mode) to the same server
// as the ceiling. The server allows one key exchange and one cipher, so every row uses the same.
// Figures, not tests: MB/s (10^6 bytes per second), median of the runs; the goal (issue 16) is
// SFTP at 80 % of the exec channel's rate or more.
// Run: npm run bench:sftp [-- --mb 200 --runs 5 --chunk 32768 --outstanding 64 --kex curve25519-sha256 --cipher aes128-gcm@openssh.com]
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chownSync, createReadStream, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSftp, type SftpClient } from '../src/ssh/core/sftp/index.ts';
import type { SshClient } from '../src/ssh/core/client.ts';
import type { SshChannel } from '../src/ssh/core/channel.ts';
import { startSshd } from '../tests/support/sshd.ts';
import { connectClient, socketStream } from '../tests/support/ssh-node.ts';
import { arg } from './args.ts';

const MB = Number(arg('--mb', '200'));
const BYTES = MB * 1_000_000;
const RUNS = Number(arg('--runs', '5'));
/** The library's defaults unless given (chunk from the server's limits@openssh.com, a 4 MiB window). */
const CHUNK = arg('--chunk', '') ? Number(arg('--chunk', '')) : undefined;
const OUTSTANDING = arg('--outstanding', '') ? Number(arg('--outstanding', '')) : undefined;
const KEX = arg('--kex', 'curve25519-sha256');
const CIPHER = arg('--cipher', 'aes128-gcm@openssh.com');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rate = (ms: number) => BYTES / 1e6 / (ms / 1000);

async function makeFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  const file = await open(path, 'w', 0o644);
  for (let left = BYTES; left > 0; left -= 1 << 20) {
    const block = randomBytes(Math.min(1 << 20, left));
    hash.update(block);
    await file.write(block);
  }
  await file.close();
  return hash.digest('hex');
}

/** Resolves when the channel has closed, with the bytes it delivered. */
function drainChannel(channel: SshChannel): Promise<number> {
  return new Promise((resolve, reject) => {
    let n = 0;
    channel.on('data', (b) => (n += b.length));
    channel.on('close', (e) => (e ? reject(e) : resolve(n)));
  });
}

/** Writes a file's bytes into a channel without queueing more than a few MB ahead of the window. */
async function pump(channel: SshChannel, path: string): Promise<void> {
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    channel.write(chunk as Buffer);
    while (channel.bufferedAmount > 2 << 20) await new Promise((resolve) => setImmediate(resolve));
  }
  channel.eof();
}

async function execDown(ssh: SshClient, remote: string): Promise<number> {
  const t0 = performance.now();
  const n = await drainChannel(await ssh.exec(`cat '${remote}'`));
  if (n !== BYTES) throw new Error(`cat delivered ${n} bytes, not ${BYTES}`);
  return performance.now() - t0;
}

async function execUp(ssh: SshClient, local: string, remote: string): Promise<number> {
  const t0 = performance.now();
  const channel = await ssh.exec(`cat > '${remote}'`);
  const closed = drainChannel(channel);
  await pump(channel, local);
  await closed;
  return performance.now() - t0;
}

async function sftpDown(sftp: SftpClient, remote: string): Promise<number> {
  const t0 = performance.now();
  let n = 0;
  await sftp.download(remote, (c) => void (n += c.length), { chunkSize: CHUNK, maxOutstanding: OUTSTANDING }).done;
  if (n !== BYTES) throw new Error(`SFTP delivered ${n} bytes, not ${BYTES}`);
  return performance.now() - t0;
}

async function sftpUp(sftp: SftpClient, local: string, remote: string): Promise<number> {
  const t0 = performance.now();
  await sftp.upload(remote, createReadStream(local, { highWaterMark: 256 * 1024 }), { chunkSize: CHUNK, maxOutstanding: OUTSTANDING }).done;
  return performance.now() - t0;
}

function opensshSftp(port: number, user: string, key: string, batch: string): number {
  const dir = join(tmpdir(), `postern-bench-sftp-batch-${process.pid}`);
  writeFileSync(dir, batch + '\n');
  const t0 = performance.now();
  const run = spawnSync(
    'sftp',
    ['-b', dir, '-i', key, '-P', String(port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
      '-o', `KexAlgorithms=${KEX}`, '-o', `Ciphers=${CIPHER}`, `${user}@127.0.0.1`],
    { encoding: 'utf8' },
  );
  const ms = performance.now() - t0;
  rmSync(dir, { force: true });
  if (run.status !== 0) throw new Error(`sftp exited with ${run.status}: ${run.stderr}`);
  return ms;
}

async function main(): Promise<void> {
  const sshd = await startSshd({
    extraConfig: [`KexAlgorithms ${KEX}`, `Ciphers ${CIPHER}`, 'Subsystem sftp /usr/lib/openssh/sftp-server'],
  });
  const user = sshd.fixture.user;
  const home = execFileSync('getent', ['passwd', user], { encoding: 'utf8' }).split(':')[5];
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }));
  const dir = join(home, `bench-sftp-${process.pid}`);
  mkdirSync(dir);
  chownSync(dir, uid, gid);
  const source = join(dir, 'source.bin');
  const keyFile = join(tmpdir(), `postern-bench-sftp-key-${process.pid}`);
  writeFileSync(keyFile, sshd.fixture.userKeys.ed25519, { mode: 0o600 });
  try {
    await makeFile(source);
    chownSync(source, uid, gid);
    const ssh = await connectClient(await socketStream(sshd.host, sshd.port));
    await ssh.signInWithPassword(sshd.fixture.password);
    const sftp = await openSftp(ssh);
    const n = ssh.negotiated!;
    const rows = { execDown: [] as number[], execUp: [] as number[], sftpDown: [] as number[], sftpUp: [] as number[], opensshDown: [] as number[], opensshUp: [] as number[] };
    for (let run = 0; run < RUNS; run++) {
      rows.execDown.push(await execDown(ssh, source));
      rows.sftpDown.push(await sftpDown(sftp, source));
      rows.opensshDown.push(opensshSftp(sshd.port, user, keyFile, `get ${source} /dev/null`));
      rows.execUp.push(await execUp(ssh, source, `${dir}/exec-up.bin`));
      rows.sftpUp.push(await sftpUp(sftp, source, `${dir}/sftp-up.bin`));
      rows.opensshUp.push(opensshSftp(sshd.port, user, keyFile, `put ${source} ${dir}/openssh-up.bin`));
      for (const f of ['exec-up.bin', 'sftp-up.bin', 'openssh-up.bin']) {
        if (statSync(join(dir, f)).size !== BYTES) throw new Error(`${f} is not ${BYTES} bytes`);
      }
    }
    sftp.close();
    ssh.close();
    const [l1, l5] = loadavg();
    console.log(`SFTP benchmark: ${MB} MB, median of ${RUNS} runs; ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load ${l1.toFixed(2)} / ${l5.toFixed(2)}`);
    console.log(`server: ${ssh.serverVersion}; key exchange ${n.kex}, cipher ${n.cipherC2S} / ${n.cipherS2C} (the server allows only these, for every row)`);
    const shape = (d: 'read' | 'write') => sftp.transferShape(d, { chunkSize: CHUNK, maxOutstanding: OUTSTANDING });
    console.log(
      `library SFTP: reads of ${shape('read').chunkSize} bytes, ${shape('read').maxOutstanding} outstanding; writes of ${shape('write').chunkSize} bytes, ` +
        `${shape('write').maxOutstanding} outstanding. OpenSSH sftp: its defaults (32 KiB, 64 outstanding)`,
    );
    console.log('');
    console.log('                         download MB/s   upload MB/s');
    const line = (label: string, down: number[], up: number[]) =>
      console.log(`${label.padEnd(25)}${rate(median(down)).toFixed(1).padStart(13)}${rate(median(up)).toFixed(1).padStart(14)}`);
    line('library, exec channel', rows.execDown, rows.execUp);
    line('library, SFTP', rows.sftpDown, rows.sftpUp);
    line('OpenSSH sftp (ceiling)', rows.opensshDown, rows.opensshUp);
    const down = (rate(median(rows.sftpDown)) / rate(median(rows.execDown))) * 100;
    const up = (rate(median(rows.sftpUp)) / rate(median(rows.execUp))) * 100;
    console.log('');
    console.log(`SFTP / exec channel: download ${down.toFixed(0)} %, upload ${up.toFixed(0)} % (goal: 80 % or more)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(keyFile, { force: true });
    await sshd.stop();
  }
}

await main();
