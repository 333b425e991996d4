// Ctrl+C during a flood of output, and how long until the shell's next line arrives. Whatever the server
// sent before the interrupt is read (by ssh) or drawn (by Postern's terminal) first, so this is what a
// client's receive window costs the person who wanted the output to stop: the larger the window beyond
// what the client consumes in one go, the more is still on its way when they press Ctrl+C.
import { spawn } from 'node:child_process';

/** What the shell prints once interrupted. The command's own echo shows `$((6*7+1))`, not this. */
export const STOP_MARK = 'STOP-43';

/** Floods the terminal with `file` until interrupted; a subshell's trap then prints STOP_MARK, once `cat` has died of the signal. */
export const floodCommand = (file: string) => `(trap 'echo; echo STOP-$((6*7+1)); exit' INT; while :; do cat ${file}; done)`;

/** How long the flood runs before Ctrl+C: long enough for every buffer on the way to fill. */
export const FLOOD_MS = 1000;

/**
 * OpenSSH's own client (`ssh -tt` with `sshArgs`, reading into this process): from Ctrl+C (0x03 on its
 * stdin, which the server's pty turns into SIGINT) to STOP_MARK in its output.
 */
export async function opensshInterrupt(sshArgs: string[], prompt: RegExp, file: string): Promise<number> {
  const child = spawn('ssh', ['-tt', ...sshArgs], { stdio: ['pipe', 'pipe', 'ignore'] });
  let tail = '';
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`ssh exited with ${code}: ${tail}`))));
  const seen = (pattern: RegExp) => Promise.race([exited, new Promise<void>((resolve) => {
    const check = (data: Buffer) => {
      tail = (tail + data.toString('latin1')).slice(-256); // the end is all we look at, 60 MB a second
      if (!pattern.test(tail)) return;
      child.stdout.off('data', check);
      resolve();
    };
    child.stdout.on('data', check);
  })]);
  try {
    await seen(prompt);
    child.stdin.write(`${floodCommand(file)}\n`);
    await new Promise((r) => setTimeout(r, FLOOD_MS));
    const t0 = performance.now();
    child.stdin.write('\x03');
    await seen(new RegExp(STOP_MARK));
    return performance.now() - t0;
  } finally {
    child.kill();
  }
}
