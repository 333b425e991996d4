// When an SSH session that dropped is reconnected by itself, and after how long. Only a lost connection
// (the network, the relay, the server gone silent) is: a shell that ended, a visitor who disconnected,
// or a refusal by the link's rules (deleted, expired, ended by an admin) is not.
import type { WireError } from './protocol';

/** The first wait, and the longest: 5 s, 10 s, 20 s, 40 s, then 60 s. */
export const FIRST_DELAY_S = 5;
export const MAX_DELAY_S = 60;
/** Attempts before the page stops trying by itself (Reconnect stays offered). */
export const MAX_ATTEMPTS = 8;

export function shouldAutoReconnect(error: WireError | null): boolean {
  return error?.kind === 'unreachable' && !error.field;
}

/** Seconds to wait before attempt `attempt` (1 for the first), or null once the attempts are used up. */
export function reconnectDelay(attempt: number): number | null {
  if (!Number.isInteger(attempt) || attempt < 1 || attempt > MAX_ATTEMPTS) return null;
  return Math.min(MAX_DELAY_S, FIRST_DELAY_S * 2 ** (attempt - 1));
}
