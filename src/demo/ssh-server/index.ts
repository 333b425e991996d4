// Public surface of the demo SSH server. DOM-free: it runs in a Web Worker and in Node tests.

export { SshServer, ServerSession, type SshServerOptions } from './server';
export type { ServerEnd, ServerFailureKind } from './failure';
export type { Account, AccountBook } from './userauth';
export { USER_SIGNATURE_ALGORITHMS } from './userauth';
export { SERVER_ALGORITHMS, type ServerAlgorithms } from './kex';
export type { Program, ProgramIO, ProgramRequest, PtyInfo, StartProgram, TerminalSize } from './program';
export { hostKeyFromSeed, newHostKeySeed } from './host-key';
export { DEFAULT_SERVER_VERSION } from './transport';
