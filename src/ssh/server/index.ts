// Public surface of the SSH server role: the other end of the library's client, on the same core
// (src/ssh/core). DOM-free: it runs in a Web Worker and in Node tests.

export { SshServer, ServerSession, USER_SIGNATURE_ALGORITHMS, type SshServerOptions, type ServerEnd, type ServerEndKind } from './server';
export type { SignInAttempt, SignInPolicy } from './userauth';
export { SERVER_ALGORITHMS, type ServerAlgorithms } from './kex';
export { DEFAULT_SERVER_VERSION, SERVER_VOICE } from './transport';
export { OUTPUT_HIGH_WATER, SERVER_MAX_PACKET, SERVER_WINDOW } from './channel';
export type { Program, ProgramIO, ProgramRequest, PtyInfo, StartProgram, TerminalSize } from './program';
