// Where the desktop sits in the window and where a pointer lands on it. Pure arithmetic, so the
// scaling the visitor sees and the coordinates the machine receives come from one place.

export interface Size {
  width: number;
  height: number;
}

export interface Placement {
  /** CSS pixels the canvas occupies, keeping the desktop's aspect ratio. */
  width: number;
  height: number;
  /** Offset of the canvas inside the stage, centring it. */
  left: number;
  top: number;
  scale: number;
}

/** Fits the desktop into the stage: shrink or grow to the largest size that keeps its aspect. */
export function fitDesktop(stage: Size, desktop: Size): Placement {
  if (desktop.width <= 0 || desktop.height <= 0 || stage.width <= 0 || stage.height <= 0) {
    return { width: 0, height: 0, left: 0, top: 0, scale: 1 };
  }
  const scale = Math.min(stage.width / desktop.width, stage.height / desktop.height);
  const width = Math.round(desktop.width * scale);
  const height = Math.round(desktop.height * scale);
  return { width, height, left: Math.floor((stage.width - width) / 2), top: Math.floor((stage.height - height) / 2), scale };
}

/** The rectangle the canvas occupies on screen, as `getBoundingClientRect()` gives it. */
export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * A pointer position in CSS pixels to desktop pixels, clamped to the desktop (a drag that leaves
 * the canvas keeps moving along its edge rather than jumping).
 */
export function toDesktop(clientX: number, clientY: number, rect: Rect, desktop: Size): { x: number; y: number } {
  if (rect.width <= 0 || rect.height <= 0) return { x: 0, y: 0 };
  const x = Math.floor(((clientX - rect.left) * desktop.width) / rect.width);
  const y = Math.floor(((clientY - rect.top) * desktop.height) / rect.height);
  return { x: clamp(x, 0, desktop.width - 1), y: clamp(y, 0, desktop.height - 1) };
}

/** RDP servers accept 200…8192 pixels a side; many want an even width (MS-RDPBCGR 2.2.1.3.2). */
export const MIN_SIDE = 200;
export const MAX_SIDE = 8192;

/**
 * The desktop size to ask the machine for, so the desktop fills the stage at one desktop pixel per
 * device pixel, capped to what RDP allows. Even width, because some servers refuse odd ones.
 */
export function desktopSizeFor(stage: Size, devicePixelRatio = 1): Size {
  const ratio = devicePixelRatio > 0 && Number.isFinite(devicePixelRatio) ? Math.min(devicePixelRatio, 2) : 1;
  const width = clamp(Math.floor((stage.width * ratio) / 2) * 2, MIN_SIDE, MAX_SIDE);
  const height = clamp(Math.floor(stage.height * ratio), MIN_SIDE, MAX_SIDE);
  return { width, height };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
