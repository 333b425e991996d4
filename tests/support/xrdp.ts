// Starts a real xrdp + xrdp-sesman (Debian 0.9.21) with the xorgxrdp backend, on free loopback
// ports, with their own config, a certificate made now, and a throwaway user whose session is an
// xterm showing a 256-colour palette. Runs as root (sesman must switch user). Stop it with stop().
//
// Two xrdp quirks shape this: xrdp reads the sesman port from the compiled-in
// /etc/xrdp/sesman.ini whatever config it is given, and refuses to start while /run/xrdp/xrdp.pid
// exists. So, when the kernel allows it, both daemons run in private mount and PID namespaces
// (`unshare`), where our sesman.ini is bind-mounted over /etc/xrdp/sesman.ini and /run/xrdp is a
// fresh tmpfs: a system xrdp, or another test's, is then no obstacle, and every process of the
// session stays inside. Without namespaces we fall back to the port in /etc/xrdp/sesman.ini.
//
// Debian packages: xrdp xorgxrdp xterm xclip x11-xserver-utils x11-utils openssl util-linux passwd.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canConnect, freePort } from './ports.ts';
import { descendants } from './processes.ts';

export interface XrdpServer {
  host: '127.0.0.1';
  port: number;
  user: string;
  password: string;
  home: string;
  /** The certificate xrdp presents, PEM, and its fingerprint as Postern writes it ("sha256:<hex>"). */
  certPem: string;
  certFingerprint: string;
  dir: string;
  /** Whether the daemons run in their own namespaces (see the file comment). */
  namespaced: boolean;
  /** Resolves with the X display (":61") once a session for `user` has started its desktop. */
  waitForSession(timeoutMs?: number): Promise<string>;
  /** Whether a session has started (the login went through), without waiting. */
  sessionStarted(): boolean;
  /** Runs a command as the user inside the session's X display (e.g. xclip), returns stdout. */
  runInSession(argv: string[], input?: string): string;
  /**
   * Like runInSession, but inside the session's mount namespace, where chansrv's FUSE mount of pasted
   * files (~/thinclient_drives) is (the daemons run in their own namespace: see the file comment).
   */
  runInSessionMounts(argv: string[]): string;
  /** The session's CLIPBOARD selection, as xclip reads it. */
  readClipboard(): string;
  /** Puts text on the session's CLIPBOARD (an xclip process keeps serving it until the session ends). */
  writeClipboard(text: string): Promise<void>;
  /** Puts bytes of one target type (e.g. 'image/bmp') on the session's CLIPBOARD, as an image editor would. */
  writeClipboardAs(type: string, data: Uint8Array): Promise<void>;
  /** The session's CLIPBOARD converted to `type` (e.g. 'image/bmp'), as raw bytes. */
  readClipboardAs(type: string): Buffer;
  /** The targets the CLIPBOARD's owner offers (xclip's TARGETS list). */
  clipboardTargets(): string[];
  /** Ends the user's session, as `exit` in its xterm would, so the next sign-in starts a fresh one. */
  endSession(): Promise<void>;
  /** The tail of xrdp's and sesman's logs, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

const REQUIRED = [
  '/usr/sbin/xrdp', '/usr/sbin/xrdp-sesman', '/usr/lib/xorg/Xorg', '/usr/lib/xorg/modules/libxorgxrdp.so',
  '/usr/lib/xorg/modules/drivers/xrdpdev_drv.so', '/etc/X11/xrdp/xorg.conf', '/usr/bin/xterm', '/usr/bin/xsetroot',
  '/usr/bin/xclip', '/usr/bin/openssl', '/usr/sbin/useradd',
];

/**
 * Why chansrv cannot mount pasted files here (FUSE, as the session's user), or undefined when it can.
 * The user is not root, so libfuse mounts through the set-uid fusermount (Debian package fuse).
 */
export function xrdpFuseUnavailable(): string | undefined {
  if (!existsSync('/dev/fuse')) return 'no /dev/fuse: the kernel or the container offers no FUSE';
  if (!existsSync('/bin/fusermount')) return 'no /bin/fusermount (Debian package fuse), which chansrv needs to mount as the user';
  return undefined;
}

/** Why xrdp tests cannot run here, or undefined when they can. */
export function xrdpUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'xrdp tests must run as root (sesman switches to the test user).';
  const missing = REQUIRED.filter((p) => !existsSync(p));
  if (missing.length) return `missing ${missing.join(', ')}: apt-get install xrdp xorgxrdp xterm xclip x11-xserver-utils openssl`;
  return undefined;
}

