// Full screen for a session's view (the SSH terminal, the RDP desktop): one element fills the screen,
// toggled by a button or Ctrl+Alt+Enter; Escape leaves. While full screen, the Keyboard Lock API (where the
// browser has it) sends the keys a browser would otherwise keep (Ctrl+W, Ctrl+T, Ctrl+N, Ctrl+Tab, F5…) to
// the session; Escape is not locked, so it leaves full screen at once. In a terminal Ctrl+[ sends Escape.

/** For aria-keyshortcuts. */
export const FULLSCREEN_KEYS = 'Control+Alt+Enter';
/** For people. */
export const FULLSCREEN_KEYS_LABEL = 'Ctrl+Alt+Enter';

/** Every key but Escape (KeyboardEvent.code values): what the session gets while full screen. */
const LOCKED_KEYS = [
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('').map((c) => `Key${c}`),
  ...'0123456789'.split('').map((d) => `Digit${d}`),
  ...Array.from({ length: 12 }, (_, i) => `F${i + 1}`).filter((f) => f !== 'F11'),
  'Tab', 'Backquote', 'Minus', 'Equal', 'BracketLeft', 'BracketRight', 'Backslash', 'Semicolon', 'Quote', 'Comma',
  'Period', 'Slash', 'Space', 'Enter', 'Backspace', 'Delete', 'Insert', 'Home', 'End', 'PageUp', 'PageDown',
  'ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'MetaLeft', 'MetaRight', 'AltLeft', 'AltRight',
];

type KeyboardLock = { lock?(codes?: string[]): Promise<void>; unlock?(): void };
const keyboard = () => (navigator as Navigator & { keyboard?: KeyboardLock }).keyboard;

export const fullscreenAvailable = () => typeof document !== 'undefined' && document.fullscreenEnabled;

/** Enters full screen with `element`, or leaves it. A refusal (no user gesture, a policy) is not an error here. */
export async function toggleFullscreen(element: HTMLElement): Promise<void> {
  if (document.fullscreenElement) await document.exitFullscreen().catch(() => undefined);
  else await element.requestFullscreen({ navigationUI: 'hide' }).catch(() => undefined);
}

export function isFullscreenShortcut(e: KeyboardEvent): boolean {
  return e.key === 'Enter' && e.ctrlKey && e.altKey && !e.shiftKey && !e.metaKey;
}

/**
 * Follows whether `element` is full screen (`onChange`), locks the keys while it is, and takes the
 * shortcut and Escape before the session sees them. Returns the unsubscribe.
 */
export function watchFullscreen(element: HTMLElement, onChange: (on: boolean) => void): () => void {
  const changed = () => {
    const on = document.fullscreenElement === element;
    if (on) void keyboard()?.lock?.(LOCKED_KEYS).catch(() => undefined);
    else keyboard()?.unlock?.();
    onChange(on);
  };
  // Capture phase: before xterm.js's textarea or the desktop's canvas turn the keys into input.
  const onKey = (e: KeyboardEvent) => {
    const leave = e.key === 'Escape' && document.fullscreenElement === element;
    if (!isFullscreenShortcut(e) && !leave) return;
    e.preventDefault();
    e.stopPropagation();
    if (!e.repeat) void toggleFullscreen(element);
  };
  document.addEventListener('fullscreenchange', changed);
  element.addEventListener('keydown', onKey, true);
  return () => {
    document.removeEventListener('fullscreenchange', changed);
    element.removeEventListener('keydown', onKey, true);
    if (document.fullscreenElement === element) void document.exitFullscreen().catch(() => undefined);
  };
}
