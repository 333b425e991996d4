// Messages between the page and the demo machine's Web Worker (worker.ts). SSH bytes never pass
// here: each connection gets its own MessagePort, carried by `connect` and then spoken over with
// messagePortStream() on both ends.
//
//   page                                   demo worker
//   connect { port } ─────────────────────► serves one SSH connection on that port
//   info { id } ──────────────────────────► ◄── info { id, info }
//   authorize-key { id, line } ───────────► ◄── authorized { id, fingerprint } | failed { id, message }

export const DEMO_USER = 'demo';
export const DEMO_PASSWORD = 'demo';

export interface DemoMachineInfo {
  username: string;
  password: string;
  hostKeyType: 'ssh-ed25519';
  /** "SHA256:...": pin it on the demo resource so visitors are not asked to trust it. */
  hostKeyFingerprint: string;
  /** "ssh-ed25519 AAAA..." as a known_hosts key field. */
  hostKeyLine: string;
}

/** `port` is typed structurally so this file stays DOM-free; at run time it is a MessagePort. */
export type ToDemoWorker =
  | { type: 'connect'; port: unknown }
  | { type: 'info'; id: number }
  | { type: 'authorize-key'; id: number; line: string };

export type FromDemoWorker =
  | { type: 'info'; id: number; info: DemoMachineInfo }
  | { type: 'authorized'; id: number; fingerprint: string }
  | { type: 'failed'; id: number; message: string };
