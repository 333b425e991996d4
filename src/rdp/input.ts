// Keyboard, mouse and wheel from the canvas to the machine. Keys go by physical position
// (KeyboardEvent.code, see keymap.ts); pointer positions go through the same scaling that fits the
// desktop to the window. Everything held is released when the page loses focus or is hidden.
import { toDesktop, type Size } from './geometry';
import { KeyTracker, isPasteShortcut, type KeyEvent } from './keys';

/** What the input layer needs from a session: small, so it can be driven without IronRDP. */
export interface InputSink {
  keys(events: KeyEvent[]): void;
  move(x: number, y: number): void;
  button(button: number, down: boolean): void;
  /** Positive amounts scroll up / left, as in RDP; unit 0 = pixels, 1 = lines, 2 = pages. */
  wheel(vertical: boolean, amount: number, unit: 0 | 1 | 2): void;
  releaseAll(): void;
}

export interface InputOptions {
  /** The desktop's current size in desktop pixels. */
  desktop(): Size;
  /**
   * Called on the paste shortcut, before its keys are sent: resolves once the page's clipboard has
   * reached the machine, so the remote application pastes the new content. Absent: keys go at once.
   */
  beforePaste?(): Promise<void>;
}

/** Binds input on `canvas` (which must be focusable); returns a function that unbinds it all. */
export function attachInput(canvas: HTMLCanvasElement, sink: InputSink, opts: InputOptions): () => void {
  const tracker = new KeyTracker();
  // Key events wait behind a pending paste, so their order is kept.
  let queue: Promise<void> = Promise.resolve();
  const sendKeys = (events: KeyEvent[]) => {
    if (events.length) queue = queue.then(() => sink.keys(events));
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.isComposing) return;
    const events = tracker.press(e.code, e.timeStamp, e.getModifierState?.('AltGraph') ?? false);
    if (!events.length) return;
    if (opts.beforePaste && isPasteShortcut(e)) {
      // Not prevented: the browser then fires `paste` with the clipboard, which the caller handles.
      const ready = opts.beforePaste().catch(() => {});
      queue = queue.then(() => ready);
    } else {
      e.preventDefault();
    }
    sendKeys(events);
  };
  const onKeyUp = (e: KeyboardEvent) => {
    const events = tracker.release(e.code);
    if (!events.length) return;
    e.preventDefault();
    sendKeys(events);
  };

  const position = (e: MouseEvent) => toDesktop(e.clientX, e.clientY, canvas.getBoundingClientRect(), opts.desktop());
  const onPointerMove = (e: PointerEvent) => {
    const { x, y } = position(e);
    sink.move(x, y);
  };
  const onPointerDown = (e: PointerEvent) => {
    e.preventDefault();
    canvas.focus({ preventScroll: true });
    if (e.pointerId !== undefined) canvas.setPointerCapture?.(e.pointerId);
    const { x, y } = position(e);
    sink.move(x, y);
    sink.button(e.button, true);
  };
  const onPointerUp = (e: PointerEvent) => {
    e.preventDefault();
    const { x, y } = position(e);
    sink.move(x, y);
    sink.button(e.button, false);
  };
  const onWheel = (e: WheelEvent) => {
    e.preventDefault();
    const unit = e.deltaMode === WheelEvent.DOM_DELTA_LINE ? 1 : e.deltaMode === WheelEvent.DOM_DELTA_PAGE ? 2 : 0;
    // Browsers: positive deltaY scrolls down. RDP: positive rotation scrolls up.
    if (e.deltaY) sink.wheel(true, -Math.round(e.deltaY), unit);
    if (e.deltaX) sink.wheel(false, -Math.round(e.deltaX), unit);
  };
  const onContextMenu = (e: Event) => e.preventDefault();

  const releaseAll = () => {
    const held = tracker.releaseAll();
    if (held.length) sendKeys(held);
    queue = queue.then(() => sink.releaseAll());
  };
  const onVisibility = () => {
    if (document.visibilityState === 'hidden') releaseAll();
  };

  const listeners: [EventTarget, string, EventListener, AddEventListenerOptions?][] = [
    [canvas, 'keydown', onKeyDown as EventListener],
    [canvas, 'keyup', onKeyUp as EventListener],
    [canvas, 'pointermove', onPointerMove as EventListener],
    [canvas, 'pointerdown', onPointerDown as EventListener],
    [canvas, 'pointerup', onPointerUp as EventListener],
    [canvas, 'wheel', onWheel as EventListener, { passive: false }],
    [canvas, 'contextmenu', onContextMenu],
    [canvas, 'blur', releaseAll],
    [window, 'blur', releaseAll],
    [document, 'visibilitychange', onVisibility],
  ];
  for (const [target, type, fn, o] of listeners) target.addEventListener(type, fn, o);
  return () => {
    for (const [target, type, fn, o] of listeners) target.removeEventListener(type, fn, o);
  };
}
