// Physical keys to RDP scancodes, and the bookkeeping that releases every key the machine saw pressed.
import { describe, expect, it } from 'vitest';
import { CTRL_ALT_DEL, KNOWN_CODES, isExtended, scancodeOf } from '../../../src/rdp/keymap';
import { KeyTracker, chord, isPasteShortcut } from '../../../src/rdp/keys';

describe('scancodeOf', () => {
  it('maps letters, digits and punctuation by position (set 1 make codes)', () => {
    expect(scancodeOf('KeyA')).toBe(0x1e);
    expect(scancodeOf('KeyQ')).toBe(0x10); // "A" on an AZERTY keyboard: the machine's layout decides
    expect(scancodeOf('Digit1')).toBe(0x02);
    expect(scancodeOf('Digit0')).toBe(0x0b);
    expect(scancodeOf('Slash')).toBe(0x35);
    expect(scancodeOf('IntlBackslash')).toBe(0x56); // the extra key left of Z on ISO keyboards
    expect(scancodeOf('Space')).toBe(0x39);
  });

  it('marks E0-prefixed keys as extended: right-hand modifiers, arrows, the editing block, Meta', () => {
    const extended: Record<string, number> = {
      AltRight: 0xe038, ControlRight: 0xe01d, NumpadEnter: 0xe01c, NumpadDivide: 0xe035,
      ArrowUp: 0xe048, ArrowDown: 0xe050, ArrowLeft: 0xe04b, ArrowRight: 0xe04d,
      Insert: 0xe052, Delete: 0xe053, Home: 0xe047, End: 0xe04f, PageUp: 0xe049, PageDown: 0xe051,
      MetaLeft: 0xe05b, MetaRight: 0xe05c, ContextMenu: 0xe05d, PrintScreen: 0xe037,
    };
    for (const [code, sc] of Object.entries(extended)) {
      expect(scancodeOf(code), code).toBe(sc);
      expect(isExtended(sc), code).toBe(true);
    }
    expect(scancodeOf('OSLeft')).toBe(0xe05b); // the name older browsers used
  });

  it('keeps the numpad apart from the editing block it shares codes with', () => {
    expect(scancodeOf('Numpad7')).toBe(0x47);
    expect(scancodeOf('Home')).toBe(0xe047);
    expect(scancodeOf('NumpadDecimal')).toBe(0x53);
    expect(scancodeOf('Delete')).toBe(0xe053);
    expect(scancodeOf('NumpadEnter')).not.toBe(scancodeOf('Enter'));
    expect(isExtended(scancodeOf('NumpadMultiply')!)).toBe(false);
  });

  it('covers F1–F12 (F11 and F12 are not next to F10)', () => {
    const f = Array.from({ length: 12 }, (_, i) => scancodeOf(`F${i + 1}`));
    expect(f).toEqual([0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41, 0x42, 0x43, 0x44, 0x57, 0x58]);
  });

  it('returns undefined for keys RDP cannot send, and never maps two codes to one scancode', () => {
    for (const code of ['Pause', 'Fn', 'Unidentified', '', 'keya']) expect(scancodeOf(code), code).toBeUndefined();
    const seen = new Map<number, string>();
    for (const code of KNOWN_CODES) {
      const sc = scancodeOf(code)!;
      expect(seen.get(sc), `${code} collides with ${seen.get(sc)}`).toBeUndefined();
      seen.set(sc, code);
    }
    expect(KNOWN_CODES.length).toBeGreaterThan(100);
  });
});

describe('KeyTracker', () => {
  it('pairs every press with its release and ignores releases it never saw', () => {
    const t = new KeyTracker();
    expect(t.press('ShiftLeft')).toEqual([{ scancode: 0x2a, down: true }]);
    expect(t.press('KeyA')).toEqual([{ scancode: 0x1e, down: true }]);
    expect(t.release('KeyA')).toEqual([{ scancode: 0x1e, down: false }]);
    expect(t.release('KeyA')).toEqual([]); // e.g. pressed before the desktop had focus
    expect(t.release('KeyB')).toEqual([]);
    expect(t.press('Pause')).toEqual([]);
    expect(t.size).toBe(1);
  });

  it('sends auto-repeat as further presses', () => {
    const t = new KeyTracker();
    t.press('KeyX');
    expect(t.press('KeyX')).toEqual([{ scancode: 0x2d, down: true }]);
    expect(t.size).toBe(1);
  });

  it('releases everything held, most recent first (focus lost mid-chord)', () => {
    const t = new KeyTracker();
    t.press('ControlLeft');
    t.press('AltLeft');
    t.press('ArrowRight');
    expect(t.releaseAll()).toEqual([
      { scancode: 0xe04d, down: false }, { scancode: 0x38, down: false }, { scancode: 0x1d, down: false },
    ]);
    expect(t.size).toBe(0);
    expect(t.releaseAll()).toEqual([]);
  });

  it('drops the synthetic Ctrl that Windows browsers send with AltGr', () => {
    const t = new KeyTracker();
    t.press('ControlLeft', 100);
    expect(t.press('AltRight', 100, true)).toEqual([{ scancode: 0x1d, down: false }, { scancode: 0xe038, down: true }]);
    expect(t.release('ControlLeft')).toEqual([]);
    // A real Ctrl held earlier, then AltGr: both stay.
    const u = new KeyTracker();
    u.press('ControlLeft', 100);
    expect(u.press('AltRight', 250, true)).toEqual([{ scancode: 0xe038, down: true }]);
    // Right Alt on a US layout (no AltGraph): Ctrl stays.
    const v = new KeyTracker();
    v.press('ControlLeft', 100);
    expect(v.press('AltRight', 100, false)).toEqual([{ scancode: 0xe038, down: true }]);
  });
});

describe('chords and shortcuts', () => {
  it('presses Ctrl+Alt+Del in order and releases in reverse', () => {
    expect(chord(CTRL_ALT_DEL)).toEqual([
      { scancode: 0x1d, down: true }, { scancode: 0x38, down: true }, { scancode: 0xe053, down: true },
      { scancode: 0xe053, down: false }, { scancode: 0x38, down: false }, { scancode: 0x1d, down: false },
    ]);
  });

  it('recognises the paste shortcut, but not AltGr+V', () => {
    const k = (o: Partial<KeyboardEvent>) => ({ code: 'KeyV', ctrlKey: false, metaKey: false, altKey: false, ...o });
    expect(isPasteShortcut(k({ ctrlKey: true }))).toBe(true);
    expect(isPasteShortcut(k({ metaKey: true }))).toBe(true);
    expect(isPasteShortcut(k({ ctrlKey: true, altKey: true }))).toBe(false);
    expect(isPasteShortcut(k({}))).toBe(false);
    expect(isPasteShortcut(k({ code: 'KeyC', ctrlKey: true }))).toBe(false);
  });
});
