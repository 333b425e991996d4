// The terminal component: xterm.js 6 with the fit, web-links, unicode11 and search addons, fitted to its
// host element and following it when the window resizes. It knows nothing of SSH: bytes go in with
// write(), keystrokes come out through onInput, and size changes through onResize.
//
// Clipboard, per the visitor's "share clipboard" toggle within the link's clipboard rule, each way:
//   from (machine → page): Ctrl+Shift+C and the browser's copy put the selection on the system clipboard;
//   to (page → machine): Ctrl+Shift+V, the browser's paste and the context menu paste from it.
// A closed way never touches the system clipboard: copy and paste then still work inside this
// terminal, through a buffer that never leaves the page. With both closed the context menu is
// suppressed. For SSH this is advisory (end to end, the proxy cannot see it); the page holds it.
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { WebLinksAddon } from '@xterm/addon-web-links';
import '@xterm/xterm/css/xterm.css';
import type { ClipboardWays } from '../session/contract';

export interface TerminalViewOptions {
  /** Which ways the system clipboard may be used: `to` pastes into the session, `from` copies out of it. */
  clipboard: ClipboardWays;
  /** Keystrokes and pastes, UTF-8 encoded, for the remote side. */
  onInput(bytes: Uint8Array): void;
  onResize(cols: number, rows: number): void;
}

const encoder = new TextEncoder();

export class TerminalView {
  readonly term: Terminal;
  private readonly fit = new FitAddon();
  private readonly search = new SearchAddon();
  private readonly cleanups: Array<() => void> = [];
  /** The copy buffer used for a way that is not shared. */
  private localClip = '';
  private fitFrame = 0;

  constructor(private readonly host: HTMLElement, private readonly options: TerminalViewOptions) {
    this.term = new Terminal({
      allowProposedApi: true, // the unicode11 addon's activeVersion is a proposed API
      cursorBlink: true,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
      fontSize: 14,
      scrollback: 5000,
      rightClickSelectsWord: options.clipboard.to || options.clipboard.from,
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

    const onData = this.term.onData((text) => options.onInput(encoder.encode(text)));
    // onBinary carries mouse reports as one byte per char (not UTF-8).
    const onBinary = this.term.onBinary((text) => options.onInput(Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff)));
    const onResize = this.term.onResize(({ cols, rows }) => options.onResize(cols, rows));
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
    this.term.write(data, done);
  }

  /** A line from Postern itself (not the remote side), dimmed so it is not mistaken for remote output. */
  notice(text: string): void {
    this.term.write(`\r\n\x1b[2m[Postern] ${text.replace(/\r?\n/g, '\r\n')}\x1b[0m\r\n`);
  }

  /**
   * Leaves the alternate screen and resets modes a program left on (mouse reporting, hidden cursor).
   * Leaving the alternate screen restores the cursor saved on entering it, so it is sent only while a
   * program (vim, less) has it open: on the normal screen it would move the cursor to the top left and
   * what follows would be written over the old rows.
   */
  resetModes(): void {
    const leaveAlternate = this.term.buffer.active.type === 'alternate' ? '\x1b[?1049l' : '';
    this.term.write(`${leaveAlternate}\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[!p`);
  }

  focus(): void {
    this.term.focus();
  }

  /** Stops input (the session ended) while keeping the scrollback readable. */
  set inputEnabled(on: boolean) {
    this.term.options.disableStdin = !on;
    this.term.options.cursorBlink = on;
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
    for (const c of this.cleanups.splice(0)) c();
    this.term.dispose();
  }

  private scheduleFit(): void {
    cancelAnimationFrame(this.fitFrame);
    this.fitFrame = requestAnimationFrame(() => this.fitNow());
  }

  private onKey(e: KeyboardEvent): boolean {
    if (e.type !== 'keydown' || !e.ctrlKey || !e.shiftKey || e.altKey || e.metaKey) return true;
    const key = e.key.toLowerCase();
    if (key === 'c') {
      e.preventDefault();
      const selection = this.term.getSelection();
      if (!selection) return false;
      if (this.options.clipboard.from) void navigator.clipboard?.writeText(selection).catch(() => undefined);
      else this.localClip = selection;
      return false;
    }
    if (key === 'v') {
      if (this.options.clipboard.to) return false; // the browser's own paste event follows; xterm.js handles it
      e.preventDefault();
      if (this.localClip) this.term.paste(this.localClip);
      return false;
    }
    return true;
  }

  /** For each closed way, copy/cut or paste events stop here, before xterm.js sees them; with both, the context menu too. */
  private guardClipboard(): void {
    const { to, from } = this.options.clipboard;
    const onCopy = (e: ClipboardEvent) => {
      e.preventDefault();
      e.stopPropagation();
      const selection = this.term.getSelection();
      if (selection) this.localClip = selection;
    };
    const onPaste = (e: ClipboardEvent) => {
      e.preventDefault();
      e.stopPropagation();
      if (this.localClip) this.term.paste(this.localClip);
    };
    const onMenu = (e: Event) => e.preventDefault();
    const listeners: Array<[string, (e: never) => void]> = [];
    if (!from) listeners.push(['copy', onCopy], ['cut', onCopy]);
    if (!to) listeners.push(['paste', onPaste]);
    if (!to && !from) listeners.push(['contextmenu', onMenu]);
    for (const [type, fn] of listeners) this.host.addEventListener(type, fn as EventListener, true);
    this.cleanups.push(() => {
      for (const [type, fn] of listeners) this.host.removeEventListener(type, fn as EventListener, true);
    });
  }
}