let namespacesWork: boolean | undefined;
function canUnshare(): boolean {
  if (process.env.POSTERN_XRDP_NAMESPACE === '0') return false; // to exercise the fallback
  namespacesWork ??= spawnSync('unshare', ['--mount', '--pid', '--fork', '--mount-proc', 'true'], { stdio: 'ignore' }).status === 0;
  return namespacesWork;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** useradd and userdel lock /etc/passwd; concurrent tests retry instead of failing. */
function withPasswdLock(cmd: string, args: string[], input?: string): void {
  for (let i = 0; ; i++) {
    const r = spawnSync(cmd, args, { input, encoding: 'utf8' });
    if (r.status === 0) return;
    if (i >= 20) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
    execFileSync('sleep', ['0.2']);
  }
}

/** Creates a user with a random password, and a certificate, then starts both daemons. */
export async function startXrdp(opts: { user?: string; sessionScript?: string; /** chansrv mounts pasted files (FUSE) */ fuse?: boolean } = {}): Promise<XrdpServer> {
  const why = xrdpUnavailable();
  if (why) throw new Error(why);
  const dir = mkdtempSync(join(tmpdir(), 'postern-xrdp-'));
  chmodSync(dir, 0o755); // sesman runs the session script as the user
  const user = opts.user ?? `postern-rdp-${randomBytes(3).toString('hex')}`;
  const password = randomBytes(12).toString('base64url');
  const home = `/home/${user}`;
  if (spawnSync('id', [user], { stdio: 'ignore' }).status !== 0) withPasswdLock('useradd', ['-m', '-s', '/bin/bash', user]);
  withPasswdLock('chpasswd', [], `${user}:${password}\n`);
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }));

  // The session writes its display here, and Xorg its log: a folder the user owns.
  const sessionDir = join(dir, 'session');
  execFileSync('mkdir', ['-m', '0755', sessionDir]);
  chownSync(sessionDir, uid, uid);

  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${user}.postern.test`,
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const fpLine = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', join(dir, 'cert.pem')], { encoding: 'utf8' });
  const certFingerprint = 'sha256:' + fpLine.split('=')[1].trim().replaceAll(':', '').toLowerCase();

  const namespaced = canUnshare();
  const port = await freePort();
  const sesmanPort = namespaced ? await freePort() : systemSesmanPort();
  if (!namespaced && ((await canConnect(sesmanPort)) || existsSync('/run/xrdp/xrdp.pid'))) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error('a system xrdp is running (sesman port or /run/xrdp/xrdp.pid in use) and namespaces are unavailable: stop it first');
  }
  const display = 100 + Math.floor(Math.random() * 800); // far from a system xrdp's :10 and each other
  writeFileSync(join(dir, 'xrdp.ini'), xrdpIni({ port, dir }));
  writeFileSync(join(dir, 'sesman.ini'), sesmanIni({ port: sesmanPort, dir, sessionDir, displayOffset: display, fuse: opts.fuse ?? false }));
  writeFileSync(join(dir, 'startwm.sh'), opts.sessionScript ?? sessionScript(sessionDir), { mode: 0o755 });
  writeFileSync(join(dir, 'reconnectwm.sh'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  writeFileSync(join(dir, 'run.sh'), [
    'set -e',
    namespaced ? 'mount -t tmpfs -o mode=0755 tmpfs /run/xrdp 2>/dev/null || { mkdir -p /run/xrdp && mount -t tmpfs -o mode=0755 tmpfs /run/xrdp; }' : '',
    'mkdir -p /run/xrdp/sockdir && chmod 3777 /run/xrdp/sockdir',
    namespaced ? `mount --bind ${dir}/sesman.ini /etc/xrdp/sesman.ini` : '',
    `/usr/sbin/xrdp-sesman --nodaemon --config ${dir}/sesman.ini &`,
    `exec /usr/sbin/xrdp --nodaemon --config ${dir}/xrdp.ini`,
  ].join('\n'));

  const child: ChildProcess = namespaced
    ? spawn('unshare', ['--mount', '--pid', '--fork', '--mount-proc', '--propagation', 'private', 'sh', join(dir, 'run.sh')],
      { stdio: 'ignore', detached: true })
    : spawn('sh', [join(dir, 'run.sh')], { stdio: 'ignore', detached: true });
  let exited = false;
  child.once('exit', () => (exited = true));

  const logs = () => ['xrdp.log', 'sesman.log']
    .map((f) => {
      const p = join(dir, f);
      return existsSync(p) ? `--- ${f}\n${readFileSync(p, 'utf8').split('\n').slice(-40).join('\n')}` : `--- ${f}: none`;
    })
    .join('\n');

  const server: XrdpServer = {
    host: '127.0.0.1', port, user, password, home, certPem, certFingerprint, dir, namespaced, logs,
    sessionStarted: () => existsSync(join(sessionDir, 'display')),
    async endSession() {
      // The session's processes all run as the throwaway user; sesman ends the session when they exit.
      if (opts.user) throw new Error('endSession ends every process of its user: only for a throwaway user');
      for (const pid of processesOf(uid)) signal(pid, 'SIGTERM');
      for (let i = 0; i < 50 && processesOf(uid).length; i++) await sleep(100);
      for (const pid of processesOf(uid)) signal(pid, 'SIGKILL');
      rmSync(join(sessionDir, 'display'), { force: true });
      await sleep(300); // sesman notices the end
    },
    async waitForSession(timeoutMs = 20_000) {
      const marker = join(sessionDir, 'display');
      for (let waited = 0; !existsSync(marker); waited += 100) {
        if (waited >= timeoutMs) throw new Error(`no xrdp session started for ${user}\n${logs()}`);
        await sleep(100);
      }
      return readFileSync(marker, 'utf8').trim();
    },
    runInSession(argv, input) {
      const disp = readFileSync(join(sessionDir, 'display'), 'utf8').trim();
      return execFileSync('runuser', ['-u', user, '--', 'env', `DISPLAY=${disp}`, `XAUTHORITY=${home}/.Xauthority`, ...argv],
        { input, encoding: 'utf8', timeout: 10_000 });
    },
    runInSessionMounts(argv) {
      const disp = readFileSync(join(sessionDir, 'display'), 'utf8').trim();
      // The session's oldest process: a short-lived one (a login script's child) may be gone by the time nsenter looks.
      const pid = processesOf(uid).map((p) => ({ p, started: startTimeOf(p) })).filter((x) => x.started !== undefined)
        .sort((a, b) => a.started! - b.started!)[0]?.p;
      if (pid === undefined) throw new Error(`no process of ${user} runs: no session`);
      return execFileSync('nsenter', ['-t', String(pid), '-m', 'runuser', '-u', user, '--', 'env', `DISPLAY=${disp}`, ...argv],
        { encoding: 'utf8', timeout: 20_000, maxBuffer: 64 * 1024 * 1024 });
    },
    readClipboard() {
      return server.runInSession(['xclip', '-selection', 'clipboard', '-o']);
    },
    writeClipboard: (text) => serveClipboard([], new TextEncoder().encode(text)),
    writeClipboardAs: (type, data) => serveClipboard(['-t', type], data),
    readClipboardAs(type) {
      const disp = readFileSync(join(sessionDir, 'display'), 'utf8').trim();
      return execFileSync('runuser', ['-u', user, '--', 'env', `DISPLAY=${disp}`, `XAUTHORITY=${home}/.Xauthority`,
        'xclip', '-selection', 'clipboard', '-t', type, '-o'], { timeout: 10_000, maxBuffer: 64 * 1024 * 1024 });
    },
    clipboardTargets() {
      return server.runInSession(['xclip', '-selection', 'clipboard', '-t', 'TARGETS', '-o']).split('\n').filter(Boolean);
    },
    async stop() {
      await stopTree(child.pid!, namespaced, () => exited);
      const marker = join(sessionDir, 'display');
      if (existsSync(marker)) await removeStaleXFiles(Number(readFileSync(marker, 'utf8').trim().slice(1)));
      if (!opts.user) {
        // A throwaway user: anything of theirs that escaped the process tree is ours to end.
        for (const pid of processesOf(uid)) signal(pid, 'SIGKILL');
        withPasswdLock('userdel', ['-r', '-f', user]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };

  /** xclip forks to serve the selection; with its output ignored nothing waits for that child. */
  async function serveClipboard(args: string[], data: Uint8Array): Promise<void> {
    const disp = readFileSync(join(sessionDir, 'display'), 'utf8').trim();
    const p = spawn('runuser', ['-u', user, '--', 'env', `DISPLAY=${disp}`, `XAUTHORITY=${home}/.Xauthority`,
      'xclip', '-selection', 'clipboard', ...args, '-i'], { stdio: ['pipe', 'ignore', 'ignore'] });
    p.stdin!.end(data);
    await new Promise((r) => p.once('exit', r));
  }

  // Ready when xrdp accepts TCP and sesman listens.
  for (let waited = 0; ; waited += 100) {
    if (exited) {
      const out = logs();
      await server.stop();
      throw new Error(`xrdp exited during start-up\n${out}`);
    }
    if ((await canConnect(port)) && (await sesmanListening(sesmanPort))) break;
    if (waited > 15_000) {
      const out = logs();
      await server.stop();
      throw new Error(`xrdp did not start listening on ${port}\n${out}`);
    }
    await sleep(100);
  }
  return server;
}

function systemSesmanPort(): number {
  const m = /^\s*ListenPort\s*=\s*(\d+)/m.exec(readFileSync('/etc/xrdp/sesman.ini', 'utf8'));
  return m ? Number(m[1]) : 3350;
}

/** sesman may listen on 127.0.0.1 or ::1 (Debian builds with IPv6); either will do. */
function sesmanListening(port: number): Promise<boolean> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const listening = ['/proc/net/tcp', '/proc/net/tcp6'].some((f) => {
    if (!existsSync(f)) return false;
    return readFileSync(f, 'utf8').split('\n').some((l) => {
      const cols = l.trim().split(/\s+/);
      return cols[1]?.endsWith(`:${hex}`) && cols[3] === '0A'; // 0A = LISTEN
    });
  });
  return Promise.resolve(listening);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * Ends the session processes first (SIGTERM, so Xorg removes its lock files), then the daemons.
 * In a PID namespace the first process is the namespace's init: when it dies the kernel kills the
 * rest, so it goes last.
 */
async function stopTree(root: number, namespaced: boolean, exited: () => boolean): Promise<void> {
  const all = descendants(root);
  const init = namespaced ? all[0] : undefined;
  const rest = all.filter((p) => p !== init);
  const alive = (pids: number[]) => pids.some((p) => existsSync(`/proc/${p}`));
  for (const pid of [...rest].reverse()) signal(pid, 'SIGTERM');
  for (let i = 0; i < 30 && alive(rest); i++) await sleep(100);
  if (init) signal(init, 'SIGTERM');
  signal(root, 'SIGTERM');
  for (let i = 0; i < 30 && !exited(); i++) await sleep(100);
  for (const pid of [root, ...all]) if (existsSync(`/proc/${pid}`)) signal(pid, 'SIGKILL');
  for (let i = 0; i < 30 && alive([root, ...all]); i++) await sleep(100);
}

/** Processes running as `uid`, from /proc. */
function processesOf(uid: number): number[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).filter((n) => {
    try {
      return new RegExp(`^Uid:\\s+${uid}\\s`, 'm').test(readFileSync(`/proc/${n}/status`, 'utf8'));
    } catch {
      return false;
    }
  }).map(Number);
}

/** When process `pid` started (clock ticks after boot), or undefined if it is gone. */
function startTimeOf(pid: number): number | undefined {
  try {
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return undefined;
  }
}

/** Removes the lock file and socket of display `d` if no X server answers on it any more. */
async function removeStaleXFiles(d: number): Promise<void> {
  const socket = `/tmp/.X11-unix/X${d}`;
  const alive = existsSync(socket) && await new Promise<boolean>((resolve) => {
    const c = net.connect(socket, () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
  if (alive) return;
  rmSync(`/tmp/.X${d}-lock`, { force: true });
  rmSync(socket, { force: true });
}

// ---- Configuration ----

/** xrdp.ini: TLS only, our certificate, one Xorg session type (so no chooser), clipboard on. */
function xrdpIni(o: { port: number; dir: string }): string {
  return `[Globals]
