// Turns what the SSH core and the key reader throw into what the sign-in form shows: a kind to branch
// on, a sentence, and the field to show it beside. Runs in the worker (no DOM needed).
import { CLOSE } from '../../shared/api';
import { SshError } from '../core/wire/errors';
import { KeyError } from '../keys/types';
import type { WireCredential, WireError } from './protocol';

/** Close codes the proxy sends when it refuses or ends a tunnel (src/shared/api.ts CLOSE). */
const REFUSALS: ReadonlySet<number> = new Set([
  CLOSE.badRequest,
  CLOSE.unauthenticated,
  CLOSE.forbidden,
  CLOSE.notFound,
  CLOSE.featureDisabled,
  CLOSE.resourceDeleted,
  CLOSE.linkDeleted,
  CLOSE.endedByAdmin,
  CLOSE.linkExpired,
  CLOSE.linkUsedUp,
  CLOSE.outsideHours,
  CLOSE.tooManyRequests,
]);
const UNREACHABLE: ReadonlySet<number> = new Set([CLOSE.targetUnreachable, CLOSE.targetTimeout]);

export function keyErrorToWire(e: KeyError): WireError {
  switch (e.kind) {
    case 'passphrase-required':
      return { kind: 'passphrase', field: 'passphrase', message: 'This key is protected by a passphrase. Enter it to sign in.' };
    case 'wrong-passphrase':
      return { kind: 'passphrase', field: 'passphrase', message: "The passphrase is wrong: it does not unlock this key." };
    default:
      return { kind: 'bad-key', field: 'privateKey', message: e.message };
  }
}

export function sshErrorToWire(e: SshError, credential: WireCredential['kind']): WireError {
  const credField = credential === 'password' ? 'password' : 'privateKey';
  switch (e.kind) {
    case 'wrong-password':
    case 'password-expired':
      return { kind: 'auth-failed', field: 'password', message: e.message };
    case 'key-refused':
      return { kind: 'auth-failed', field: 'privateKey', message: e.message };
    case 'method-not-allowed':
    case 'no-methods-left':
      return { kind: 'auth-failed', field: credField, message: e.message };
    case 'auth-cancelled':
      return { kind: 'auth-failed', message: 'Sign-in was cancelled.' };
    case 'host-key-rejected':
    case 'host-key-changed':
    case 'host-key-invalid':
      return { kind: 'host-key', message: e.message };
    case 'stream-error':
      return streamError(e);
    case 'not-ssh':
    case 'connection-lost':
    case 'timeout':
      return { kind: 'unreachable', message: e.message };
    case 'disconnected':
      return { kind: 'refused', message: e.message };
    default:
      return { kind: 'protocol', message: e.message };
  }
}

/** The proxy speaks through the WebSocket close: its reason is already a sentence for a person. */
function streamError(e: SshError): WireError {
  const code = e.reasonCode ?? 1006;
  const said = e.serverMessage?.trim();
  if (REFUSALS.has(code)) return { kind: 'refused', message: said || 'The Postern proxy refused the connection.' };
  if (UNREACHABLE.has(code)) return { kind: 'unreachable', message: said || 'The machine could not be reached from the Postern proxy.' };
  if (said) return { kind: 'unreachable', message: said };
  return { kind: 'unreachable', message: "Can't reach the Postern proxy. Check your connection and try again." };
}

export function toWire(e: unknown, credential: WireCredential['kind']): WireError {
  if (e instanceof KeyError) return keyErrorToWire(e);
  if (e instanceof SshError) return sshErrorToWire(e, credential);
  return { kind: 'protocol', message: `Something unexpected went wrong: ${e instanceof Error ? e.message : String(e)}` };
}

/** The sentence a session's end gets in the terminal, when the error is not the user's own close. */
export function endReason(e: SshError): WireError | null {
  if (e.kind === 'closed') return null;
  return sshErrorToWire(e, 'password');
}
