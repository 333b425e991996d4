// How a server connection ends. Every fatal problem becomes a ServerFailure, goes through the one
// fatal path (the packet pump behind transport.ts: DISCONNECT with the matching RFC 4253 §11.1
// reason, then stop), and is reported to whoever runs the server as a ServerEnd.

import { Disconnect, SshError } from '../../ssh/core/errors';

export type ServerFailureKind =
  | 'protocol' // malformed or out-of-order message from the client
  | 'kex' // nothing in common, or an invalid key exchange value
  | 'integrity' // MAC/AEAD/padding failure
  | 'auth-exhausted' // too many failed sign-in attempts
  | 'service' // the client asked for a service we do not offer
  | 'closed'; // we closed it on purpose (shutdown)

export class ServerFailure extends Error {
  constructor(
    readonly kind: ServerFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'ServerFailure';
  }
}

export interface ServerEnd {
  /** 'peer' when the client disconnected or the stream ended; otherwise why we ended it. */
  kind: ServerFailureKind | 'peer';
  message: string;
}

/** The RFC 4253 §11.1 reason our DISCONNECT carries ('peer' ends send none; it falls to the default). */
export function disconnectReason(kind: ServerEnd['kind']): number {
  switch (kind) {
    case 'kex':
      return Disconnect.KEY_EXCHANGE_FAILED;
    case 'integrity':
      return Disconnect.MAC_ERROR;
    case 'auth-exhausted':
      return Disconnect.NO_MORE_AUTH_METHODS_AVAILABLE;
    case 'service':
      return Disconnect.SERVICE_NOT_AVAILABLE;
    case 'closed':
      return Disconnect.BY_APPLICATION;
    default:
      return Disconnect.PROTOCOL_ERROR;
  }
}

const CLIENT_WORDING = /^The server sent something this client does not understand: /;

/**
 * The core's wire reader and codec speak from the client's point of view ("the server sent ...");
 * on this side the peer is the client, so their errors are reworded before they reach DISCONNECT.
 */
export function asServerFailure(e: unknown): ServerFailure {
  if (e instanceof ServerFailure) return e;
  if (e instanceof SshError) {
    switch (e.kind) {
      case 'integrity-failure':
        return new ServerFailure('integrity', 'corrupted packet from the client (integrity check failed)');
      case 'packet-too-large':
        return new ServerFailure('protocol', 'the client sent a packet larger than 256 KiB');
      case 'kex-failed':
        return new ServerFailure('kex', e.message.replace(/server/g, 'peer'));
      case 'not-ssh':
        return new ServerFailure('protocol', 'the client did not send an SSH-2.0 identification line');
      default:
        return new ServerFailure('protocol', `malformed message from the client: ${e.message.replace(CLIENT_WORDING, '')}`);
    }
  }
  return new ServerFailure('protocol', `internal error in the demo server: ${e instanceof Error ? e.message : String(e)}`);
}
