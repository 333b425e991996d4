// Every failure the SSH library reports is an SshError: a `kind` code branches on, the RFC 4253
// §11.1 reason a DISCONNECT over it carries, and a message a person can read. Both roles (the
// client here, the server in src/ssh/server) use the same errors; fatal ones end a session through
// the packet pump's one fatal path, which sends `reason`.
//
// An error about what the other end sent is worded by the role that reports it: the client says
// "The server sent…", the server "The client sent…". Shared code (the wire reader, the packet
// codec, key agreement, negotiation) gives such errors Words, a sentence still to be said in a
// role's Voice; the pump says it in its own (SshError.spokenBy) before anyone reads it.

export type SshErrorKind =
  // transport
  | 'connection-lost' // the byte stream ended without an SSH DISCONNECT
  | 'stream-error' // the stream adapter failed (relay refused, socket error); message from the adapter
  | 'not-ssh' // the peer did not send an SSH-2 version line
  | 'protocol-error' // malformed or out-of-order message from the peer
  | 'no-common-algorithm' // negotiation found nothing both sides support
  | 'kex-failed' // the key exchange produced an invalid value
  | 'host-key-invalid' // the server's signature over the exchange hash did not verify
  | 'host-key-rejected' // the user (or the UI's known-hosts check) said no
  | 'host-key-changed' // a different host key than the accepted one (UI verdict, or on rekey)
  | 'integrity-failure' // MAC, AEAD tag or padding check failed: data was altered or corrupted
  | 'packet-too-large'
  | 'service-not-available' // the peer asked for a service this side does not offer
  | 'disconnected' // the peer sent SSH_MSG_DISCONNECT
  | 'timeout' // keepalives went unanswered
  | 'closed' // the local side closed the session
  // authentication
  | 'wrong-password'
  | 'key-refused'
  | 'method-not-allowed' // the server does not offer the method that was tried
  | 'no-methods-left' // nothing the server accepts is left to try; on a server: too many failed attempts
  | 'password-expired'
  | 'auth-cancelled'
  | 'auth-busy' // an authentication attempt is already running
  // connection protocol
  | 'channel-open-failed'
  | 'request-refused'; // pty-req, shell or exec refused by the server

/** RFC 4253 §11.1 disconnect reason codes (SSH_DISCONNECT_*). */
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

/** The one map from an error's kind to the reason our DISCONNECT carries; anything else is a protocol error. */
const REASON_FOR_KIND: Partial<Record<SshErrorKind, number>> = {
  'integrity-failure': Disconnect.MAC_ERROR,
  'no-common-algorithm': Disconnect.KEY_EXCHANGE_FAILED,
  'kex-failed': Disconnect.KEY_EXCHANGE_FAILED,
  'host-key-invalid': Disconnect.HOST_KEY_NOT_VERIFIABLE,
  'host-key-rejected': Disconnect.HOST_KEY_NOT_VERIFIABLE,
  'host-key-changed': Disconnect.HOST_KEY_NOT_VERIFIABLE,
  'service-not-available': Disconnect.SERVICE_NOT_AVAILABLE,
  closed: Disconnect.BY_APPLICATION,
  'auth-cancelled': Disconnect.AUTH_CANCELLED_BY_USER,
  'no-methods-left': Disconnect.NO_MORE_AUTH_METHODS_AVAILABLE,
  timeout: Disconnect.CONNECTION_LOST,
};

/** The algorithm lists KEXINIT negotiates, as a Voice names them. */
export type AlgorithmCategory = 'kex' | 'hostKey' | 'cipher' | 'mac' | 'compression';

/** How a role words errors about what the other end sent. Each role has one (CLIENT_VOICE here, the server's in src/ssh/server). */
export interface Voice {
  /** The other end, as sentences name it: "server" or "client". */
  readonly peer: string;
  /** The peer broke a rule of the protocol (a message out of order, a window overrun…). */
  protocol(detail: string): string;
  /** A message from the peer does not parse (the wire reader's complaint). */
  malformed(detail: string): string;
  /** Negotiation found no algorithm of a category in both lists. */
  noCommon(category: AlgorithmCategory, peerOffers: readonly string[], ours: readonly string[]): string;
  /** The peer did not start with an SSH-2 identification line; `sample` is what it sent instead. */
  notSsh(sample: string): string;
  /** The peer's identification line names another SSH version. */
  otherVersion(line: string): string;
  /** Something failed on this side while handling the peer's data. */
  internal(detail: string): string;
}

