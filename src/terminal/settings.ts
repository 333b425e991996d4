// The visitor's terminal settings, remembered in this browser (localStorage): font size, colour scheme,
// whether a right click pastes (off by default, as in PuTTY's and Windows Terminal's setting), and which
// renderer draws the terminal (renderer.ts: the DOM one unless the visitor chooses WebGL).
// What is read back is checked field by field: a stored value that is not valid falls back to the default.
import type { ITheme } from '@xterm/xterm';
import type { RendererName } from './renderer';

export const SCHEMES = {
  dark: { label: 'Dark', theme: { background: '#000000', foreground: '#e6e6e6', cursor: '#e6e6e6', selectionBackground: '#4d6a99' } },
  light: {
    label: 'Light',
    theme: {
      background: '#ffffff', foreground: '#1e1e1e', cursor: '#1e1e1e', cursorAccent: '#ffffff', selectionBackground: '#b4cdf0',
      // The default palette's yellow, white and cyan are unreadable on white: darker ones, as light terminal themes use.
      black: '#000000', red: '#b91c1c', green: '#166534', yellow: '#854d0e', blue: '#1d4ed8', magenta: '#86198f', cyan: '#0e7490', white: '#6b7280',
      brightBlack: '#4b5563', brightRed: '#dc2626', brightGreen: '#15803d', brightYellow: '#a16207', brightBlue: '#2563eb',
      brightMagenta: '#a21caf', brightCyan: '#0891b2', brightWhite: '#374151',
    },
  },
  contrast: {
    label: 'High contrast',
    theme: {
      background: '#000000', foreground: '#ffffff', cursor: '#ffff00', cursorAccent: '#000000', selectionBackground: '#ffff00',
      selectionForeground: '#000000', black: '#000000', red: '#ff6b6b', green: '#5fff5f', yellow: '#ffff00', blue: '#8cb4ff',
      magenta: '#ff8cff', cyan: '#5fffff', white: '#ffffff', brightBlack: '#c0c0c0', brightRed: '#ff8c8c', brightGreen: '#8cff8c',
      brightYellow: '#ffff8c', brightBlue: '#b4ceff', brightMagenta: '#ffb4ff', brightCyan: '#8cffff', brightWhite: '#ffffff',
    },
  },
} as const satisfies Record<string, { label: string; theme: ITheme }>;

export type SchemeName = keyof typeof SCHEMES;

export interface TerminalSettings {
  fontSize: number;
  scheme: SchemeName;
  rightClickPaste: boolean;
  renderer: RendererName;
}

export const FONT_SIZE = { min: 8, max: 32, default: 14 } as const;
export const DEFAULT_SETTINGS: TerminalSettings = { fontSize: FONT_SIZE.default, scheme: 'dark', rightClickPaste: false, renderer: 'dom' };
export const SETTINGS_STORAGE_KEY = 'postern.terminal';

export interface SettingsStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const isScheme = (v: unknown): v is SchemeName => typeof v === 'string' && Object.hasOwn(SCHEMES, v);
const isFontSize = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= FONT_SIZE.min && (v as number) <= FONT_SIZE.max;

/** A font size one step bigger (+1) or smaller (-1), kept within the bounds; 0 resets it. */
export function stepFontSize(size: number, step: -1 | 0 | 1): number {
  if (step === 0) return FONT_SIZE.default;
  return Math.min(FONT_SIZE.max, Math.max(FONT_SIZE.min, size + step));
}

/** Settings from stored text: each valid field is kept, anything else is the default. */
export function parseSettings(text: string | null): TerminalSettings {
  let stored: Record<string, unknown> = {};
  try {
    const value: unknown = text ? JSON.parse(text) : {};
    if (value && typeof value === 'object' && !Array.isArray(value)) stored = value as Record<string, unknown>;
  } catch {
    // Not JSON: the defaults.
  }
  return {
    fontSize: isFontSize(stored.fontSize) ? stored.fontSize : DEFAULT_SETTINGS.fontSize,
    scheme: isScheme(stored.scheme) ? stored.scheme : DEFAULT_SETTINGS.scheme,
    rightClickPaste: typeof stored.rightClickPaste === 'boolean' ? stored.rightClickPaste : DEFAULT_SETTINGS.rightClickPaste,
    renderer: stored.renderer === 'webgl' ? 'webgl' : DEFAULT_SETTINGS.renderer,
  };
}

export function loadSettings(storage: SettingsStorage | undefined): TerminalSettings {
  try {
    return parseSettings(storage?.getItem(SETTINGS_STORAGE_KEY) ?? null);
  } catch {
    return { ...DEFAULT_SETTINGS }; // storage blocked: the defaults for this visit
  }
}

/** Stores the settings after checking them again; invalid fields are stored as their defaults. */
export function saveSettings(storage: SettingsStorage | undefined, settings: TerminalSettings): TerminalSettings {
  const valid = parseSettings(JSON.stringify(settings));
  try {
    storage?.setItem(SETTINGS_STORAGE_KEY, JSON.stringify(valid));
  } catch {
    // Storage blocked or full: the settings hold for this page only.
  }
  return valid;
}
