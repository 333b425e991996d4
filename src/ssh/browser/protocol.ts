// The messages between the page and the SSH worker. The worker owns the byte stream (the relay's
// WebSocket, or a MessagePort: transport.ts), the SshClient and the private key; the page owns the terminal, the prompts and the known-hosts memory. Bulk data
// travels as transferable ArrayBuffers, so neither side copies it twice.
//
//   page                                   worker
//   connect, resize ───────────────────────►  opens the transport, parses the key and starts the handshake at once
//   host-keys ─────────────────────────────►  the server's key is judged only once these arrive
//           ◄─────────────────────────────── phase (proxy, kex, host-key, sign-in, shell)
//           ◄─────────────────────────────── host-key   (trusted already, or the page decides)
//           ◄─────────────────────────────── negotiated (key exchange, cipher: the connection details)
//   host-key-answer ───────────────────────►
//           ◄─────────────────────────────── prompt     (keyboard-interactive; the page asks the user)
//   prompt-answer ─────────────────────────►
//           ◄─────────────────────────────── ready      (shell open) or error (it could not start)
//   data, resize, ack ◄──────────────────► data, exit
//   stats ─────────────────────────────────► ◄─── stats (bytes each way; a timed keepalive when asked)
//   close ─────────────────────────────────► ◄─── closed (the session ended after ready, with a reason)
//   file (home, list, mkdir, rename, remove) ► ◄─── file-result (SFTP opens on the first one)
//   download ──────────────────────────────► ◄─── download-chunk ... file-result; download-ack ►
//   upload, upload-chunk ..., upload-end ──► ◄─── upload-ack (chunk taken), file-progress ... file-result
//   cancel ────────────────────────────────►  (the transfer ends with a file-result 'cancelled')
import type { ConnectErrorKind, ConnectField, Credential } from '../../session/contract';
import type { SshTransport } from './transport';
import type { FilesReply, FilesRequest } from './files/protocol';

export { FILE_WINDOW, isFilesRequest, MAX_PATH_LENGTH, MAX_UPLOAD_CHUNK } from './files/protocol';
export type { FileEntry, FileOp, FileResult, FilesReply, FilesRequest } from './files/protocol';

export type Phase = 'proxy' | 'kex' | 'host-key' | 'sign-in' | 'shell';

/** What the worker needs to sign in: the form's Credential, plain data that postMessage copies as is. */
export type WireCredential = Credential;

/** A failure as it crosses the boundary: a ConnectError's fields, rebuilt into one on the page. */
export interface WireError {
  kind: ConnectErrorKind;
  message: string;
  field?: ConnectField;
}

export type ToWorker =
  | {
      type: 'connect';
      /** How to reach the machine, as the back end's caller chose it (a port is transferred). */
      transport: SshTransport;
      username: string;
      credential: WireCredential;
      /** Whether to send keepalives in silence (not when the link ends idle sessions: they would count as input). */
      keepalive: boolean;
      /** The shell's locale, sent as LANG (locale.ts); the worker sends C.UTF-8 instead of anything invalid. */
      locale: string;
      /**
       * Host key types to ask the server for first (so a known host presents the key we know), from the
       * known hosts as read ahead: a hint for the handshake, never a ground for trust.
       */
      preferKeyTypes: string[];
    }
  /**
   * What the page knows about the resource's host key, sent once it has read its known hosts at this
   * Connect; the server's key is judged only then (the handshake before it does not wait). A key whose
   * fingerprint is in `trusted` (the pinned one, or the remembered ones) is accepted without a round trip
   * to the page. Any other key is put to the page, which decides.
   */
  | { type: 'host-keys'; trusted: string[] }
  | { type: 'host-key-answer'; accept: true }
  | { type: 'host-key-answer'; accept: false; changed: boolean; message: string }
  /** null cancels the prompts. */
  | { type: 'prompt-answer'; answers: string[] | null }
  | { type: 'data'; data: ArrayBuffer }
  /**
   * The terminal has processed this many bytes of output: the worker may open the SSH window that far.
   * `buffer`: the output message's buffer, given back for the next batches (OutputBatcher.recycle).
   */
  | { type: 'ack'; bytes: number; buffer?: ArrayBuffer }
  /** The terminal's size: sent before the shell opens too, so the pty starts with the real size. */
  | { type: 'resize'; cols: number; rows: number }
  /** The connection details are open: bytes so far, and with `ping` a round trip timed by one SSH keepalive. */
  | { type: 'stats'; ping: boolean }
  | { type: 'close' }
  | FilesRequest;

/** What the first key exchange settled, for the terminal's connection details. */
export interface ConnectionDetails {
  kex: string;
  /** The key exchange keeps the session's secret from a future quantum computer (a post-quantum hybrid). */
  postQuantum: boolean;
  /** Server to client; the client's list asks for the same both ways. '' MAC: the cipher is AEAD. */
  cipher: string;
  mac: string;
  hostKey: string;
  fingerprint: string;
  /** The server's identification line (RFC 4253 §4.2, at most 255 bytes), e.g. "SSH-2.0-OpenSSH_9.2p1 Debian-2". */
  server: string;
}

export type ExitInfo = { code: number } | { signal: string; coreDumped: boolean; message: string };

export type FromWorker =
  /** `at`: when the worker entered the phase, in ms since the epoch (performance.timeOrigin + now()). */
  | { type: 'phase'; phase: Phase; at: number }
  /** The server's host key; `accepted` when the worker already trusted it, else the page must answer. */
  | { type: 'host-key'; keyType: string; algorithm: string; fingerprint: string; accepted: boolean }
  | { type: 'negotiated'; details: ConnectionDetails }
  | { type: 'banner'; text: string }
  | { type: 'prompt'; name: string; instruction: string; prompts: { text: string; echo: boolean }[] }
  | { type: 'ready' }
  /** Shell output: the first `length` bytes of `data`. */
  | { type: 'data'; data: ArrayBuffer; length: number }
  | { type: 'exit'; exit: ExitInfo }
  /** Bytes over the connection (as sent and received, encrypted) and the last round trip in ms (null: not measured, or no answer in time). */
  | { type: 'stats'; bytesIn: number; bytesOut: number; rttMs: number | null }
  /** The session could not start. */
  | { type: 'error'; error: WireError }
  /** The session ended after it was ready: `error` is null when the shell simply ended or the user closed it. */
  | { type: 'closed'; reason: string; error: WireError | null }
  | FilesReply;
