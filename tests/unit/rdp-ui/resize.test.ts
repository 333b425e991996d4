// The desktop following the window: a live resize where the machine takes one, otherwise signing in
// again at the settled size; nothing while turned off. Timers are vitest's fake ones.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ResizeController, type ResizeMode } from '../../../src/rdp/resize';
import type { Size } from '../../../src/rdp/geometry';

const size = (width: number, height: number): Size => ({ width, height });

function setup() {
  const calls: string[] = [];
  const modes: ResizeMode[] = [];
  const c = new ResizeController(size(1200, 700), {
    resizeLive: (s) => calls.push(`live ${s.width}x${s.height}`),
    reconnect: (s) => calls.push(`reconnect ${s.width}x${s.height}`),
    modeChanged: (m) => modes.push(m),
  }, { settleMs: 500, probeMs: 2000 });
  return { c, calls, modes };
}

describe('ResizeController', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('waits for the window to settle, then asks for one live resize to the last size', () => {
    const { c, calls } = setup();
    c.windowChanged(size(1000, 700));
    vi.advanceTimersByTime(300);
    c.windowChanged(size(900, 600));
    vi.advanceTimersByTime(499);
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual(['live 900x600']);
  });

  it('keeps resizing live once the machine has shown it can', () => {
    const { c, calls, modes } = setup();
    c.windowChanged(size(900, 600));
    vi.advanceTimersByTime(600);
    c.desktopChanged();
    expect(modes).toEqual(['live']);
    c.windowChanged(size(800, 500));
    vi.advanceTimersByTime(10_000);
    expect(calls).toEqual(['live 900x600', 'live 800x500']);
    expect(c.mode).toBe('live');
  });

  it('signs in again when the desktop did not change, and from then on goes straight to that', () => {
    const { c, calls, modes } = setup();
    c.windowChanged(size(900, 600));
    vi.advanceTimersByTime(500 + 1999);
    expect(calls).toEqual(['live 900x600']);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual(['live 900x600', 'reconnect 900x600']);
    expect(modes).toEqual(['reconnect']);
    c.windowChanged(size(1100, 650));
    vi.advanceTimersByTime(500);
    expect(calls.at(-1)).toBe('reconnect 1100x650');
  });

  it('uses the latest size when the window moved on while it was probing', () => {
    const { c, calls } = setup();
    c.windowChanged(size(900, 600));
    vi.advanceTimersByTime(600);
    c.windowChanged(size(850, 600));
    vi.advanceTimersByTime(2000);
    expect(calls).toEqual(['live 900x600', 'reconnect 850x600']);
  });

  it('does nothing for the size it already asked for', () => {
    const { c, calls } = setup();
    c.windowChanged(size(1200, 700));
    vi.advanceTimersByTime(10_000);
    expect(calls).toEqual([]);
  });

  it('turned off, only remembers the window; turned on, catches up with it', () => {
    const { c, calls } = setup();
    c.setEnabled(false);
    c.windowChanged(size(900, 600));
    vi.advanceTimersByTime(10_000);
    expect(calls).toEqual([]);
    c.setEnabled(true);
    vi.advanceTimersByTime(500);
    expect(calls).toEqual(['live 900x600']);
    // Turning it off mid-probe cancels the fallback too.
    c.setEnabled(false);
    vi.advanceTimersByTime(10_000);
    expect(calls).toEqual(['live 900x600']);
  });
});
