// RDP end to end: whether this machine can run xrdp (needXrdp), and the desktop's canvas in the page:
// how many distinct colours it shows (a blank or half-drawn desktop has few; the harness's xterm
// palette has hundreds).
import { test, type Page } from '@playwright/test';
import { xrdpUnavailable } from '../support/xrdp';

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

// ---- BMP files, as X applications put them on the clipboard (image/bmp) ----
//   BITMAPFILEHEADER 'BM' | size u32 | reserved u32 | pixel offset u32, then BITMAPINFOHEADER (40
//   bytes) or a larger one, then rows bottom-up (top-down when the height is negative), each padded
//   to 4 bytes, blue-green-red(-alpha).

export type Rgb = [number, number, number];

/** A 24-bit bottom-up BMP file whose pixels come from `colour`. */
export function bmpFile(width: number, height: number, colour: (x: number, y: number) => Rgb): Buffer {
  const stride = Math.ceil((width * 3) / 4) * 4;
  const b = Buffer.alloc(54 + stride * height);
  b.write('BM', 0, 'latin1');
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(width, 18);
  b.writeInt32LE(height, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  b.writeUInt32LE(stride * height, 34);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, bl] = colour(x, y);
      const at = 54 + (height - 1 - y) * stride + x * 3;
      b[at] = bl;
      b[at + 1] = g;
      b[at + 2] = r;
    }
  }
  return b;
}

/** Reads a 24- or 32-bit uncompressed BMP file: its size and the colour at (x, y), top-left origin. */
export function readBmp(file: Buffer): { width: number; height: number; bits: number; pixel(x: number, y: number): Rgb } {
  if (file.toString('latin1', 0, 2) !== 'BM') throw new Error('not a BMP file');
  const offset = file.readUInt32LE(10);
  const width = file.readInt32LE(18);
  const rawHeight = file.readInt32LE(22);
  const bits = file.readUInt16LE(28);
  const compression = file.readUInt32LE(30);
  if ((bits !== 24 && bits !== 32) || (compression !== 0 && compression !== 3)) throw new Error(`unexpected BMP: ${bits} bits, compression ${compression}`);
  const height = Math.abs(rawHeight);
  const stride = Math.ceil((width * bits) / 32) * 4;
  if (file.length < offset + stride * height) throw new Error(`BMP too short: ${file.length} < ${offset + stride * height}`);
  return {
    width, height, bits,
    pixel(x, y) {
      const row = rawHeight > 0 ? height - 1 - y : y;
      const at = offset + row * stride + x * (bits / 8);
      return [file[at + 2], file[at + 1], file[at]];
    },
  };
}

/** RDP specs need xrdp and root: outside CI a machine without them skips the file, saying why; in CI it must run. */
export function needXrdp(): void {
  const why = xrdpUnavailable();
  test.skip(!!why && !process.env.CI, why ?? '');
  test.describe.configure({ timeout: 120_000 });
}
