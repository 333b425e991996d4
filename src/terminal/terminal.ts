// The terminal component: xterm.js 6 with the fit, web-links, unicode11 and search addons (and the WebGL
// renderer where the visitor chose it: renderer.ts), fitted to its host element and following it when
// the window resizes, its cursor blinking by a timer (cursor-blink.ts). It knows nothing of SSH: bytes
// go in with write(), keystrokes come out through onInput, and size changes through onResize.
//
// Clipboard, per the visitor's "share clipboard" toggle within the link's clipboard rule, each way
// (the toggle may change during the session: setClipboard). The keys are the platform's (keys.ts):
//   from (machine → page): Ctrl+Shift+C (⌘C on a Mac) and the browser's copy put the selection on the system clipboard;
//   to (page → machine): Ctrl+Shift+V or Shift+Insert (⌘V), the browser's paste and the context menu paste from it.
// Plain Ctrl+V stays the shell's (^V), as in native terminals. A closed way never touches the system
// clipboard: copy and paste then still work inside this terminal, through a buffer that never leaves
// the page, and a paste says it was blocked (onPasteBlocked). With both closed the context menu is
// suppressed. A right click pastes when the visitor turned that on (settings.ts).
// For SSH this is advisory (end to end, the proxy cannot see it); the page holds it.
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { WebLinksAddon } from '@xterm/addon-web-links';
import '@xterm/xterm/css/xterm.css';
import type { ClipboardWays } from '../session/contract';
import { whenIdle } from '../ui/when-idle';
import { CursorBlink } from './cursor-blink';
import './cursor-blink.css';
import { applyModifiers, clipboardKey, detectPlatform, fontKey, extraKeyText, type ExtraKey, type Modifiers, type Platform } from './keys';
import { OutputPacer } from './output-pacer';
import { TerminalRenderer } from './renderer';
import { SCHEMES, type TerminalSettings } from './settings';

export interface TerminalViewOptions {
  /** Which ways the system clipboard may be used: `to` pastes into the session, `from` copies out of it. */
  clipboard: ClipboardWays;
  /** Keystrokes and pastes, UTF-8 encoded, for the remote side. */
  onInput(bytes: Uint8Array): void;
  onResize(cols: number, rows: number): void;
  /** The visitor's font size, colour scheme and right-click choice. */
  settings: TerminalSettings;
  /** A paste key or paste event met a closed "to" way; `local` when this terminal's own copy was pasted instead. */
  onPasteBlocked?(local: boolean): void;
  /** A font size key: one step bigger (1), smaller (-1), or the default (0). */
  onFontStep?(step: -1 | 0 | 1): void;
  /** The sticky modifiers were used up by a key (the extra-keys row shows them released). */
  onModifiersUsed?(): void;
}

const encoder = new TextEncoder();

export class TerminalView {
  readonly term: Terminal;
  private readonly fit = new FitAddon();
  private readonly search = new SearchAddon();
  private readonly renderer: TerminalRenderer;
  private readonly pacer: OutputPacer;
  private readonly blink: CursorBlink;
  /** Whether xterm.js's textarea has the focus (it takes the keys). */
  private focused = false;
  private readonly cleanups: Array<() => void> = [];
  /** The copy buffer used for a way that is not shared. */
  private localClip = '';
  private fitFrame = 0;
  private cancelRespace: (() => void) | undefined;
  private clipboard: ClipboardWays;
  private settings: TerminalSettings;
  private readonly platform: Platform = detectPlatform(globalThis.navigator);
  /** A paste key went to the browser; if its paste event does not follow, the Clipboard API is asked. */
  private awaitingPaste = false;
  /** The keydown was a clipboard key: its keypress (if any) is not the shell's either. */
  private swallowKeypress = false;
  private sticky: Modifiers = { ctrl: false, alt: false };

