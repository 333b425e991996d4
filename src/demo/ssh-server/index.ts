// Public surface of the demo machine's SSH side: the library's server role with the machine's
// accounts and host key. DOM-free: it runs in a Web Worker and in Node tests.

// The demo worker and the tests know the machine's server as SshServer.
export { DemoServer as SshServer, DEMO_SERVER_VERSION, type DemoServerOptions as SshServerOptions } from './server';
export type { Account, AccountBook } from './accounts';
export { hostKeyFromSeed, newHostKeySeed } from './host-key';
export type { ServerEnd, ServerEndKind } from '../../ssh/server/index';
export type { Program, ProgramIO, ProgramRequest, PtyInfo, StartProgram, TerminalSize } from './program';
