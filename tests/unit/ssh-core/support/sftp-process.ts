// OpenSSH's sftp-server as a subprocess speaking SFTP on stdin/stdout, with no SSH around it: the
// real peer for the SFTP codec and client tests. Every byte each way is kept, so tests can hold
// the codec against what OpenSSH really sent. Also runs OpenSSH's own sftp client against it
// (`sftp -D`, no SSH either) to capture the requests a real client makes.

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SftpClient } from '../../../../src/ssh/core/sftp/client';

export const SFTP_SERVER = '/usr/lib/openssh/sftp-server';
export const sftpServerAvailable = existsSync(SFTP_SERVER);

export interface SftpProcess {
  client: SftpClient;
  /** What the server wrote, in order. */
  fromServer: Uint8Array[];
  stop(): Promise<void>;
}

/** The unprivileged account Debian always has: root reads every file, so permission tests run the server as it. */
export const NOBODY = { uid: 65534, gid: 65534 };

/**
 * Starts sftp-server in `cwd` and an SftpClient on its pipes; resolves after INIT/VERSION. `as` runs the
 * server as another account (only root may).
 */
export async function startSftpServer(cwd: string, as?: { uid: number; gid: number }): Promise<SftpProcess> {
  const child = spawn(SFTP_SERVER, [], { cwd, stdio: ['pipe', 'pipe', 'inherit'], ...as });
  const fromServer: Uint8Array[] = [];
  const client = new SftpClient({
    write: (bytes) => void child.stdin.write(bytes),
    close: () => void child.stdin.end(),
  });
  child.stdout.on('data', (b: Buffer) => {
    const bytes = new Uint8Array(b.buffer, b.byteOffset, b.length).slice();
    fromServer.push(bytes);
    client.receive(bytes);
  });
  child.once('exit', () => client.channelClosed('sftp-server exited.'));
  await client.init();
  await client.readLimits();
  return {
    client,
    fromServer,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      await exited;
    },
  };
}

/** Runs OpenSSH's sftp client with `batch` against sftp-server in `cwd`; returns both directions' bytes. */
export function captureOpensshSession(cwd: string, batch: string[]): { requests: Uint8Array; replies: Uint8Array; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'postern-sftp-capture-'));
  try {
    const wrapper = join(dir, 'server.sh');
    writeFileSync(wrapper, `#!/bin/sh\ntee '${dir}/requests' | '${SFTP_SERVER}' | tee '${dir}/replies'\n`);
    chmodSync(wrapper, 0o755);
    writeFileSync(join(dir, 'batch'), batch.join('\n') + '\n');
    const run = spawnSync('sftp', ['-b', join(dir, 'batch'), '-D', wrapper], { cwd, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`sftp exited with ${run.status}: ${run.stderr}`);
    return { requests: new Uint8Array(readFileSync(join(dir, 'requests'))), replies: new Uint8Array(readFileSync(join(dir, 'replies'))), output: run.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
