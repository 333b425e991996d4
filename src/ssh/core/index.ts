// Public surface of the SSH core. Everything here is DOM-free and Node-free.

// The client role.
export { SshClient, type SshClientOptions, type ClientEvents } from './client';
export type { ConnectionState } from './state';
export { SshError, Disconnect, type SshErrorKind } from './wire/errors';
export type { AuthMethod, AuthOutcome, Prompt, PromptRequest } from './auth';
export { signIn, type Credentials } from './sign-in';
export { LOCAL_WINDOW, SshChannel, type ExitInfo, type PtyOptions } from './channel';
export type { HostKeyInfo } from './kex/session';
export { fingerprintSha256 } from './kex/signature';
export { DEFAULT_ALGORITHMS, type AlgorithmPreferences, type Negotiated } from './kex/kexinit';
export { connectSsh, webSocketStream, memoryPipe, type ByteStream, type ConnectOptions, type WebSocketLike } from './stream';
export { messagePortStream, type MessagePortLike } from './message-port-stream';

// What the server role (src/ssh/server) builds on: the same transport pieces, seen from the other end.
export { equalBytes, utf8 } from './wire/bytes';
export { CIPHER_NAMES, MAC_NAMES } from './cipher/suite';
export type { Opener, Sealer } from './cipher/types';
export { protocolError, type AlgorithmCategory, type Voice } from './wire/errors';
export { KEX_NAMES, POST_QUANTUM_KEX, createAgreement, respondToAgreement } from './kex/agreement';
export { KexKeyPool } from './kex/key-pool';
export { packetProtection } from './kex/exchange';
export { KexRound } from './kex/round';
export { resolvePreferences, type Role } from './kex/kexinit';
export { Msg } from './wire/messages';
export { PacketPump } from './packet-pump';
export { SessionBase } from './session';
export { SIGNATURE_ALGORITHMS, keyTypeForAlgorithm, verifyUserSignature } from './kex/signature';
export { SshReader, SshWriter } from './wire/wire';