port=tcp://127.0.0.1:${o.port}
fork=false
security_layer=tls
crypt_level=high
certificate=${o.dir}/cert.pem
key_file=${o.dir}/key.pem
ssl_protocols=TLSv1.2, TLSv1.3
max_bpp=32
use_fastpath=both
; Without this, xrdp assigns no virtual channels (clipboard, drdynvc) whatever [Channels] says.
allow_channels=true

[Logging]
LogFile=${o.dir}/xrdp.log
LogLevel=INFO
EnableSyslog=false

[Channels]
rdpdr=false
rdpsnd=false
drdynvc=true
cliprdr=true
rail=false
xrdpvr=false
tcutils=false

[Xorg]
name=Xorg
lib=libxup.so
username=ask
password=ask
ip=127.0.0.1
port=-1
code=20
`;
}

/** sesman.ini: our port, our session script, Xorg with xorgxrdp, logs in our folder. */
function sesmanIni(o: { port: number; dir: string; sessionDir: string; displayOffset: number; fuse: boolean }): string {
  return `[Globals]
ListenAddress=127.0.0.1
ListenPort=${o.port}
EnableUserWindowManager=false
DefaultWindowManager=${o.dir}/startwm.sh
ReconnectScript=${o.dir}/reconnectwm.sh

[Security]
AllowRootLogin=false
AlwaysGroupCheck=false

