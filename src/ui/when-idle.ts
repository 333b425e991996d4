// Work that can wait for the page to be idle: an idle callback, or a plain timer in a browser that has
// none (Safari).

/** Runs `fn` when the page is next idle, at the latest after `timeoutMs` (after `fallbackMs` without idle callbacks); returns a cancel. */
export function whenIdle(fn: () => void, timeoutMs: number, fallbackMs: number): () => void {
  if (typeof requestIdleCallback === 'function') {
    const id = requestIdleCallback(fn, { timeout: timeoutMs });
    return () => cancelIdleCallback(id);
  }
  const timer = setTimeout(fn, fallbackMs);
  return () => clearTimeout(timer);
}