/** A sentence, or one still to be said in the Voice of the role that reports it. */
export type Words = string | ((voice: Voice) => string);

const CLIENT_NAMES: Record<AlgorithmCategory, string> = {
  kex: 'key exchange method',
  hostKey: 'host key type',
  cipher: 'encryption cipher',
  mac: 'MAC algorithm',
  compression: 'compression method',
};

/** The client's voice: what the person at the browser reads. */
export const CLIENT_VOICE: Voice = {
  peer: 'server',
  protocol: (detail) => `The server sent something this client does not understand: ${detail}`,
  malformed: (detail) => `The server sent something this client does not understand: ${detail}`,
  noCommon: (category, peerOffers, ours) =>
    `The server and this client have no ${CLIENT_NAMES[category]} in common. Server offers: ${peerOffers.join(', ') || 'nothing'}. This client supports: ${ours.join(', ')}.`,
  notSsh: (sample) => `The server did not answer like an SSH server${sample ? ` (it sent "${sample}")` : ''}. Check that the port runs SSH.`,
  otherVersion: (line) => `The server speaks an SSH version this client does not support ("${line}"). SSH-2 is required.`,
  internal: (detail) => `Internal error in the SSH client: ${detail}`,
};

export class SshError extends Error {
  /** The RFC 4253 §11.1 reason a DISCONNECT sent over this error carries. */
  readonly reason: number;
  /** What the other end said: for 'disconnected' its reason code and words; for 'stream-error' the relay's close code and reason. */
  readonly reasonCode?: number;
  readonly serverMessage?: string;
  readonly #words: Words;

  /**
   * Words that are a function are said in the client's voice until a role speaks them in its own
   * (spokenBy): the client is the library's first reader, and a bare component has no role.
   */
  constructor(readonly kind: SshErrorKind, words: Words, detail?: { reason?: number; reasonCode?: number; serverMessage?: string }) {
    super(typeof words === 'string' ? words : words(CLIENT_VOICE));
    this.name = 'SshError';
    this.#words = words;
    this.reason = detail?.reason ?? REASON_FOR_KIND[kind] ?? Disconnect.PROTOCOL_ERROR;
    this.reasonCode = detail?.reasonCode;
    this.serverMessage = detail?.serverMessage;
  }

  /** This error as `voice` says it (the same error when its words name no one). */
  spokenBy(voice: Voice): SshError {
    if (typeof this.#words === 'string') return this;
    return new SshError(this.kind, this.#words(voice), { reason: this.reason, reasonCode: this.reasonCode, serverMessage: this.serverMessage });
  }
}

/** The peer broke a rule of the protocol. */
export function protocolError(detail: string): SshError {
  return new SshError('protocol-error', (voice) => voice.protocol(detail));
}

/** A message from the peer does not parse. */
export function malformedError(detail: string): SshError {
  return new SshError('protocol-error', (voice) => voice.malformed(detail));
}

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

/** The client's reading of the server's DISCONNECT; code 14 is its own kind so the UI can say "too many attempts". */
export function disconnectError(code: number, description: string): SshError {
  const base = DISCONNECT_SENTENCES[code] ?? `The server closed the connection (reason ${code}).`;
  const text = description.trim() ? `${base} The server said: "${description.trim()}"` : base;
  // OpenSSH reports "Too many authentication failures" with reason 2 (protocol error); say what it means.
  if (code === Disconnect.NO_MORE_AUTH_METHODS_AVAILABLE || /too many authentication failures/i.test(description)) {
    return new SshError('no-methods-left', `The server allows no more sign-in attempts (too many failures). The server said: "${description.trim()}"`, {
      reason: code,
      reasonCode: code,
      serverMessage: description,
    });
  }
  return new SshError('disconnected', text, { reason: code, reasonCode: code, serverMessage: description });
}
