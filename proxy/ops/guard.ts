// The last resort. Every socket has its own error path that ends that one connection; an exception
// that still escapes is a bug, but stopping the process for it would end every visitor's session and
// hand an attacker who found it a way to stop the gate. So it is logged (name, message, code and
// frames: no secret) and the proxy keeps serving.
import type { Log } from './log.ts';

export function keepServingThrough(log: Log): void {
  process.on('uncaughtException', (err) => log.internalError('uncaught exception', err));
  process.on('unhandledRejection', (reason) => log.internalError('unhandled rejection', reason));
}
