// Starts a real OpenSSH sshd (`/usr/sbin/sshd -D -e -f <config>`) on a free loopback port with
// its own host keys of every type, made by ssh-keygen in a temp dir, and prepares a local test
// user with a password and authorized keys of every type. Needs root (CI runs as root) and the
// Debian openssh-server package. `build: 'openssh-10.5'` starts the OpenSSH 10.5p1 peer in
// ../shared/peers/openssh-10.5 (or $POSTERN_OPENSSH_10_5) the same way: it is what has mlkem768x25519.
//
// Parallel test files share one user, so the user's password and key pairs are made once per
// machine in a fixture folder (created atomically) and reused; host keys are per sshd.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './ports';
import { stopChild } from './processes';

export const TEST_USER = 'postern-test';

export const HOST_KEY_TYPES = ['ed25519', 'ecdsa256', 'ecdsa384', 'ecdsa521', 'rsa'] as const;
export const USER_KEY_TYPES = ['ed25519', 'ecdsa256', 'ecdsa384', 'ecdsa521', 'rsa'] as const;
export type KeyName = (typeof HOST_KEY_TYPES)[number];

export interface SshdFixture {
  user: string;
  password: string;
  /** OpenSSH-format private key text per user key type (unencrypted). */
  userKeys: Record<KeyName, string>;
}

export interface Sshd {
  port: number;
  host: string;
  fixture: SshdFixture;
  /** "SHA256:..." per host key file, as `ssh-keygen -lf` prints it. */
  hostFingerprints: Record<KeyName, string>;
  log(): string;
  stop(): Promise<void>;
}

function keygenArgs(name: KeyName): string[] {
  if (name === 'ed25519') return ['-t', 'ed25519'];
  if (name === 'rsa') return ['-t', 'rsa', '-b', '2048'];
  return ['-t', 'ecdsa', '-b', name.slice(5)];
}

function keygen(name: KeyName, path: string, comment: string): void {
  execFileSync('ssh-keygen', ['-q', ...keygenArgs(name), '-N', '', '-C', comment, '-f', path]);
}

function fingerprintOf(path: string): string {
  return execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', path], { encoding: 'utf8' }).split(' ')[1];
}

/** The shared user fixture: made once (atomically), then reused by every test file. */
function loadFixture(): SshdFixture {
  const dir = join(tmpdir(), 'postern-ssh-fixture-v1');
  if (!existsSync(join(dir, 'fixture.json'))) {
    const staging = mkdtempSync(join(tmpdir(), 'postern-ssh-fixture-'));
    const userKeys = {} as Record<KeyName, string>;
    for (const name of USER_KEY_TYPES) {
      keygen(name, join(staging, `id_${name}`), `postern-test-${name}`);
      userKeys[name] = readFileSync(join(staging, `id_${name}`), 'utf8');
    }
    const fixture: SshdFixture = { user: TEST_USER, password: randomBytes(12).toString('base64url'), userKeys };
    writeFileSync(join(staging, 'fixture.json'), JSON.stringify(fixture), { mode: 0o600 });
    try {
      renameSync(staging, dir);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another test file won the race
    }
  }
  return JSON.parse(readFileSync(join(dir, 'fixture.json'), 'utf8')) as SshdFixture;
}

