// The seam between a session channel and the demo shell lives in the SSH server role.
export type { Program, ProgramIO, ProgramRequest, PtyInfo, StartProgram, TerminalSize } from '../../ssh/server/index';
