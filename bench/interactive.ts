// What a person at the keyboard feels, in Postern's terminal and in OpenSSH's own client (bench/ssh.ts
// runs both against the same server):
//   a keystroke's echo: from the key to the server's echo of it, one key at a time;
//   Ctrl+C during a flood of output, until the shell's next line. Whatever the server sent before the
//   interrupt is read (by ssh) or drawn (by Postern's terminal) first, so this is what a client's receive
//   window costs the person who wanted the output to stop: the larger it is beyond what the client
//   consumes in one go, the more is still on its way when they press Ctrl+C.
// ssh reads into this process and draws nothing, so its figures are a floor rather than a like-for-like.
import { spawn } from 'node:child_process';
import type { CdpPage as Page } from './cdp.ts';
import { armMarker, clearMarker, focusTerminal } from './terminal-page.ts';

/** What the shell prints once interrupted. The command's own echo shows `$((6*7+1))`, not this. */
const STOP_MARK = 'STOP-43';

/** Floods the terminal with `file` until interrupted; a subshell's trap then prints STOP_MARK, once `cat` has died of the signal. */
const floodCommand = (file: string) => `(trap 'echo; echo STOP-$((6*7+1)); exit' INT; while :; do cat ${file}; done)`;

/** How long the flood runs before Ctrl+C: long enough for every buffer on the way to fill. */
const FLOOD_MS = 1000;

/** Typed one key at a time at the prompt: no letter repeats, so each prefix ends the line only once it is echoed. */
const TYPED = 'kqjxzvwbfgmhpd';

/** The pause between keystrokes, as a typist's: each echo comes back to an idle session. */
const KEY_GAP_MS = 60;

interface OpensshAtPrompt {
  write(text: string): void;
  /** Resolves once the end of ssh's output matches `pattern`. */
  seen(pattern: RegExp): Promise<void>;
}

/** `ssh -tt` with `sshArgs`, at the shell's prompt, for `use`; ends it afterwards. */
async function atPrompt<T>(sshArgs: string[], prompt: RegExp, use: (ssh: OpensshAtPrompt) => Promise<T>): Promise<T> {
  const child = spawn('ssh', ['-tt', ...sshArgs], { stdio: ['pipe', 'pipe', 'ignore'] });
  let tail = '';
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`ssh exited with ${code}: ${tail}`))));
  const seen = (pattern: RegExp) => Promise.race([exited, new Promise<void>((resolve) => {
    const check = (data: Buffer) => {
      tail = (tail + data.toString('latin1')).slice(-256); // the end is all we look at, 60 MB a second in a flood
      if (!pattern.test(tail)) return;
      child.stdout.off('data', check);
      resolve();
    };
    child.stdout.on('data', check);
  })]);
  try {
    await seen(prompt);
    return await use({ write: (text) => child.stdin.write(text), seen });
  } finally {
    child.kill();
  }
}

/** From Ctrl+C (0x03 on ssh's stdin, which the server's pty turns into SIGINT) to STOP_MARK in its output. */
export function opensshInterrupt(sshArgs: string[], prompt: RegExp, file: string): Promise<number> {
  return atPrompt(sshArgs, prompt, async (ssh) => {
    ssh.write(`${floodCommand(file)}\n`);
    await new Promise((r) => setTimeout(r, FLOOD_MS));
    const t0 = performance.now();
    ssh.write('\x03');
    await ssh.seen(new RegExp(STOP_MARK));
    return performance.now() - t0;
  });
}

/** Each of TYPED's keys, from writing it to ssh's stdin until the server's echo of it is read, in ms. */
export function opensshEcho(sshArgs: string[], prompt: RegExp): Promise<number[]> {
  return atPrompt(sshArgs, prompt, async (ssh) => {
    const times: number[] = [];
    for (let i = 0; i < TYPED.length; i++) {
      await new Promise((r) => setTimeout(r, KEY_GAP_MS));
      const t0 = performance.now();
      ssh.write(TYPED[i]);
      await ssh.seen(new RegExp(`${TYPED.slice(0, i + 1)}$`));
      times.push(performance.now() - t0);
    }
    return times;
  });
}

/** Each of TYPED's keys in the session's terminal, from its keydown until its echo is drawn in ms. */
export async function sessionEcho(page: Page): Promise<number[]> {
  await focusTerminal(page);
  const times: number[] = [];
  for (let i = 0; i < TYPED.length; i++) {
    await new Promise((r) => setTimeout(r, KEY_GAP_MS));
    await page.evaluate((expected) => {
      const w = window as unknown as { __echo: Promise<number> };
      w.__echo = new Promise<number>((resolve) => {
        let t0 = 0;
        addEventListener('keydown', () => (t0 = performance.now()), { capture: true, once: true });
        const rows = document.querySelector('.ssh-terminal .xterm-rows')!;
        const observer = new MutationObserver(() => {
          // The cursor's row: the prompt's line, where the echo lands.
          if (!rows.querySelector('.xterm-cursor')?.parentElement?.textContent?.trimEnd().endsWith(expected)) return;
          observer.disconnect();
          resolve(performance.now() - t0);
        });
        observer.observe(rows, { childList: true, subtree: true, characterData: true });
      });
    }, TYPED.slice(0, i + 1));
    await page.pressKey(TYPED[i]);
    times.push(await page.evaluate(() => (window as unknown as { __echo: Promise<number> }).__echo, null));
  }
  await page.pressKey('u', true); // the line is the shell's again, empty
  return times;
}

/** Ctrl+C in the session's terminal during a flood: ms until the shell's line after it is drawn. */
export async function sessionInterrupt(page: Page, file: string): Promise<number> {
  await focusTerminal(page);
  await clearMarker(page, STOP_MARK);
  await armMarker(page, STOP_MARK, '.ssh-terminal .xterm-rows');
  await page.insertText(floodCommand(file));
  await page.pressEnter();
  await new Promise((r) => setTimeout(r, FLOOD_MS));
  await page.evaluate(() => ((window as unknown as { __benchStart: number }).__benchStart = performance.now()), null);
  await page.pressKey('c', true);
  return page.evaluate(() => (window as unknown as { __benchDone: Promise<number> }).__benchDone, null);
}