/** Creates the user if missing and (re)sets its password and authorized_keys; idempotent. */
function prepareUser(fixture: SshdFixture): void {
  try {
    execFileSync('id', ['-u', fixture.user], { stdio: 'ignore' });
  } catch {
    try {
      execFileSync('useradd', ['-m', '-s', '/bin/bash', fixture.user], { stdio: 'pipe' });
    } catch {
      execFileSync('id', ['-u', fixture.user], { stdio: 'ignore' }); // created concurrently by another file
    }
  }
  execFileSync('chpasswd', { input: `${fixture.user}:${fixture.password}\n` });
  const uid = Number(execFileSync('id', ['-u', fixture.user], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', fixture.user], { encoding: 'utf8' }));
  const home = execFileSync('getent', ['passwd', fixture.user], { encoding: 'utf8' }).split(':')[5];
  const sshDir = join(home, '.ssh');
  mkdirSync(sshDir, { recursive: true });
  chmodSync(sshDir, 0o700);
  chownSync(sshDir, uid, gid);
  const staging = mkdtempSync(join(tmpdir(), 'postern-ak-'));
  const lines = USER_KEY_TYPES.map((name) => {
    writeFileSync(join(staging, 'k'), fixture.userKeys[name], { mode: 0o600 });
    return execFileSync('ssh-keygen', ['-y', '-f', join(staging, 'k')], { encoding: 'utf8' }).trim() + ` postern-test-${name}`;
  });
  rmSync(staging, { recursive: true, force: true });
  // Same content from every test file; write-then-rename keeps concurrent writers harmless.
  const tmp = join(sshDir, `.authorized_keys.${process.pid}`);
  writeFileSync(tmp, lines.join('\n') + '\n', { mode: 0o600 });
  chownSync(tmp, uid, gid);
  renameSync(tmp, join(sshDir, 'authorized_keys'));
}

/** Which sshd: Debian 12's (OpenSSH 9.2) or the OpenSSH 10.5p1 test peer. */
export type SshdBuild = 'debian' | 'openssh-10.5';

/** The OpenSSH 10.5p1 peer's folder (sshd, sshd-session, sshd-auth, ssh, ...). */
export const OPENSSH_10_5_DIR = process.env.POSTERN_OPENSSH_10_5 ?? resolve(import.meta.dirname, '../../../shared/peers/openssh-10.5');

/** Whether that build is on this machine; tests of it are skipped, saying so, when it is not. */
export function sshdAvailable(build: SshdBuild): boolean {
  return build === 'debian' ? existsSync('/usr/sbin/sshd') : existsSync(join(OPENSSH_10_5_DIR, 'sshd'));
}

/** The key exchange methods a build offers (its own `ssh -Q kex`: client and server share the list). */
export function sshdKex(build: SshdBuild): string[] {
  const ssh = build === 'debian' ? 'ssh' : join(OPENSSH_10_5_DIR, 'ssh');
  return execFileSync(ssh, ['-Q', 'kex'], { encoding: 'utf8' }).trim().split('\n');
}

export interface SshdOptions {
  /** Extra sshd_config lines (e.g. "RekeyLimit 64K"). */
  extraConfig?: string[];
  /** Default 'debian'. */
  build?: SshdBuild;
}

/** The lines and command that differ between the builds. */
function buildSpecifics(build: SshdBuild): { binary: string; config: string[] } {
  if (build === 'debian') {
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // privilege-separation directory
    return { binary: '/usr/sbin/sshd', config: ['UsePAM yes'] };
  }
  // Built --without-pam (passwords are checked against /etc/shadow) with its helpers beside it,
  // and a compiled-in privilege-separation directory (its README).
  mkdirSync('/opt/openssh-10.5/empty', { recursive: true, mode: 0o755 });
  return {
    binary: join(OPENSSH_10_5_DIR, 'sshd'),
    config: [
      `SshdSessionPath ${join(OPENSSH_10_5_DIR, 'sshd-session')}`,
      `SshdAuthPath ${join(OPENSSH_10_5_DIR, 'sshd-auth')}`,
      `Subsystem sftp ${join(OPENSSH_10_5_DIR, 'sftp-server')}`,
    ],
  };
}

export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  const fixture = loadFixture();
  prepareUser(fixture);
  const dir = mkdtempSync(join(tmpdir(), 'postern-sshd-'));
  const hostFingerprints = {} as Record<KeyName, string>;
  for (const name of HOST_KEY_TYPES) {
    keygen(name, join(dir, `host_${name}`), `host-${name}`);
    hostFingerprints[name] = fingerprintOf(join(dir, `host_${name}.pub`));
  }
  const build = buildSpecifics(options.build ?? 'debian');
  const port = await freePort();
  // sshd keeps the first value it reads for a keyword, so the caller's lines go first.
  const config = [
    ...(options.extraConfig ?? []),
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    'AcceptEnv LANG LC_*', // as Debian's own sshd_config
    ...HOST_KEY_TYPES.map((name) => `HostKey ${join(dir, `host_${name}`)}`),
    `PidFile ${join(dir, 'sshd.pid')}`,
    'AuthorizedKeysFile .ssh/authorized_keys',
    ...build.config,
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication yes',
    'PubkeyAuthentication yes',
    `AllowUsers ${fixture.user}`,
    'PermitRootLogin no',
    'MaxAuthTries 10',
    'PrintMotd no',
    'PrintLastLog no',
    'Banner none',
    'LogLevel VERBOSE',
    'MaxStartups 100', // tests may open many connections at once
  ];
  writeFileSync(join(dir, 'sshd_config'), config.join('\n') + '\n');
  const child: ChildProcess = spawn(build.binary, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) resolve();
    };
    child.stderr!.on('data', check);
    child.once('exit', (code) => reject(new Error(`sshd exited with ${code}:\n${log}`)));
    check();
  });
  return {
    port,
    host: '127.0.0.1',
    fixture,
    hostFingerprints,
    log: () => log,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