[Sessions]
X11DisplayOffset=${o.displayOffset}
MaxSessions=10
KillDisconnected=false
Policy=Default

[Logging]
LogFile=${o.dir}/sesman.log
LogLevel=INFO
EnableSyslog=false

[Xorg]
param=/usr/lib/xorg/Xorg
param=-config
param=xrdp/xorg.conf
param=-noreset
param=-nolisten
param=tcp
param=-logfile
param=${o.sessionDir}/xorg.%s.log

[Chansrv]
EnableFuseMount=${o.fuse}
FuseMountName=thinclient_drives

[ChansrvLogging]
LogLevel=INFO
EnableSyslog=false

[SessionVariables]
LANG=C.UTF-8
`;
}

/**
 * The desktop: a blue root window and an xterm filling the screen that prints the 256-colour
 * palette (so a screenshot has many distinct colours), then records the display, then waits at
 * a bash prompt with the keyboard focus (no window manager: focus follows the pointer, and the
 * xterm is everywhere).
 */
export function sessionScript(sessionDir: string): string {
  const palette = 'for i in $(seq 0 255); do printf "\\033[48;5;%sm  " $i; done; printf "\\033[0m\\n"';
  return [
    '#!/bin/sh',
    "xsetroot -solid '#1d4f91'",
    `geom=$(xdpyinfo | awk '/dimensions:/ { split($2, d, "x"); printf "%dx%d+0+0", d[1] / 6, d[2] / 13 }')`,
    `exec xterm -geometry "\${geom:-100x30+0+0}" -bg black -fg white -e /bin/bash -c '${palette}; echo "$DISPLAY" > ${sessionDir}/display; exec /bin/bash -i'`,
    '',
  ].join('\n');
}
