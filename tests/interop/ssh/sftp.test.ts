// SFTP through the library's SSH client against real OpenSSH: Debian 12's sshd 9.2 with its
// sftp-server, and OpenSSH 10.5 with its own (skipped, saying so, when that build is absent). The
// "sftp" subsystem runs on a second session channel of a connection that also runs a command.
// Files are made at test time in a folder the test user owns; checksums (SHA-256) are compared
// for empty, 1 MB and 100 MB files both ways, streamed, never held whole in memory.

import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, createReadStream, existsSync, lchownSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openSftp, type SftpClient } from '../../../src/ssh/core/sftp/index';
import type { SshClient } from '../../../src/ssh/core/client';
import { sshdAvailable, startSshd, type Sshd, type SshdBuild } from '../../support/sshd';
import { collectUntilClose, connectClient, socketStream } from '../../support/ssh-node';

const BUILDS: Array<{ name: string; build: SshdBuild; extraConfig: string[] }> = [
  // Debian's sshd_config names the subsystem; the test sshd's config is its own, so it says it here.
  { name: 'Debian OpenSSH 9.2', build: 'debian', extraConfig: ['Subsystem sftp /usr/lib/openssh/sftp-server'] },
  { name: 'OpenSSH 10.5', build: 'openssh-10.5', extraConfig: [] },
];
for (const b of BUILDS) if (!sshdAvailable(b.build)) console.warn(`sftp.test.ts: ${b.name} is not on this machine; its tests are skipped`);

const MB = 1_000_000;

