// Binds one live IronRDP session to the page: keyboard and mouse on the canvas, and the clipboard
// (the paste shortcut, the `paste` event, and reading the browser's clipboard when the page gets
// focus). Each connection gets its own wiring, undone when it ends, so a reconnection at a new
// desktop size starts clean.
import type { ClipboardWays } from '../session/contract';
import { ClipboardBridge } from './clipboard';
import type { RdpConnection } from './connection';
import type { Size } from './geometry';
import { attachInput } from './input';
import { ironSink } from './sink';

export interface Wiring {
  bridge: ClipboardBridge;
  dispose(): void;
}

/** How long the paste shortcut's keys wait for the `paste` event's content to reach the machine. */
const PASTE_WAIT_MS = 300;

export function wireSession(conn: RdpConnection, canvas: HTMLCanvasElement, o: { clipboard: ClipboardWays; desktop(): Size }): Wiring {
  const bridge = new ClipboardBridge(conn.rdp, conn.session, o.clipboard);
  const cleanups: (() => void)[] = [];

  let pasteDone: (() => void) | undefined;
  const pasteArrived = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, PASTE_WAIT_MS);
      function done() {
        clearTimeout(timer);
        pasteDone = undefined;
        resolve();
      }
      pasteDone = done;
    });

  // The listeners stay for the whole session and ask the bridge which ways are open at that moment:
  // the visitor may turn sharing on or off mid-session (bridge.setWays).
  cleanups.push(attachInput(canvas, ironSink(conn.rdp, conn.session), {
    desktop: o.desktop,
    beforePaste: () => (bridge.ways.to ? pasteArrived() : Promise.resolve()),
  }));

  const onPaste = (e: ClipboardEvent) => {
    e.preventDefault();
    void bridge.fromPasteEvent(e).finally(() => pasteDone?.());
  };
  canvas.addEventListener('paste', onPaste);
  cleanups.push(() => canvas.removeEventListener('paste', onPaste));
  const onFocus = () => {
    if (bridge.ways.from) void bridge.flushWrite();
    if (bridge.ways.to) void bridge.fromBrowserClipboard();
  };
  window.addEventListener('focus', onFocus);
  canvas.addEventListener('focus', onFocus);
  cleanups.push(() => {
    window.removeEventListener('focus', onFocus);
    canvas.removeEventListener('focus', onFocus);
  });
  return {
    bridge,
    dispose: () => {
      pasteDone?.();
      for (const c of cleanups.splice(0)) c();
    },
  };
}
