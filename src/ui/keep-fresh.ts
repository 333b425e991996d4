// Pages that show what this browser keeps (vaults, known hosts) read it again when it may have
// changed: after a change the page's own service reports, and when the window gets the focus back
// (another tab may have changed it meanwhile).

/**
 * Calls `load` now, after each change `subscribe` reports (when given), and whenever the window
 * gets the focus back. Returns the undo, so an $effect can return it.
 */
export function keepFresh(load: () => unknown, subscribe?: (listener: () => void) => () => void): () => void {
  const reload = () => void load();
  reload();
  const off = subscribe?.(reload);
  window.addEventListener('focus', reload);
  return () => {
    off?.();
    window.removeEventListener('focus', reload);
  };
}
