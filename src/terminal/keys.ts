// Which keys copy and paste, as in the native terminals of the visitor's platform, and the bytes the
// phone's extra-keys row sends. Pure: no DOM, so it is tested without a browser.
//
//   Linux, Windows (GNOME Terminal, Konsole, Windows Terminal, xterm):
//     paste  Ctrl+Shift+V, Shift+Insert        copy  Ctrl+Shift+C, Ctrl+Insert
//   macOS (Terminal, iTerm2):
//     paste  Cmd+V                             copy  Cmd+C
// Plain Ctrl+V and Ctrl+C stay the shell's (^V quoted-insert, ^C interrupt), as in those terminals.

export type Platform = 'mac' | 'other';

/** The parts of a KeyboardEvent the decision needs. */
export interface KeyLike {
  type: string;
  key: string;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

/** The visitor's platform, from the browser's own report (userAgentData where there is one). */
export function detectPlatform(nav: { platform?: string; userAgentData?: { platform?: string } } | undefined): Platform {
  const name = nav?.userAgentData?.platform || nav?.platform || '';
  return /mac|iphone|ipad|ipod/i.test(name) ? 'mac' : 'other';
}

/** 'copy' or 'paste' when the key is that platform's clipboard shortcut, else null (the key is the shell's). */
export function clipboardKey(e: KeyLike, platform: Platform): 'copy' | 'paste' | null {
  if (e.type !== 'keydown') return null;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (platform === 'mac') {
    if (!e.metaKey || e.ctrlKey || e.altKey || e.shiftKey) return null;
    return key === 'v' ? 'paste' : key === 'c' ? 'copy' : null;
  }
  if (e.metaKey || e.altKey) return null;
  if (e.ctrlKey && e.shiftKey) return key === 'v' ? 'paste' : key === 'c' ? 'copy' : null;
  if (key === 'Insert' && e.shiftKey && !e.ctrlKey) return 'paste';
  if (key === 'Insert' && e.ctrlKey && !e.shiftKey) return 'copy';
  return null;
}

/** The labels and names of the copy and paste keys, for sentences the visitor reads. */
export function clipboardKeyNames(platform: Platform): { copy: string; paste: string } {
  return platform === 'mac' ? { copy: '⌘C', paste: '⌘V' } : { copy: 'Ctrl+Shift+C', paste: 'Ctrl+Shift+V or Shift+Insert' };
}

// ---- the extra-keys row (phones) ----

export interface Modifiers {
  ctrl: boolean;
  alt: boolean;
}

/** What each key of the row sends, before modifiers. Arrows follow the terminal's cursor-key mode (DECCKM). */
export const EXTRA_KEYS = ['Esc', 'Tab', '↑', '↓', '←', '→', '|', '~', '/'] as const;
export type ExtraKey = (typeof EXTRA_KEYS)[number];

const ARROW_LETTER: Partial<Record<ExtraKey, string>> = { '↑': 'A', '↓': 'B', '→': 'C', '←': 'D' };

export function extraKeyText(key: ExtraKey, applicationCursor: boolean): string {
  const arrow = ARROW_LETTER[key];
  if (arrow) return `\x1b${applicationCursor ? 'O' : '['}${arrow}`;
  if (key === 'Esc') return '\x1b';
  if (key === 'Tab') return '\t';
  return key;
}

/**
 * Applies sticky Ctrl and Alt to what the next key sent, as xterm does for the real keys:
 * Ctrl turns a letter or one of @[\]^_ into its control character (Ctrl+? is DEL, Ctrl+Space NUL),
 * an arrow becomes CSI 1;<m> A–D (m = 1 + 2·Alt + 4·Ctrl), and Alt puts ESC before the rest.
 * Anything else (a pasted text, a sequence the modifiers do not apply to) goes as it is.
 */
export function applyModifiers(text: string, mods: Modifiers): string {
  if (!mods.ctrl && !mods.alt) return text;
  const arrow = text.length === 3 && text[0] === '\x1b' && (text[1] === '[' || text[1] === 'O') && 'ABCD'.includes(text[2]);
  if (arrow) return `\x1b[1;${1 + (mods.alt ? 2 : 0) + (mods.ctrl ? 4 : 0)}${text[2]}`;
  if ([...text].length !== 1) return text;
  let out = text;
  if (mods.ctrl) {
    const code = text.toUpperCase().charCodeAt(0);
    if (code >= 0x40 && code <= 0x5f) out = String.fromCharCode(code - 0x40);
    else if (text === '?') out = '\x7f';
    else if (text === ' ') out = '\x00';
  }
  return mods.alt ? `\x1b${out}` : out;
}

/**
 * Font size keys, as in Windows Terminal and GNOME Terminal (⌘ on a Mac): Ctrl+= or Ctrl++ bigger,
 * Ctrl+- smaller, Ctrl+0 back to the default. They take the place of the browser's zoom in the terminal.
 */
export function fontKey(e: KeyLike, platform: Platform): -1 | 0 | 1 | null {
  if (e.type !== 'keydown' || e.altKey) return null;
  const mod = platform === 'mac' ? e.metaKey && !e.ctrlKey : e.ctrlKey && !e.metaKey;
  if (!mod) return null;
  if (e.key === '=' || e.key === '+') return 1;
  if (e.key === '-' && !e.shiftKey) return -1;
  if (e.key === '0' && !e.shiftKey) return 0;
  return null;
}
