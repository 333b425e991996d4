// Public surface of the SSH client core. Everything here is DOM-free and Node-free.

export { SshClient, type SshClientOptions, type ClientEvents } from './client';
export type { ConnectionState } from './state';
export { SshError, type SshErrorKind } from './errors';
export type { AuthMethod, AuthOutcome, Prompt, PromptRequest } from './auth';
export { SshChannel, type ExitInfo, type PtyOptions } from './channel';
export type { HostKeyInfo } from './kex/session';
export { fingerprintSha256 } from './hostkey';
export { DEFAULT_ALGORITHMS, type AlgorithmPreferences, type Negotiated } from './kexinit';
export { connectSsh, webSocketStream, memoryPipe, type ByteStream, type ConnectOptions, type WebSocketLike } from './stream';
