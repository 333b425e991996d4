// Starts Debian's stock websockify (/usr/bin/websockify) on a free loopback port, relaying to
// a TCP target: the reference for the relay convention (binary messages carrying raw TCP bytes).

import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { stopChild } from './processes';
import { freePort } from './ports';

export interface Websockify {
  url: string;
  log(): string;
  stop(): Promise<void>;
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`websockify exited with ${child.exitCode}:\n${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`websockify did not listen on ${port}:\n${log()}`);
}

export async function startWebsockify(targetHost: string, targetPort: number): Promise<Websockify> {
  const port = await freePort();
  const child = spawn('/usr/bin/websockify', [`127.0.0.1:${port}`, `${targetHost}:${targetPort}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  await waitForPort(port, child, () => out);
  return {
    url: `ws://127.0.0.1:${port}/`,
    log: () => out,
    stop: async () => {
      await stopChild(child);
    },
  };
}
