// What the desktop view shows, as reactive state the session (session.ts) writes and Desktop.svelte reads.
import type { RdpPhase } from './connection';
import type { Size } from './geometry';

export class DesktopModel {
  phase = $state<RdpPhase>('loading');
  /** CSS cursor for the canvas, as the machine sets it. */
  cursor = $state('default');
  /** The desktop's size in desktop pixels (the canvas's width and height). */
  desktop = $state<Size>({ width: 0, height: 0 });
  /** Signing in again at a new size: the last picture stays, under a sentence. */
  resizing = $state(false);
  /** "Fit desktop to window": the desktop follows the window (on), or keeps its size and is scaled (off). */
  fitWindow = $state(true);
  /** The session is up: the toolbar offers Disconnect (the page's only one; it stays in full screen). */
  up = $state(false);
  /** The machine shows its own sign-in screen instead of a session: say so, and offer to try again. */
  signinHint = $state(false);
}
