// Recognises xrdp's "Connection Log" window in the desktop's first seconds: what xrdp (without NLA)
// draws when the sign-in it was given fails ("login failed for user …"), in place of a session. xrdp
// sends no log-on result a client could read, so the page looks at the pixels instead.
//
// The window's geometry is fixed in xrdp (xrdp/xrdp_wm.c, xrdp_wm_show_log: 400×400 at 10,10, a
// caption bar, then a plain body with the log lines at the top and an OK button at the bottom right);
// its colours come from xrdp.ini, so they are not assumed: the caption bar, the body and the screen
// beside the window must each be one colour, three different ones.
import type { Size } from './geometry';

/** The part of ImageData this reads (tests pass plain objects). */
export interface Pixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** What to read from the canvas: the window and a strip of screen beside it. */
export const LOG_AREA = { width: 480, height: 420 } as const;

const WINDOW = { left: 10, top: 10, size: 400 } as const;

function colourAt(p: Pixels, x: number, y: number): number {
  const i = (y * p.width + x) * 4;
  return (p.data[i] << 16) | (p.data[i + 1] << 8) | p.data[i + 2];
}

/** The one colour of every sampled point, or undefined when they differ. */
function uniform(p: Pixels, xs: number[], ys: number[]): number | undefined {
  let colour: number | undefined;
  for (const y of ys) {
    for (const x of xs) {
      const c = colourAt(p, x, y);
      if (colour === undefined) colour = c;
      else if (c !== colour) return undefined;
    }
  }
  return colour;
}

const range = (from: number, to: number, step: number) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

/**
 * Whether `p` (the desktop's top-left LOG_AREA, read from a desktop of size `desktop`) shows xrdp's
 * Connection Log window. Needs a desktop wide and tall enough to hold it beside some screen.
 */
export function showsXrdpConnectionLog(p: Pixels, desktop: Size): boolean {
  if (desktop.width < LOG_AREA.width || desktop.height < LOG_AREA.height) return false;
  if (p.width < LOG_AREA.width || p.height < LOG_AREA.height) return false;
  const { left, top, size } = WINDOW;
  // The caption bar, right of its title text: one row band across.
  const caption = uniform(p, range(left + 150, left + size - 20, 10), [top + 6, top + 10, top + 14]);
  // The body between the log lines and the OK button.
  const body = uniform(p, range(left + 20, left + size - 90, 10), range(top + 230, top + size - 40, 10));
  // The screen right of the window.
  const screen = uniform(p, range(left + size + 15, LOG_AREA.width - 5, 10), range(top + 20, top + size - 20, 20));
  return caption !== undefined && body !== undefined && screen !== undefined
    && caption !== body && body !== screen && caption !== screen;
}

/** How often, and for how long after the first frame, the canvas is looked at. */
const EVERY_MS = 200;
const FOR_MS = 6000;

/**
 * Watches `canvas` from the first frame: calls `found` once xrdp's Connection Log has been seen in two
 * readings in a row. Returns a function that stops watching (call it when the session shows it started).
 */
export function watchForXrdpLoginFailure(canvas: HTMLCanvasElement, found: () => void): () => void {
  // Read through a small copy made for reading, so the desktop's own canvas stays as IronRDP made it
  // (Chromium warns about repeated reads from a canvas not made for them).
  const copy = new OffscreenCanvas(LOG_AREA.width, LOG_AREA.height);
  const ctx = copy.getContext('2d', { willReadFrequently: true });
  if (!ctx) return () => {};
  const started = performance.now();
  let seen = 0;
  const timer = setInterval(() => {
    if (performance.now() - started > FOR_MS) return stop();
    const desktop = { width: canvas.width, height: canvas.height };
    if (desktop.width < LOG_AREA.width || desktop.height < LOG_AREA.height) return stop();
    let pixels: Pixels;
    try {
      ctx.drawImage(canvas, 0, 0, LOG_AREA.width, LOG_AREA.height, 0, 0, LOG_AREA.width, LOG_AREA.height);
      pixels = ctx.getImageData(0, 0, LOG_AREA.width, LOG_AREA.height);
    } catch {
      return stop();
    }
    seen = showsXrdpConnectionLog(pixels, desktop) ? seen + 1 : 0;
    if (seen >= 2) {
      stop();
      found();
    }
  }, EVERY_MS);
  function stop() {
    clearInterval(timer);
  }
  return stop;
}
