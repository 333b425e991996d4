// Reads the RDP desktop's canvas in the page: how many distinct colours it shows (a blank or
// half-drawn desktop has few; the harness's xterm palette has hundreds).
import type { Page } from '@playwright/test';

export const DESKTOP_CANVAS = '.rdp-stage canvas';

/** Distinct RGB colours on the desktop canvas, sampling every 7th pixel. */
export function canvasColours(page: Page): Promise<number> {
  return page.evaluate((selector) => {
    const c = document.querySelector<HTMLCanvasElement>(selector);
    if (!c || c.width === 0 || c.height === 0) return 0;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 4 * 7) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return seen.size;
  }, DESKTOP_CANVAS);
}
