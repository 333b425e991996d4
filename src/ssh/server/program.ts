// The seam between a session channel and whatever runs inside it (the demo shell, or anything a
// test plugs in). The channel owns flow control; the program only writes and awaits drained().

export interface TerminalSize {
  cols: number;
  rows: number;
}

export interface PtyInfo extends TerminalSize {
  term: string;
}

export interface ProgramIO {
  readonly user: string;
  /** Set when the client asked for a pty (pty-req); output then wants CR LF line ends. */
  readonly pty: PtyInfo | undefined;
  /** Queues output; it leaves as fast as the client's window allows. */
  write(data: Uint8Array | string): void;
  /** Resolves once little enough output is queued (or the channel is gone): await it in output loops. */
  drained(): Promise<void>;
  /** Ends the session: queued output, EOF, exit-status, CLOSE. */
  exit(code: number): void;
  /** The channel has closed; stop producing output. */
  readonly closed: boolean;
}

export interface Program {
  input(data: Uint8Array): void;
  resize(size: TerminalSize): void;
  /** The client sent CHANNEL_EOF. */
  endOfInput(): void;
  /** The channel or the whole connection went away. */
  hangup(): void;
}

export type ProgramRequest = { kind: 'shell' } | { kind: 'exec'; command: string } | { kind: 'subsystem'; name: string };

/** Starts what a session asked for; undefined refuses it (an unknown subsystem: the client gets FAILURE). */
export type StartProgram = (io: ProgramIO, request: ProgramRequest) => Program | undefined;
