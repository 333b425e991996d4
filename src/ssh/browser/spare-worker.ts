// The SSH worker, started before the visitor presses Connect: while the sign-in form is on screen
// (src/app/proxy.ts prepares it when a link offers SSH), or at the latest beside the dynamic import of the
// back end. Its module loads and compiles on its own thread and it makes its key-exchange keys as it
// starts (worker.ts), so Connect finds it ready; the session takes it (or starts its own, for a
// reconnection).
let spare: { worker: Worker; timer: ReturnType<typeof setTimeout> } | undefined;

/** How long an untaken worker waits: a form left open longer gets a fresh worker (and fresh keys) at Connect. */
const SPARE_MS = 10 * 60_000;

export function startSshWorker(): Worker {
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'postern-ssh' });
}

/** Starts a worker ahead of the session that will take it, unless one is waiting already. */
export function prepareSshWorker(): void {
  if (spare || typeof Worker === 'undefined') return;
  const worker = startSshWorker();
  spare = { worker, timer: setTimeout(() => takeSshWorker()?.terminate(), SPARE_MS) };
}

export function takeSshWorker(): Worker | undefined {
  const s = spare;
  spare = undefined;
  if (s) clearTimeout(s.timer);
  return s?.worker;
}