  constructor(private readonly host: HTMLElement, private readonly options: TerminalViewOptions) {
    this.clipboard = { ...options.clipboard };
    this.settings = { ...options.settings };
    this.term = new Terminal({
      allowProposedApi: true, // the unicode11 addon's activeVersion is a proposed API
      cursorBlink: true,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
      fontSize: this.settings.fontSize,
      theme: { ...SCHEMES[this.settings.scheme].theme },
      scrollback: 5000,
      rightClickSelectsWord: this.selectsWordOnRightClick(),
    });
    this.term.loadAddon(this.fit);
    this.term.loadAddon(this.search);
    this.term.loadAddon(new Unicode11Addon());
    this.term.loadAddon(
      new WebLinksAddon((event, uri) => {
        event.preventDefault();
        // noopener: the opened page gets no handle on this one (and so none on the session).
        window.open(uri, '_blank', 'noopener,noreferrer');
      }),
    );
    this.term.unicode.activeVersion = '11';
    this.term.open(host);
    this.pacer = new OutputPacer({
      write: (data, parsed) => this.term.write(data, parsed),
      now: () => performance.now(),
      after: (ms, fn) => {
        const t = setTimeout(fn, ms);
        return () => clearTimeout(t);
      },
    });
    this.renderer = new TerminalRenderer(this.term);
    this.renderer.use(this.settings.renderer);
    host.classList.add('timed-blink');
    this.blink = new CursorBlink({
      show: (on) => host.classList.toggle('timed-blink-off', !on),
      every: (ms, fn) => {
        const t = setInterval(fn, ms);
        return () => clearInterval(t);
      },
    });
    const onMove = this.term.onCursorMove(() => this.blink.moved());
    const textarea = this.term.textarea!;
    const onFocus = () => ((this.focused = true), this.updateBlink());
    const onBlur = () => ((this.focused = false), this.updateBlink());
    textarea.addEventListener('focus', onFocus);
    textarea.addEventListener('blur', onBlur);
    this.cleanups.push(() => onMove.dispose(), () => textarea.removeEventListener('focus', onFocus), () => textarea.removeEventListener('blur', onBlur));

    const onData = this.term.onData((text) => options.onInput(encoder.encode(this.withSticky(text))));
    // onBinary carries mouse reports as one byte per char (not UTF-8).
    const onBinary = this.term.onBinary((text) => options.onInput(Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff)));
    const onResize = this.term.onResize(({ cols, rows }) => {
      this.scheduleRespace();
      options.onResize(cols, rows);
    });
    this.cleanups.push(() => onData.dispose(), () => onBinary.dispose(), () => onResize.dispose());
    this.term.attachCustomKeyEventHandler((e) => this.onKey(e));
    this.guardClipboard();

