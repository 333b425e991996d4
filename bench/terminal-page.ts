// The session's terminal in the benchmark's page (bench/cdp.ts): giving it the keys, and waiting for a
// marker the shell prints, as bench/ssh.ts and bench/interactive.ts do.
import type { CdpPage as Page } from './cdp.ts';

export const focusTerminal = (page: Page) => page.evaluate(() => document.querySelector<HTMLTextAreaElement>('.xterm-helper-textarea')!.focus(), null);

/** Resolves with ms from the Enter key until `marker` is drawn in the first `.xterm-rows` of `root`. */
export function armMarker(page: Page, marker: string, rootSelector: string) {
  return page.evaluate(
    ([m, sel]) => {
      const w = window as unknown as { __benchDone: Promise<number>; __benchStart: number; __benchFrames: number };
      w.__benchFrames = 0;
      w.__benchDone = new Promise<number>((resolve) => {
        // Frames drawn: the frames (by their timestamp: several callbacks may run in one) in which the rows changed.
        let frame: CSSNumberish | null = null;
        const observer = new MutationObserver((records) => {
          const rows = document.querySelector(sel);
          if (rows && records.some((r) => rows.contains(r.target)) && document.timeline.currentTime !== frame) {
            frame = document.timeline.currentTime;
            w.__benchFrames++;
          }
          if (!(document.querySelector(sel)?.textContent ?? '').includes(m)) return;
          observer.disconnect();
          resolve(performance.now() - w.__benchStart);
        });
        observer.observe(document.body, { childList: true, subtree: true, characterData: true });
      });
    },
    [marker, rootSelector] as const,
  );
}

/** A run before this one left `marker` on the session's screen: clears the screen, so the next run's marker is its own. */
export async function clearMarker(page: Page, marker: string): Promise<void> {
  const onScreen = () => page.evaluate((m) => document.querySelector('.ssh-terminal .xterm-rows')?.textContent?.includes(m), marker);
  if (!(await onScreen())) return;
  await page.insertText('clear');
  await page.pressEnter();
  while (await onScreen()) await new Promise((r) => setTimeout(r, 50));
}
