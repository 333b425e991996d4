// Physical keys to RDP scancodes. The desktop sends where a key sits, never what it types: the
// machine applies its own keyboard layout, as with a keyboard plugged into it, so AltGr, dead
// keys and non-US layouts work once the machine's layout matches the visitor's.
//
// Values are IBM PC "set 1" make codes, which RDP carries in its keyboard events
// (MS-RDPBCGR 2.2.8.1.2.2.1, TS_FP_KEYBOARD_EVENT). Keys sent with an E0 prefix on a PC keyboard
// set KBDFLAGS_EXTENDED in RDP; IronRDP takes those as 0xE000 | code (ironrdp-input
// `Scancode::from_u16`). Pause (E1 1D 45) needs the EXTENDED1 flag, which IronRDP's web API
// cannot send, so it is left out. Key names are `KeyboardEvent.code` values (UI Events KeyboardEvent
// code Values, W3C), which name the key's position on a US keyboard whatever the layout.

const EXTENDED = 0xe000;

const BASIC: Record<string, number> = {
  Escape: 0x01,
  Digit1: 0x02, Digit2: 0x03, Digit3: 0x04, Digit4: 0x05, Digit5: 0x06,
  Digit6: 0x07, Digit7: 0x08, Digit8: 0x09, Digit9: 0x0a, Digit0: 0x0b,
  Minus: 0x0c, Equal: 0x0d, Backspace: 0x0e, Tab: 0x0f,
  KeyQ: 0x10, KeyW: 0x11, KeyE: 0x12, KeyR: 0x13, KeyT: 0x14,
  KeyY: 0x15, KeyU: 0x16, KeyI: 0x17, KeyO: 0x18, KeyP: 0x19,
  BracketLeft: 0x1a, BracketRight: 0x1b, Enter: 0x1c, ControlLeft: 0x1d,
  KeyA: 0x1e, KeyS: 0x1f, KeyD: 0x20, KeyF: 0x21, KeyG: 0x22,
  KeyH: 0x23, KeyJ: 0x24, KeyK: 0x25, KeyL: 0x26,
  Semicolon: 0x27, Quote: 0x28, Backquote: 0x29, ShiftLeft: 0x2a, Backslash: 0x2b,
  KeyZ: 0x2c, KeyX: 0x2d, KeyC: 0x2e, KeyV: 0x2f, KeyB: 0x30, KeyN: 0x31, KeyM: 0x32,
  Comma: 0x33, Period: 0x34, Slash: 0x35, ShiftRight: 0x36,
  NumpadMultiply: 0x37, AltLeft: 0x38, Space: 0x39, CapsLock: 0x3a,
  F1: 0x3b, F2: 0x3c, F3: 0x3d, F4: 0x3e, F5: 0x3f,
  F6: 0x40, F7: 0x41, F8: 0x42, F9: 0x43, F10: 0x44,
  NumLock: 0x45, ScrollLock: 0x46,
  Numpad7: 0x47, Numpad8: 0x48, Numpad9: 0x49, NumpadSubtract: 0x4a,
  Numpad4: 0x4b, Numpad5: 0x4c, Numpad6: 0x4d, NumpadAdd: 0x4e,
  Numpad1: 0x4f, Numpad2: 0x50, Numpad3: 0x51, Numpad0: 0x52, NumpadDecimal: 0x53,
  IntlBackslash: 0x56, F11: 0x57, F12: 0x58, NumpadEqual: 0x59,
  F13: 0x64, F14: 0x65, F15: 0x66, F16: 0x67, F17: 0x68, F18: 0x69,
  F19: 0x6a, F20: 0x6b, F21: 0x6c, F22: 0x6d, F23: 0x6e, F24: 0x76,
  KanaMode: 0x70, IntlRo: 0x73, Convert: 0x79, NonConvert: 0x7b, IntlYen: 0x7d, NumpadComma: 0x7e,
};

/** Keys a PC keyboard sends with the E0 prefix. */
const E0: Record<string, number> = {
  MediaTrackPrevious: 0x10, MediaTrackNext: 0x19,
  NumpadEnter: 0x1c, ControlRight: 0x1d,
  AudioVolumeMute: 0x20, MediaPlayPause: 0x22, MediaStop: 0x24,
  AudioVolumeDown: 0x2e, AudioVolumeUp: 0x30, BrowserHome: 0x32,
  NumpadDivide: 0x35, PrintScreen: 0x37,
  // AltGr on most non-US layouts: the machine's layout turns it into ISO_Level3_Shift / AltGr.
  AltRight: 0x38,
  Home: 0x47, ArrowUp: 0x48, PageUp: 0x49, ArrowLeft: 0x4b, ArrowRight: 0x4d,
  End: 0x4f, ArrowDown: 0x50, PageDown: 0x51, Insert: 0x52, Delete: 0x53,
  MetaLeft: 0x5b, MetaRight: 0x5c, ContextMenu: 0x5d, Power: 0x5e, Sleep: 0x5f, WakeUp: 0x63,
  BrowserSearch: 0x65, BrowserFavorites: 0x66, BrowserRefresh: 0x67, BrowserStop: 0x68,
  BrowserForward: 0x69, BrowserBack: 0x6a, LaunchApp1: 0x6b, LaunchMail: 0x6c, MediaSelect: 0x6d,
};

/** Names older browsers used for the same keys. */
const ALIASES: Record<string, string> = { OSLeft: 'MetaLeft', OSRight: 'MetaRight' };

/**
 * The RDP scancode for a `KeyboardEvent.code`, as IronRDP takes it (0xE000 | code for extended
 * keys), or undefined for a key RDP cannot send (e.g. "Pause", "Fn", "Unidentified").
 */
export function scancodeOf(code: string): number | undefined {
  const name = ALIASES[code] ?? code;
  if (name in BASIC) return BASIC[name];
  if (name in E0) return EXTENDED | E0[name];
  return undefined;
}

export const isExtended = (scancode: number): boolean => (scancode & EXTENDED) === EXTENDED;

/** Ctrl+Alt+Del, which the browser's own OS would catch: pressed in order, released in reverse. */
export const CTRL_ALT_DEL: readonly number[] = [BASIC.ControlLeft, BASIC.AltLeft, EXTENDED | E0.Delete];

/** Every code this map knows, for tests and for releasing keys. */
export const KNOWN_CODES: readonly string[] = [...Object.keys(BASIC), ...Object.keys(E0)];
