// What bytes reach the remote shell for some keys: the shell puts its terminal in raw mode (no line
// editing, no echo), reads exactly `count` bytes with dd, and prints them in hex. A byte the page sent
// that it should not have comes first and shifts everything, so the answer is exact.
import type { Page } from '@playwright/test';
import { runInTerminal, waitForTerminal } from './sshd-fixture';

let serial = 0;

/** Runs `press` once the shell reads raw bytes, and returns the first `count` bytes that arrived, as hex ("1b 5b 41"). */
export async function bytesAtShell(page: Page, count: number, press: () => Promise<void>): Promise<string> {
  const tag = `raw${++serial}x${Date.now() % 100000}`;
  // printf's format keeps the markers out of the command line's own echo.
  await runInTerminal(page,
    `stty raw -echo; printf '%s-ready\\r\\n' ${tag}; x=$(timeout --foreground 6 dd bs=1 count=${count} 2>/dev/null | od -An -tx1 | tr -d ' \\n'); stty sane; printf '%s-got:%s.\\n' ${tag} "$x"`);
  await waitForTerminal(page, new RegExp(`^${tag}-ready$`, 'm'));
  await press();
  const [, hex] = await waitForTerminal(page, new RegExp(`^${tag}-got:(.*)\\.$`, 'm'));
  // Printed without spaces, so a phone's narrow terminal does not wrap it.
  return (hex.match(/[0-9a-f]{2}/g) ?? []).join(' ');
}

/** Text as the hex bytes of its UTF-8 encoding, in bytesAtShell's form. */
export function hexOf(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}