/** Writes `size` random bytes to `path` in 1 MB blocks; returns their SHA-256. */
async function makeFile(path: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const file = await open(path, 'w', 0o644);
  for (let left = size; left > 0; left -= MB) {
    const block = randomBytes(Math.min(MB, left));
    hash.update(block);
    await file.write(block);
  }
  await file.close();
  return hash.digest('hex');
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

describe.each(BUILDS.filter((b) => sshdAvailable(b.build)))('$name', ({ build, extraConfig }) => {
  let sshd: Sshd;
  let ssh: SshClient;
  let sftp: SftpClient;
  let dir: string;
  let uid: number;
  let gid: number;

  beforeAll(async () => {
    sshd = await startSshd({ build, extraConfig });
    const user = sshd.fixture.user;
    const home = execFileSync('getent', ['passwd', user], { encoding: 'utf8' }).split(':')[5];
    uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }));
    gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }));
    dir = join(home, `sftp-${build}-${process.pid}`);
    mkdirSync(dir);
    chownSync(dir, uid, gid);
    ssh = await connectClient(await socketStream(sshd.host, sshd.port));
    await ssh.signInWithPassword(sshd.fixture.password);
    sftp = await openSftp(ssh);
  }, 120_000);
  afterAll(async () => {
    sftp?.close();
    ssh?.close();
    await sshd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A file the test user owns, made here as root. */
  async function userFile(name: string, size: number): Promise<string> {
    const path = join(dir, name);
    const sum = await makeFile(path, size);
    chownSync(path, uid, gid);
    return sum;
  }

  test('the subsystem runs beside a command on the same connection', async () => {
    const result = await collectUntilClose(await ssh.exec('echo beside $((6 * 7))'));
    expect(result.output).toBe('beside 42\n');
    expect(await sftp.realpath(dir)).toBe(dir);
    expect(sftp.extensions.has('posix-rename@openssh.com')).toBe(true);
  });

  for (const [label, size] of [
    ['empty', 0],
    ['1 MB', MB],
    ['100 MB', 100 * MB],
  ] as const) {
    test(`download, ${label}: the SHA-256 matches`, { timeout: 180_000 }, async () => {
      const name = `down ${label}.bin`;
      const sum = await userFile(name, size);
      const hash = createHash('sha256');
      let peak = 0;
      const got = await sftp.download(`${dir}/${name}`, (chunk) => {
        hash.update(chunk);
        peak = Math.max(peak, chunk.length);
      }).done;
      expect(got).toBe(size);
      expect(hash.digest('hex')).toBe(sum);
      expect(peak).toBeLessThanOrEqual(256 * 1024);
    });

    test(`upload, ${label}: the SHA-256 matches`, { timeout: 180_000 }, async () => {
      const source = join(dir, `source ${label}.bin`);
      const sum = await makeFile(source, size);
      const target = `${dir}/up ${label}.bin`;
      const sent = await sftp.upload(target, createReadStream(source, { highWaterMark: 256 * 1024 }), { size }).done;
      expect(sent).toBe(size);
      expect(statSync(target).uid).toBe(uid); // written by the user over SFTP, not by this test
      expect(await sha256File(target)).toBe(sum);
    });
  }

  test('names with spaces and UTF-8, listing, mkdir, rename, remove', async () => {
    const folder = `${dir}/dossier à l’été 日本`;
    await sftp.mkdir(folder);
    expect(statSync(folder).isDirectory()).toBe(true);
    await expect(sftp.mkdir(folder)).rejects.toMatchObject({ kind: 'file-exists' });
    await userFile('dossier à l’été 日本/first file.txt', 10);
    writeFileSync(`${folder}/second.txt`, 'two');
    chownSync(`${folder}/second.txt`, uid, gid);
    const names = (await sftp.list(folder)).map((n) => n.filename).sort();
    expect(names).toEqual(['first file.txt', 'second.txt']);
    const attrs = (await sftp.list(folder)).find((n) => n.filename === 'second.txt')!.attrs;
    expect(attrs.size).toBe(3);
    expect(attrs.uid).toBe(uid);

    await expect(sftp.rename(`${folder}/second.txt`, `${folder}/first file.txt`)).rejects.toMatchObject({ kind: 'file-exists' });
    await sftp.rename(`${folder}/second.txt`, `${folder}/ünïcödé name.txt`);
    expect(readFileSync(`${folder}/ünïcödé name.txt`, 'utf8')).toBe('two');
    await sftp.rename(`${folder}/ünïcödé name.txt`, `${folder}/first file.txt`, { overwrite: true });
    expect(readFileSync(`${folder}/first file.txt`, 'utf8')).toBe('two');

    await expect(sftp.rmdir(folder)).rejects.toMatchObject({ kind: 'failure' });
    await sftp.remove(`${folder}/first file.txt`);
    await sftp.rmdir(folder);
    expect(existsSync(folder)).toBe(false);
    await expect(sftp.remove(`${folder}/gone`)).rejects.toMatchObject({ kind: 'no-such-file' });
  });

  test('permission denied, as a sentence: a file of mode 000, a folder the user cannot write', async () => {
    await userFile('locked.bin', 100);
    chmodSync(join(dir, 'locked.bin'), 0o000);
    await expect(sftp.download(`${dir}/locked.bin`, () => undefined).done).rejects.toMatchObject({
      kind: 'permission-denied',
      message: `Could not open “${dir}/locked.bin”: permission denied.`,
    });
    const rootOwned = join(dir, 'read-only folder');
    mkdirSync(rootOwned, { mode: 0o755 }); // owned by root: the test user may look, not write
    async function* bytes() {
      yield new Uint8Array(10);
    }
    await expect(sftp.upload(`${rootOwned}/new.txt`, bytes()).done).rejects.toMatchObject({
      kind: 'permission-denied',
      message: `Could not write to “${rootOwned}/new.txt”: permission denied.`,
    });
    await expect(sftp.mkdir(`${rootOwned}/sub`)).rejects.toMatchObject({ kind: 'permission-denied' });
    expect(existsSync(`${rootOwned}/new.txt`)).toBe(false);
    // A file the user may write in that folder: replacing it safely needs the folder, so it is refused and kept.
    writeFileSync(`${rootOwned}/shared.txt`, 'kept', { mode: 0o666 });
    chmodSync(`${rootOwned}/shared.txt`, 0o666);
    await expect(sftp.upload(`${rootOwned}/shared.txt`, bytes()).done).rejects.toMatchObject({
      kind: 'permission-denied',
      message: expect.stringContaining(`Could not write to “${rootOwned}/shared.txt”: its folder does not let you create files`),
    });
    expect(readFileSync(`${rootOwned}/shared.txt`, 'utf8')).toBe('kept');
    rmSync(`${rootOwned}/shared.txt`);
    // The session is still usable after refusals.
    expect((await sftp.list(rootOwned)).length).toBe(0);
  });

  test('cancelling a download closes its handle and leaves the session open', { timeout: 60_000 }, async () => {
    await userFile('to cancel.bin', 20 * MB);
    let seen = 0;
    const transfer = sftp.download(`${dir}/to cancel.bin`, (c) => {
      seen += c.length;
      if (seen >= 2 * MB) transfer.cancel();
    });
    await expect(transfer.done).rejects.toMatchObject({ kind: 'cancelled' });
    expect(seen).toBeLessThan(20 * MB);
    // The session still answers after the cancel.
    await sftp.remove(`${dir}/to cancel.bin`);
    expect(existsSync(join(dir, 'to cancel.bin'))).toBe(false);
  });
  test('an overwriting upload cancelled halfway keeps the old bytes; a complete one replaces them; no hidden file is left', { timeout: 120_000 }, async () => {
    const name = 'replace me.bin';
    const oldSum = await userFile(name, 5 * MB);
    chmodSync(join(dir, name), 0o640);
    const source = join(dir, 'new bytes.bin');
    const newSum = await makeFile(source, 20 * MB);
    const target = `${dir}/${name}`;
    let hiddenSeen: string[] = [];
    let transfer: ReturnType<SftpClient['upload']> | undefined = undefined;
    let cancelled = false;
    transfer = sftp.upload(target, createReadStream(source, { highWaterMark: 256 * 1024 }), {
      onProgress: (bytes) => {
        if (bytes >= 3 * MB && !cancelled) {
          cancelled = true;
          hiddenSeen = readdirSync(dir).filter((n) => n.includes('.postern-'));
          transfer!.cancel();
        }
      },
    });
    await expect(transfer.done).rejects.toMatchObject({ kind: 'cancelled' });
    expect(hiddenSeen).toEqual([expect.stringMatching(/^\.replace me\.bin\.postern-[0-9a-f]{8}\.part$/)]);
    expect(await sha256File(join(dir, name))).toBe(oldSum);
    expect(readdirSync(dir).filter((n) => n.includes('.postern-'))).toEqual([]);

    expect(await sftp.upload(target, createReadStream(source, { highWaterMark: 256 * 1024 })).done).toBe(20 * MB);
    expect(await sha256File(join(dir, name))).toBe(newSum);
    expect(statSync(join(dir, name)).mode & 0o777).toBe(0o640); // the replaced file's mode
    expect(statSync(join(dir, name)).uid).toBe(uid);
    expect(readdirSync(dir).filter((n) => n.includes('.postern-'))).toEqual([]);
  });

  test('symbolic links: listed as links, read, followed by stat and downloads, removed without their targets', async () => {
    const folder = join(dir, 'links');
    mkdirSync(folder);
    chownSync(folder, uid, gid);
    const sum = await userFile('links/data.bin', 100_000);
    mkdirSync(join(folder, 'sub'));
    writeFileSync(join(folder, 'sub', 'inside.txt'), 'inside');
    const made: Array<[string, string]> = [
      ['to-file', 'data.bin'],
      ['to-folder', 'sub'],
      ['broken', 'nowhere/missing.txt'],
      ['absolute', join(folder, 'data.bin')],
    ];
    for (const [name, to] of made) {
      symlinkSync(to, join(folder, name));
      lchownSync(join(folder, name), uid, gid);
    }
    const entries = new Map((await sftp.list(folder)).map((n) => [n.filename, n.attrs]));
    for (const [name, to] of made) {
      expect((entries.get(name)!.permissions! & 0o170000) === 0o120000, name).toBe(true); // READDIR gives lstat: links as links
      expect(await sftp.readlink(`${folder}/${name}`)).toBe(to);
    }
    // stat follows: the folder link is a folder, its listing is the folder's; the broken one has no target.
    expect(((await sftp.stat(`${folder}/to-folder`)).permissions! & 0o170000) === 0o040000).toBe(true);
    expect((await sftp.list(`${folder}/to-folder`)).map((n) => n.filename)).toEqual(['inside.txt']);
    await expect(sftp.stat(`${folder}/broken`)).rejects.toMatchObject({ kind: 'no-such-file' });
    // A download of a link to a file is the file's bytes.
    const hash = createHash('sha256');
    expect(await sftp.download(`${folder}/to-file`, (c) => void hash.update(c)).done).toBe(100_000);
    expect(hash.digest('hex')).toBe(sum);
    // An upload over a link to a file replaces the file and keeps the link.
    async function* text() {
      yield new TextEncoder().encode('through the link');
    }
    await sftp.upload(`${folder}/absolute`, text()).done;
    expect(lstatSync(join(folder, 'absolute')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(folder, 'data.bin'), 'utf8')).toBe('through the link');
    // Removing a link removes the link, never what it points to.
    await sftp.remove(`${folder}/to-file`);
    await sftp.remove(`${folder}/to-folder`);
    await sftp.remove(`${folder}/broken`);
    expect(readdirSync(folder).sort()).toEqual(['absolute', 'data.bin', 'sub']);
    expect(readFileSync(join(folder, 'sub', 'inside.txt'), 'utf8')).toBe('inside');
  });
});