    const observer = new ResizeObserver(() => this.scheduleFit());
    observer.observe(host);
    this.cleanups.push(() => observer.disconnect());
    this.fitNow();
  }

  get cols(): number {
    return this.term.cols;
  }
  get rows(): number {
    return this.term.rows;
  }

  /** Writes remote output; `done` runs once xterm.js has parsed it (the caller's flow control). */
  write(data: Uint8Array | string, done?: () => void): void {
    if (typeof data !== 'string') return this.pacer.write(data, done);
    this.pacer.flush();
    this.term.write(data, done);
  }

  /**
   * A line from Postern itself (not the remote side), in italics so it is not mistaken for remote output
   * (not faint: xterm.js draws faint text at half opacity, below readable contrast).
   */
  notice(text: string): void {
    this.pacer.flush();
    this.term.write(`\r\n\x1b[3m[Postern] ${text.replace(/\r?\n/g, '\r\n')}\x1b[0m\r\n`);
  }

  /**
   * Leaves the alternate screen and resets modes a program left on (mouse reporting, hidden cursor).
   * Leaving the alternate screen restores the cursor saved on entering it, so it is sent only while a
   * program (vim, less) has it open: on the normal screen it would move the cursor to the top left and
   * what follows would be written over the old rows.
   */
  resetModes(): void {
    this.pacer.flush(); // output that waits goes first
    const leaveAlternate = this.term.buffer.active.type === 'alternate' ? '\x1b[?1049l' : '';
    this.term.write(`${leaveAlternate}\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[!p`);
  }

  focus(): void {
    this.term.focus();
  }

  /** The toggle changed during the session: each way opens or closes from the next key on. */
  setClipboard(ways: ClipboardWays): void {
    this.clipboard = { ...ways };
    this.term.options.rightClickSelectsWord = this.selectsWordOnRightClick();
  }

  /** Applies new settings live; a new font size refits, so the shell is told its new size (window-change). */
  applySettings(settings: TerminalSettings): void {
    const fontChanged = settings.fontSize !== this.settings.fontSize;
    this.settings = { ...settings };
    this.term.options.theme = { ...SCHEMES[settings.scheme].theme };
    this.term.options.fontSize = settings.fontSize;
    this.term.options.rightClickSelectsWord = this.selectsWordOnRightClick();
    this.renderer.use(settings.renderer);
    if (fontChanged) this.scheduleFit();
  }

  /** Ctrl and Alt from the extra-keys row: they apply to the next key, then release (onModifiersUsed). */
  setSticky(mods: Modifiers): void {
    this.sticky = { ...mods };
  }

  /** A key of the extra-keys row, sent as if typed (so sticky modifiers apply to it). */
  sendExtraKey(key: ExtraKey): void {
    if (this.term.options.disableStdin) return;
    this.term.input(extraKeyText(key, this.term.modes.applicationCursorKeysMode), true);
  }

  /** Stops input (the session ended) while keeping the scrollback readable. */
  set inputEnabled(on: boolean) {
    this.term.options.disableStdin = !on;
    this.term.options.cursorBlink = on;
    this.updateBlink();
  }

  find(text: string, backwards = false): boolean {
    if (!text) {
      this.search.clearDecorations();
      return false;
    }
    return backwards ? this.search.findPrevious(text) : this.search.findNext(text);
  }

  fitNow(): void {
    // fit() measures the host; a hidden host (display: none) has no size, so there is nothing to fit.
    if (this.host.clientWidth > 0 && this.host.clientHeight > 0) this.fit.fit();
  }

  dispose(): void {
    cancelAnimationFrame(this.fitFrame);
    this.cancelRespace?.();
    this.pacer.dispose();
    this.blink.dispose();
    for (const c of this.cleanups.splice(0)) c();
    this.renderer.dispose();
    this.term.dispose();
  }

  /** The cursor blinks while the terminal has the focus and takes input (xterm.js's cursorBlink). */
  private updateBlink(): void {
    this.blink.running = this.focused && !!this.term.options.cursorBlink;
  }

  /**
   * xterm.js's DOM renderer rounds a row's width to whole pixels, so its cell width depends on the number
   * of columns, and it sets its rows' letter spacing (cell width less a glyph's) when an option changes,
   * not when the terminal is resized. After a resize every run of text would carry a letter spacing of its
   * own, which costs style and layout in each frame. Any option change measures it again: this one is a
   * no-op for the DOM renderer (it rounds letterSpacing to whole pixels). It redraws every row, so it waits
   * for an idle moment (a resize at Connect comes as the prompt is being drawn), but not for long.
   */
  private scheduleRespace(): void {
    this.cancelRespace ??= whenIdle(
      () => {
        this.cancelRespace = undefined;
        if (this.renderer.active !== 'dom') return; // WebGL takes letterSpacing into its glyph atlas
        this.term.options.letterSpacing = 0.001;
        this.term.options.letterSpacing = 0;
      },
      500,
      100,
    );
  }

  private scheduleFit(): void {
    cancelAnimationFrame(this.fitFrame);
    this.fitFrame = requestAnimationFrame(() => this.fitNow());
  }

  private selectsWordOnRightClick(): boolean {
    return !this.settings.rightClickPaste && (this.clipboard.to || this.clipboard.from);
  }

  /** Sticky modifiers apply to the first key typed after them, then release. */
  private withSticky(text: string): string {
    if (!this.sticky.ctrl && !this.sticky.alt) return text;
    const out = applyModifiers(text, this.sticky);
    this.sticky = { ctrl: false, alt: false };
    this.options.onModifiersUsed?.();
    return out;
  }

  private onKey(e: KeyboardEvent): boolean {
    if (e.type === 'keypress' && this.swallowKeypress) return false;
    if (e.type !== 'keydown') return true;
    const step = fontKey(e, this.platform);
    if (step !== null && this.options.onFontStep) {
      e.preventDefault();
      this.swallowKeypress = true;
      this.options.onFontStep(step);
      return false;
    }
    const action = clipboardKey(e, this.platform);
    this.swallowKeypress = action !== null;
    if (action === 'copy') {
      e.preventDefault();
      this.copySelection();
      return false;
    }
    if (action === 'paste') {
      if (this.clipboard.to) {
        // The browser's own paste event follows where the key is its paste key (no permission needed);
        // xterm.js handles it. Where it is not (⌘V outside a Mac's browser), ask the Clipboard API.
        this.awaitingPaste = true;
        setTimeout(() => {
          if (!this.awaitingPaste) return;
          this.awaitingPaste = false;
          this.pasteFromSystem();
        }, 0);
        return false;
      }
      e.preventDefault();
      this.pasteBlocked();
      return false;
    }
    return true;
  }

  private copySelection(): void {
    const selection = this.term.getSelection();
    if (!selection) return;
    if (this.clipboard.from) void navigator.clipboard?.writeText(selection).catch(() => undefined);
    else this.localClip = selection;
  }

  private pasteFromSystem(): void {
    void navigator.clipboard
      ?.readText()
      .then((text) => {
        if (text && !this.term.options.disableStdin) this.term.paste(text);
      })
      .catch(() => undefined); // permission refused: nothing is pasted
  }

  /** The "to" way is closed: this terminal's own copy is pasted, if there is one, and the page says why nothing else was. */
  private pasteBlocked(): void {
    if (this.localClip) this.term.paste(this.localClip);
    this.options.onPasteBlocked?.(!!this.localClip);
  }

  /**
   * Copy/cut and paste events of a closed way stop here, before xterm.js sees them; with both closed, the
   * context menu too. A right click pastes when the visitor chose that. The ways are read at each event,
   * so a change of the toggle applies at once.
   */
  private guardClipboard(): void {
    const onCopy = (e: ClipboardEvent) => {
      if (this.clipboard.from) return;
      e.preventDefault();
      e.stopPropagation();
      const selection = this.term.getSelection();
      if (selection) this.localClip = selection;
    };
    const onPaste = (e: ClipboardEvent) => {
      this.awaitingPaste = false;
      if (this.clipboard.to) return;
      e.preventDefault();
      e.stopPropagation();
      this.pasteBlocked();
    };
    const onMenu = (e: MouseEvent) => {
      // A program that reads the mouse (mc, vim with mouse=a) gets the right click; Shift+right click still pastes, as in xterm.
      if (this.settings.rightClickPaste && (this.term.modes.mouseTrackingMode === 'none' || e.shiftKey)) {
        e.preventDefault();
        e.stopPropagation();
        this.term.focus();
        if (this.clipboard.to) this.pasteFromSystem();
        else this.pasteBlocked();
        return;
      }
      if (!this.clipboard.to && !this.clipboard.from) e.preventDefault();
    };
    const listeners: Array<[string, (e: never) => void]> = [
      ['copy', onCopy], ['cut', onCopy], ['paste', onPaste], ['contextmenu', onMenu],
    ];
    for (const [type, fn] of listeners) this.host.addEventListener(type, fn as EventListener, true);
    this.cleanups.push(() => {
      for (const [type, fn] of listeners) this.host.removeEventListener(type, fn as EventListener, true);
    });
  }
}
