// Connection states as a tagged union, and the one table that says which transitions are legal.

import type { SshError } from './wire/errors';
import type { HostKeyInfo } from './kex/session';

export type ConnectionState =
  | { name: 'idle' } // created, start() not yet called
  | { name: 'handshake' } // version exchange and key exchange
  | { name: 'host-key'; hostKey: HostKeyInfo } // waiting for acceptHostKey() / rejectHostKey()
  | { name: 'authenticating' } // ssh-userauth service accepted; sign-in may begin
  | { name: 'connected' } // signed in; channels may be opened
  | { name: 'closed'; error: SshError }; // error.kind 'closed' when the local side ended it

export type StateName = ConnectionState['name'];

const LEGAL: Record<StateName, readonly StateName[]> = {
  idle: ['handshake', 'closed'],
  handshake: ['host-key', 'authenticating', 'closed'],
  'host-key': ['handshake', 'closed'],
  authenticating: ['connected', 'closed'],
  connected: ['closed'],
  closed: [],
};

export function isLegalTransition(from: StateName, to: StateName): boolean {
  return LEGAL[from].includes(to);
}
