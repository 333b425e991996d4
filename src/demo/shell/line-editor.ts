// Line editing as a terminal's cooked mode does it, for the demo shell: bytes from the pty in,
// echo and events out. Enter, Backspace (DEL or ^H), Ctrl+C, Ctrl+D, Ctrl+U, Ctrl+L; escape
// sequences (arrow keys, bracketed-paste markers, function keys) are swallowed, not inserted.
// Input is UTF-8; a character split across two packets is kept until it is complete.

export type EditorEvent =
  | { type: 'line'; text: string }
  | { type: 'interrupt' }
  | { type: 'eof' }
  | { type: 'clear' };

/** Longer lines ring the bell instead of growing (a guard against pasting megabytes). */
export const MAX_LINE = 4096;

const ESC = 0x1b;

export class LineEditor {
  private chars: string[] = [];
  private readonly decoder = new TextDecoder('utf-8');
  /** 0: normal; 1: after ESC; 2: inside CSI (ESC [ ... final byte); 3: after ESC O (one more byte). */
  private escape = 0;
  private lastWasCr = false;

  constructor(private readonly echo: (text: string) => void) {}

  get line(): string {
    return this.chars.join('');
  }

  /** Feeds input; returns the events it completed, in order. */
  feed(bytes: Uint8Array): EditorEvent[] {
    const events: EditorEvent[] = [];
    let runStart = -1; // start of a run of printable bytes (UTF-8 continuation bytes included)
    const flushRun = (end: number) => {
      if (runStart >= 0) this.insert(this.decoder.decode(bytes.subarray(runStart, end), { stream: true }));
      runStart = -1;
    };
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (this.escape === 1) {
        this.escape = b === 0x5b ? 2 : b === 0x4f ? 3 : 0;
        continue;
      }
      if (this.escape === 2) {
        if (b >= 0x40 && b <= 0x7e) this.escape = 0; // CSI final byte
        continue;
      }
      if (this.escape === 3) {
        this.escape = 0;
        continue;
      }
      const cr = this.lastWasCr;
      this.lastWasCr = b === 0x0d;
      if (b >= 0x20 && b !== 0x7f) {
        if (runStart < 0) runStart = i;
        continue;
      }
      flushRun(i);
      switch (b) {
        case 0x0d:
        case 0x0a:
          if (b === 0x0a && cr) break; // CR LF from a paste is one Enter
          this.echo('\r\n');
          events.push({ type: 'line', text: this.take() });
          break;
        case 0x7f:
        case 0x08:
          this.backspace();
          break;
        case 0x03:
          this.echo('^C\r\n');
          this.take();
          events.push({ type: 'interrupt' });
          break;
        case 0x04:
          if (this.chars.length === 0) events.push({ type: 'eof' });
          break;
        case 0x15: // Ctrl+U: erase the whole line
          while (this.chars.length) this.backspace();
          break;
        case 0x0c:
          events.push({ type: 'clear' });
          break;
        case ESC:
          this.escape = 1;
          break;
        default:
          break; // other control characters (Tab included) do nothing here
      }
    }
    flushRun(bytes.length);
    return events;
  }

  private insert(decoded: string): void {
    let shown = '';
    for (const ch of decoded) {
      if (this.chars.length >= MAX_LINE) {
        shown += '\x07';
        break;
      }
      this.chars.push(ch);
      shown += ch;
    }
    if (shown) this.echo(shown);
  }

  private backspace(): void {
    if (this.chars.pop() !== undefined) this.echo('\b \b');
  }

  private take(): string {
    const line = this.chars.join('');
    this.chars = [];
    return line;
  }
}
