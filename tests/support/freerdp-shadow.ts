// Starts FreeRDP's shadow server (freerdp-shadow-cli, FreeRDP 2) on a free loopback port, sharing a
// private Xvfb screen, with NLA required: `/sec:nla +auth /sam-file:<file>`. The SAM file is written
// now, with the NT hash (MD4 of the UTF-16LE password) of a random password for a throwaway name, so
// CredSSP succeeds only with that password. The server makes its own certificate at first start,
// under the HOME it is given (a folder made now). Needs no root. Stop it with stop().
//
// Debian packages: freerdp2-shadow-x11 xvfb openssl.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canConnect, freePort } from './ports.ts';

export interface ShadowServer {
  host: '127.0.0.1';
  port: number;
  user: string;
  password: string;
  /** The certificate the server presents, as Postern writes fingerprints ("sha256:<hex>"). */
  certFingerprint: string;
  /** The shared screen's size. */
  width: number;
  height: number;
  /** The tail of the server's output, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

const REQUIRED = ['/usr/bin/freerdp-shadow-cli', '/usr/bin/Xvfb', '/usr/bin/openssl'];

/** Why the shadow server cannot run here, or undefined when it can. */
export function shadowUnavailable(): string | undefined {
  const missing = REQUIRED.filter((p) => !existsSync(p));
  return missing.length ? `missing ${missing.join(', ')}: apt-get install freerdp2-shadow-x11 xvfb openssl` : undefined;
}

/** The NT hash of a password: MD4 of its UTF-16LE bytes (OpenSSL keeps MD4 in its legacy provider). */
export function ntHash(password: string): string {
  const out = execFileSync('openssl', ['dgst', '-md4', '-provider', 'legacy', '-provider', 'default', '-r'],
    { input: Buffer.from(password, 'utf16le'), encoding: 'utf8' });
  const hex = out.split(' ')[0].trim();
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`openssl printed no MD4 digest: ${out}`);
  return hex;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts Xvfb and the shadow server; resolves once the server listens and its certificate exists. In full
 * runs, beside xrdp's own X servers, a fresh display was once taken or unopenable: a start that fails is
 * tried again from a new Xvfb, up to three times in all, and the error names every attempt.
 */
export async function startShadow(o: { width?: number; height?: number } = {}): Promise<ShadowServer> {
  const why = shadowUnavailable();
  if (why) throw new Error(why);
  const failures: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await startShadowOnce(o);
    } catch (e) {
      failures.push(`attempt ${attempt}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new Error(`FreeRDP's shadow server did not start in three attempts\n${failures.join('\n')}`);
}

async function startShadowOnce(o: { width?: number; height?: number }): Promise<ShadowServer> {
  const width = o.width ?? 1024;
  const height = o.height ?? 768;
  const dir = mkdtempSync(join(tmpdir(), 'postern-shadow-'));
  const user = `visitor${randomBytes(3).toString('hex')}`;
  const password = randomBytes(12).toString('base64url');
  // WinPR's SAM format: User:Domain:LmHash:NtHash:::
  writeFileSync(join(dir, 'sam'), `${user}:::${ntHash(password)}:::\n`, { mode: 0o600 });

  const children: ChildProcess[] = [];
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  };
  const logs = () => output.split('\n').slice(-40).join('\n');
  const stop = async () => {
    for (const c of [...children].reverse()) {
      if (c.exitCode !== null || c.signalCode !== null) continue;
      c.kill('SIGTERM');
      const gone = new Promise((r) => c.once('exit', r));
      if (!(await Promise.race([gone.then(() => true), sleep(3000).then(() => false)]))) c.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    // Xvfb picks a free display and writes its number to fd 3.
    const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp'],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    children.push(xvfb);
    xvfb.stderr!.on('data', keep);
    const display = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`Xvfb gave no display\n${logs()}`)), 10_000);
      (xvfb.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('\n')) {
          clearTimeout(timer);
          resolve(`:${text.trim()}`);
        }
      });
      xvfb.once('exit', () => reject(new Error(`Xvfb exited\n${logs()}`)));
    });

    const port = await freePort();
    const shadow = spawn('freerdp-shadow-cli', [`/port:${port}`, '/bind-address:127.0.0.1', '/sec:nla', '+auth', `/sam-file:${join(dir, 'sam')}`],
      { env: { ...process.env, DISPLAY: display, HOME: dir, XDG_CONFIG_HOME: join(dir, '.config') }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(shadow);
    shadow.stdout!.on('data', keep);
    shadow.stderr!.on('data', keep);
    const certFile = join(dir, '.config', 'freerdp', 'shadow', 'shadow.crt');
    for (let waited = 0; !(existsSync(certFile) && (await canConnect(port))); waited += 100) {
      if (shadow.exitCode !== null || waited > 15_000) throw new Error(`freerdp-shadow-cli did not start\n${logs()}`);
      await sleep(100);
    }
    const certFingerprint = 'sha256:' + new X509Certificate(readFileSync(certFile)).fingerprint256.replaceAll(':', '').toLowerCase();
    return { host: '127.0.0.1', port, user, password, certFingerprint, width, height, logs, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
