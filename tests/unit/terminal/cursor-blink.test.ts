// The cursor's blink on an injected timer: it alternates each tick while running, stays on for a whole
// phase after the cursor moves, stops (shown) once the cursor has been still for the timeout, and is
// left on when stopped.
import { describe, expect, it } from 'vitest';
import { BLINK_MS, BLINK_TIMEOUT_MS, CursorBlink } from '../../../src/terminal/cursor-blink';

function stage() {
  const shown: boolean[] = [];
  let tick: (() => void) | undefined;
  let period = 0;
  const blink = new CursorBlink({
    show: (on) => shown.push(on),
    every: (ms, fn) => {
      period = ms;
      tick = fn;
      return () => (tick = undefined);
    },
  });
  return { blink, shown, tick: () => tick?.(), ticking: () => tick !== undefined, period: () => period };
}

describe('CursorBlink', () => {
  it('alternates off and on every phase while running', () => {
    const { blink, shown, tick, period } = stage();
    blink.running = true;
    expect(period()).toBe(BLINK_MS);
    for (let i = 0; i < 4; i++) tick();
    expect(shown).toEqual([false, true, false, true]);
  });

  it('shows a cursor that moved at once, and keeps it on through the next tick', () => {
    const { blink, shown, tick } = stage();
    blink.running = true;
    tick(); // off
    blink.moved();
    expect(shown).toEqual([false, true]);
    tick(); // the move's phase: stays on
    expect(shown).toEqual([false, true]);
    tick();
    expect(shown).toEqual([false, true, false]);
  });

  it('moving an already shown cursor changes nothing on screen', () => {
    const { blink, shown } = stage();
    blink.running = true;
    blink.moved();
    blink.moved();
    expect(shown).toEqual([]);
  });

  it('stopping leaves the cursor on and the timer ended; starting twice keeps one timer', () => {
    const { blink, shown, tick, ticking } = stage();
    blink.running = true;
    blink.running = true;
    tick();
    blink.running = false;
    expect(shown).toEqual([false, true]);
    expect(ticking()).toBe(false);
    blink.running = true;
    expect(ticking()).toBe(true);
    blink.dispose();
    expect(ticking()).toBe(false);
  });

  it('stops blinking, shown, once the cursor has been still for the timeout, and starts again when it moves', () => {
    const { blink, shown, tick, ticking } = stage();
    blink.running = true;
    const ticks = BLINK_TIMEOUT_MS / BLINK_MS;
    for (let i = 0; i < ticks - 1; i++) tick();
    expect(ticking()).toBe(true);
    tick();
    expect(ticking()).toBe(false);
    expect(shown.at(-1)).toBe(true);
    blink.moved();
    expect(ticking()).toBe(true);
    tick(); // the move's phase
    tick();
    expect(shown.at(-1)).toBe(false);
  });

  it('a moving cursor keeps blinking past the timeout', () => {
    const { blink, tick, ticking } = stage();
    blink.running = true;
    for (let i = 0; i < (3 * BLINK_TIMEOUT_MS) / BLINK_MS; i++) {
      if (i % 4 === 0) blink.moved();
      tick();
    }
    expect(ticking()).toBe(true);
  });

  it('a cursor that moves while the terminal is not focused does not start the blink', () => {
    const { blink, ticking } = stage();
    blink.moved();
    expect(ticking()).toBe(false);
  });
});
