// Every failure the SSH core reports is an SshError: a `kind` the UI branches on and a message
// a person can read. Fatal ones end the session through Transport.fail (the one fatal path).

export type SshErrorKind =
  // transport
  | 'connection-lost' // the byte stream ended without an SSH DISCONNECT
  | 'stream-error' // the stream adapter failed (relay refused, socket error); message from the adapter
  | 'not-ssh' // the peer did not send an SSH-2 version line
  | 'protocol-error' // malformed or out-of-order message from the server
  | 'no-common-algorithm' // negotiation found nothing both sides support
  | 'kex-failed' // the key exchange produced an invalid value
  | 'host-key-invalid' // the server's signature over the exchange hash did not verify
  | 'host-key-rejected' // the user (or the UI's known-hosts check) said no
  | 'host-key-changed' // a different host key than the accepted one (UI verdict, or on rekey)
  | 'integrity-failure' // MAC, AEAD tag or padding check failed: data was altered or corrupted
  | 'packet-too-large'
  | 'disconnected' // the server sent SSH_MSG_DISCONNECT
  | 'timeout' // keepalives went unanswered
  | 'closed' // the local side closed the session
  // authentication
  | 'wrong-password'
  | 'key-refused'
  | 'method-not-allowed' // the server does not offer the method that was tried
  | 'no-methods-left' // nothing the server accepts is left to try
  | 'password-expired'
  | 'auth-cancelled'
  | 'auth-busy' // an authentication attempt is already running
  // connection protocol
  | 'channel-open-failed'
  | 'request-refused'; // pty-req, shell or exec refused by the server

export class SshError extends Error {
  /** For 'disconnected': the RFC 4253 §11.1 reason code and the server's own words. */
  readonly reasonCode?: number;
  readonly serverMessage?: string;

  constructor(readonly kind: SshErrorKind, message: string, detail?: { reasonCode?: number; serverMessage?: string }) {
    super(message);
    this.name = 'SshError';
    this.reasonCode = detail?.reasonCode;
    this.serverMessage = detail?.serverMessage;
  }
}

/** RFC 4253 §11.1 disconnect reason codes. */
export const Disconnect = {
  HOST_NOT_ALLOWED_TO_CONNECT: 1,
  PROTOCOL_ERROR: 2,
  KEY_EXCHANGE_FAILED: 3,
  RESERVED: 4,
  MAC_ERROR: 5,
  COMPRESSION_ERROR: 6,
  SERVICE_NOT_AVAILABLE: 7,
  PROTOCOL_VERSION_NOT_SUPPORTED: 8,
  HOST_KEY_NOT_VERIFIABLE: 9,
  CONNECTION_LOST: 10,
  BY_APPLICATION: 11,
  TOO_MANY_CONNECTIONS: 12,
  AUTH_CANCELLED_BY_USER: 13,
  NO_MORE_AUTH_METHODS_AVAILABLE: 14,
  ILLEGAL_USER_NAME: 15,
} as const;

const DISCONNECT_SENTENCES: Record<number, string> = {
  1: 'The server does not allow connections from this host.',
  2: 'The server reported a protocol error.',
  3: 'The key exchange with the server failed.',
  5: 'The server detected corrupted data (MAC error).',
  6: 'The server reported a compression error.',
  7: 'The server does not offer the requested service.',
  8: 'The server does not support this protocol version.',
  9: "The server's host key could not be verified.",
  10: 'The server lost the connection.',
  11: 'The server closed the session.',
  12: 'The server has too many connections.',
  13: 'Authentication was cancelled.',
  14: 'The server allows no more sign-in attempts.',
  15: 'The server does not accept this user name.',
};

/** The error reported when the server sends DISCONNECT; code 14 is its own kind so the UI can say "too many attempts". */
export function disconnectError(code: number, description: string): SshError {
  const base = DISCONNECT_SENTENCES[code] ?? `The server closed the connection (reason ${code}).`;
  const text = description.trim() ? `${base} The server said: "${description.trim()}"` : base;
  // OpenSSH reports "Too many authentication failures" with reason 2 (protocol error); say what it means.
  if (code === Disconnect.NO_MORE_AUTH_METHODS_AVAILABLE || /too many authentication failures/i.test(description)) {
    return new SshError('no-methods-left', `The server allows no more sign-in attempts (too many failures). The server said: "${description.trim()}"`, {
      reasonCode: code,
      serverMessage: description,
    });
  }
  return new SshError('disconnected', text, { reasonCode: code, serverMessage: description });
}

export function protocolError(message: string): SshError {
  return new SshError('protocol-error', `The server sent something this client does not understand: ${message}`);
}
