// Clipboard text and images between the page and the machine, only the ways the visitor's toggle and
// the link's clipboard rule allow (the proxy enforces the rule too: proxy/rdp/clipboard-rule.ts).
//   machine → page: IronRDP hands over the machine's clipboard (text/plain, text/html, image/png);
//     it is written with the async Clipboard API, which needs the page focused: if it is not, the
//     write waits for the next focus.
//   page → machine: on `paste` (the paste shortcut inside the desktop) and when the page regains
//     focus (if the browser already granted clipboard-read, so the visitor is never prompted).
// A way that is closed: the machine is told the page's clipboard is empty, or its own is dropped.
// Images travel as PNG here; for machines that only speak CF_DIB (xrdp 0.9) the Postern proxy
// converts between that and the CF_DIBV5 IronRDP uses (proxy/rdp/clipboard-bridge.ts).
import type { ClipboardData, IronRdp } from '../../wasm/ironrdp';
import type { ClipboardWays } from '../session/contract';

export interface ClipboardContent {
  text?: string;
  html?: string;
  png?: Uint8Array;
}

export interface ClipboardSession {
  onClipboardPaste(data: ClipboardData): Promise<void>;
}

export class ClipboardBridge {
  /** Content the page last sent or received, so a focus does not bounce it back. */
  private last = '';
  private pendingWrite: ClipboardContent | undefined;
  /** Files the page sent wait on the machine's clipboard: the page's clipboard does not replace them. */
  private holdingFiles = false;

  private current: ClipboardWays;

  constructor(
    private readonly rdp: IronRdp,
    private readonly session: ClipboardSession,
    ways: ClipboardWays,
  ) {
    this.current = { ...ways };
  }

  /** Which ways the clipboard crosses now (the visitor's toggle within the link's rule). */
  get ways(): ClipboardWays {
    return this.current;
  }

  /**
   * The visitor turned sharing on or off mid-session. Closing page → machine empties what the machine
   * holds from the page (unless files the page sent wait there); closing machine → page drops a write
   * still waiting for focus; opening page → machine sends the page's clipboard when already permitted.
   */
  async setWays(ways: ClipboardWays): Promise<void> {
    const before = this.current;
    this.current = { ...ways };
    if (!ways.from) this.pendingWrite = undefined;
    if (before.to && !ways.to && !this.holdingFiles) {
      this.last = '';
      await this.session.onClipboardPaste(new this.rdp.ClipboardData());
    } else if (!before.to && ways.to) {
      await this.fromBrowserClipboard();
    }
  }

  /** IronRDP's remote-clipboard callback. Takes ownership of `data`. */
  async fromMachine(data: ClipboardData): Promise<void> {
    const content = readClipboardData(data);
    this.holdingFiles = false; // the machine's clipboard changed: the files are no longer on it
    if (!this.current.from) return;
    this.last = signature(content);
    this.pendingWrite = content;
    await this.flushWrite();
  }

  /** Writes what the machine copied, if it is still waiting (call on focus). */
  async flushWrite(): Promise<boolean> {
    const content = this.pendingWrite;
    if (!content || !navigator.clipboard) return false;
    try {
      if (content.png && typeof ClipboardItem !== 'undefined') {
        const parts: Record<string, Blob> = { 'image/png': new Blob([content.png as BlobPart], { type: 'image/png' }) };
        if (content.text !== undefined) parts['text/plain'] = new Blob([content.text], { type: 'text/plain' });
        await navigator.clipboard.write([new ClipboardItem(parts)]);
      } else if (content.text !== undefined) {
        await navigator.clipboard.writeText(content.text);
      }
      if (this.pendingWrite === content) this.pendingWrite = undefined;
      return true;
    } catch {
      return false; // not focused, or not permitted: tried again on the next focus
    }
  }

  /** The `paste` event inside the desktop: sends what the browser hands over. */
  async fromPasteEvent(e: ClipboardEvent): Promise<void> {
    if (!this.ways.to || !e.clipboardData) return;
    const dt = e.clipboardData;
    const content: ClipboardContent = {};
    const text = dt.getData('text/plain');
    if (text) content.text = text;
    const html = dt.getData('text/html');
    if (html) content.html = html;
    const image = [...dt.files].find((f) => f.type.startsWith('image/'));
    if (image) content.png = await toPng(image);
    await this.toMachine(content);
  }

  /** Reads the browser clipboard without prompting (only when already permitted) and sends it. */
  async fromBrowserClipboard(): Promise<void> {
    if (!this.ways.to || !navigator.clipboard?.read) return;
    try {
      const status = await navigator.permissions.query({ name: 'clipboard-read' as PermissionName });
      if (status.state !== 'granted') return;
      const content: ClipboardContent = {};
      for (const item of await navigator.clipboard.read()) {
        if (item.types.includes('text/plain') && content.text === undefined) content.text = await (await item.getType('text/plain')).text();
        if (item.types.includes('text/html') && content.html === undefined) content.html = await (await item.getType('text/html')).text();
        if (item.types.includes('image/png') && !content.png) content.png = new Uint8Array(await (await item.getType('image/png')).arrayBuffer());
      }
      await this.toMachine(content);
    } catch {
      // Not focused, or the browser refused: the paste shortcut still works.
    }
  }

  /** The machine asks for the page's clipboard (at session start). */
  async answerRequest(): Promise<void> {
    if (this.holdingFiles) return;
    if (this.ways.to) {
      this.last = '';
      await this.fromBrowserClipboard();
      if (this.last) return;
    }
    await this.session.onClipboardPaste(new this.rdp.ClipboardData());
  }

  /**
   * Files the page sent are on the machine's clipboard (true) until pasted (false). Meanwhile focus and
   * the paste shortcut, which the visitor uses to paste them there, do not send the page's clipboard.
   */
  holdForFiles(on: boolean): void {
    this.holdingFiles = on;
  }

  private async toMachine(content: ClipboardContent): Promise<void> {
    if (this.holdingFiles) return;
    const sig = signature(content);
    if (sig === '' || sig === this.last) return;
    this.last = sig;
    const data = new this.rdp.ClipboardData();
    if (content.text !== undefined) data.addText('text/plain', content.text);
    if (content.html !== undefined) data.addText('text/html', content.html);
    if (content.png) data.addBinary('image/png', content.png);
    await this.session.onClipboardPaste(data);
  }
}

/** Copies the items out of IronRDP's object and frees it. */
export function readClipboardData(data: ClipboardData): ClipboardContent {
  const content: ClipboardContent = {};
  try {
    for (const item of data.items()) {
      const mime = item.mimeType();
      const value: unknown = item.value();
      if (mime === 'text/plain' && typeof value === 'string') content.text = value;
      else if (mime === 'text/html' && typeof value === 'string') content.html = value;
      else if (mime === 'image/png' && value instanceof Uint8Array) content.png = value;
      item.free();
    }
  } finally {
    data.free();
  }
  return content;
}

/** A cheap identity for clipboard content: text and image length are enough to avoid echoes. */
export function signature(c: ClipboardContent): string {
  if (c.text === undefined && c.html === undefined && !c.png) return '';
  return JSON.stringify([c.text ?? null, c.html?.length ?? null, c.png?.length ?? null]);
}

/** The machine takes images as PNG; other image types are redrawn into one. */
async function toPng(file: Blob): Promise<Uint8Array> {
  if (file.type === 'image/png') return new Uint8Array(await file.arrayBuffer());
  const bitmap = await createImageBitmap(file);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
  bitmap.close();
  return new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
}
