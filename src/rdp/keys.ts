// Which keys the machine believes are held, so that every press gets its release: when the page
// loses focus mid-chord (Alt+Tab away, a dialog opens) the browser never delivers the keyup, and the
// machine would otherwise see Alt stuck down. Pure: events in, scancode events out.
import { scancodeOf } from './keymap';

export interface KeyEvent {
  scancode: number;
  down: boolean;
}

export class KeyTracker {
  /** scancode → the event time of its press. */
  private readonly held = new Map<number, number>();

  /** A keydown: the events to send (empty for keys RDP cannot send). Repeats are sent again. */
  press(code: string, timeStamp = 0, altGraph = false): KeyEvent[] {
    const scancode = scancodeOf(code);
    if (scancode === undefined) return [];
    const out: KeyEvent[] = [];
    // Windows browsers report AltGr as a synthetic ControlLeft then AltRight with one timestamp;
    // the machine must see AltGr alone, or Ctrl+Alt shortcuts fire instead of the character.
    const ctrl = scancodeOf('ControlLeft')!;
    if (code === 'AltRight' && altGraph && this.held.get(ctrl) === timeStamp) {
      this.held.delete(ctrl);
      out.push({ scancode: ctrl, down: false });
    }
    this.held.set(scancode, timeStamp);
    out.push({ scancode, down: true });
    return out;
  }

  /** A keyup: the release, or nothing when the machine never saw the press. */
  release(code: string): KeyEvent[] {
    const scancode = scancodeOf(code);
    if (scancode === undefined || !this.held.delete(scancode)) return [];
    return [{ scancode, down: false }];
  }

  /** Releases everything held, most recent first. */
  releaseAll(): KeyEvent[] {
    const out = [...this.held.keys()].reverse().map((scancode) => ({ scancode, down: false }));
    this.held.clear();
    return out;
  }

  get size(): number {
    return this.held.size;
  }
}

/** A key chord pressed in order and released in reverse, e.g. Ctrl+Alt+Del. */
export function chord(scancodes: readonly number[]): KeyEvent[] {
  return [
    ...scancodes.map((scancode) => ({ scancode, down: true })),
    ...[...scancodes].reverse().map((scancode) => ({ scancode, down: false })),
  ];
}

/** Ctrl+V or Cmd+V (not with Alt, which is AltGr+V on some layouts): the browser's paste shortcut. */
export function isPasteShortcut(e: Pick<KeyboardEvent, 'code' | 'ctrlKey' | 'metaKey' | 'altKey'>): boolean {
  return e.code === 'KeyV' && (e.ctrlKey || e.metaKey) && !e.altKey;
}
