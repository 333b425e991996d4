// The SSH worker, started the moment a visitor presses Connect: its module loads and compiles on its own
// thread while the page is still loading the terminal's code. protocols.ts starts it beside the dynamic
// import of the backend; the session takes it (or starts its own, for a reconnection).
let spare: { worker: Worker; timer: ReturnType<typeof setTimeout> } | undefined;

export function startSshWorker(): Worker {
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'postern-ssh' });
}

/** Starts a worker ahead of the session that will take it; an untaken one is ended after a while. */
export function prepareSshWorker(): void {
  if (spare || typeof Worker === 'undefined') return;
  const worker = startSshWorker();
  spare = { worker, timer: setTimeout(() => takeSshWorker()?.terminate(), 60_000) };
}

export function takeSshWorker(): Worker | undefined {
  const s = spare;
  spare = undefined;
  if (s) clearTimeout(s.timer);
  return s?.worker;
}
