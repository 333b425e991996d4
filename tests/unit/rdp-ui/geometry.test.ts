// Fitting the desktop into the window and mapping the pointer back onto the machine's pixels.
import { describe, expect, it } from 'vitest';
import { MAX_SIDE, MIN_SIDE, desktopSizeFor, fitDesktop, toDesktop } from '../../../src/rdp/geometry';

describe('fitDesktop', () => {
  it('keeps the aspect ratio and centres the desktop', () => {
    expect(fitDesktop({ width: 1000, height: 1000 }, { width: 1600, height: 900 })).toEqual({
      width: 1000, height: 563, left: 0, top: 218, scale: 0.625,
    });
    expect(fitDesktop({ width: 1000, height: 400 }, { width: 1600, height: 900 })).toMatchObject({ width: 711, height: 400, left: 144, top: 0 });
  });

  it('grows a small desktop to fill the stage', () => {
    expect(fitDesktop({ width: 2048, height: 1536 }, { width: 1024, height: 768 })).toMatchObject({ width: 2048, height: 1536, scale: 2 });
  });

  it('shows nothing while either size is unknown', () => {
    expect(fitDesktop({ width: 0, height: 500 }, { width: 1024, height: 768 })).toMatchObject({ width: 0, height: 0 });
    expect(fitDesktop({ width: 800, height: 500 }, { width: 0, height: 0 })).toMatchObject({ width: 0, height: 0 });
  });
});

describe('toDesktop', () => {
  const rect = { left: 100, top: 50, width: 512, height: 384 }; // a 1024×768 desktop at half size
  const desktop = { width: 1024, height: 768 };

  it('scales CSS pixels to desktop pixels', () => {
    expect(toDesktop(100, 50, rect, desktop)).toEqual({ x: 0, y: 0 });
    expect(toDesktop(356, 242, rect, desktop)).toEqual({ x: 512, y: 384 });
    expect(toDesktop(611.9, 433.9, rect, desktop)).toEqual({ x: 1023, y: 767 });
  });

  it('clamps positions outside the canvas to its edge (a drag that leaves it)', () => {
    expect(toDesktop(0, 0, rect, desktop)).toEqual({ x: 0, y: 0 });
    expect(toDesktop(5000, 5000, rect, desktop)).toEqual({ x: 1023, y: 767 });
    expect(toDesktop(10, 10, { left: 0, top: 0, width: 0, height: 0 }, desktop)).toEqual({ x: 0, y: 0 });
  });
});

describe('desktopSizeFor', () => {
  it('asks for one desktop pixel per device pixel, with an even width', () => {
    expect(desktopSizeFor({ width: 1171, height: 714 })).toEqual({ width: 1170, height: 714 });
    expect(desktopSizeFor({ width: 800, height: 600 }, 2)).toEqual({ width: 1600, height: 1200 });
    expect(desktopSizeFor({ width: 800, height: 600 }, 3)).toEqual({ width: 1600, height: 1200 }); // capped at 2×
    expect(desktopSizeFor({ width: 800, height: 600 }, Number.NaN)).toEqual({ width: 800, height: 600 });
  });

  it('stays within what RDP servers accept', () => {
    expect(desktopSizeFor({ width: 50, height: 20 })).toEqual({ width: MIN_SIDE, height: MIN_SIDE });
    expect(desktopSizeFor({ width: 20000, height: 9000 })).toEqual({ width: MAX_SIDE, height: MAX_SIDE });
  });
});
