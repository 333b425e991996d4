// The demo machine's shell: a prompt, a line editor and the commands in commands.ts, run as the
// Program inside an SSH session channel. With a pty it behaves like an interactive login shell
// (echo, CR LF line ends, Ctrl+C interrupts a running command); for exec it runs one command.

import type { Program, ProgramIO, ProgramRequest, TerminalSize } from '../ssh-server/program';
import { COMMANDS, type CommandContext } from './commands';
import { demoFileSystem, type MemoryFs } from './fs';
import { LineEditor, type EditorEvent } from './line-editor';
import { startDemoSftp } from './sftp';

export const DEMO_HOSTNAME = 'postern-demo';

/** Splits a command line into words: quotes, backslash escapes, $VAR and $? expansion. */
export function parseWords(line: string, vars: Record<string, string>): string[] | { error: string } {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '' | "'" | '"' = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      if (c === "'") quote = '';
      else word += c;
      continue;
    }
    if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (c === '"') {
      quote = quote ? '' : '"';
      inWord = true;
    } else if (c === "'" && !quote) {
      quote = "'";
      inWord = true;
    } else if (c === '$' && /[A-Za-z_?]/.test(line[i + 1] ?? '')) {
      const name = line[i + 1] === '?' ? '?' : /^[A-Za-z_][A-Za-z0-9_]*/.exec(line.slice(i + 1))![0];
      const value = vars[name] ?? '';
      word += value;
      inWord ||= quote !== '' || value !== ''; // an unquoted empty expansion makes no word, as in sh
      i += name.length;
    } else if (!quote && /\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (!quote && /[|<>;&`]/.test(c)) {
      return { error: 'pipes, redirections and command lists are not part of the demo shell; run one command at a time' };
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) return { error: `unexpected end of line: the ${quote === '"' ? 'double' : 'single'} quote is not closed` };
  if (inWord) words.push(word);
  return words;
}

export class DemoShell implements Program {
  private readonly fs: MemoryFs;
  private readonly home: string;
  private cwd: string;
  private status = 0;
  private readonly editor: LineEditor;
  private events: EditorEvent[] = [];
  private typeahead: Uint8Array[] = [];
  private running = false;
  private interrupt = false;
  private hungUp = false;
  private exited = false;
  /** exec runs one command and reads no input (a client may send EOF at once, as ssh < /dev/null does). */
  private readonly interactive: boolean;

  constructor(
    private readonly io: ProgramIO,
    request: Exclude<ProgramRequest, { kind: 'subsystem' }>,
  ) {
    this.home = `/home/${io.user}`;
    this.fs = machineFiles(io.user);
    this.cwd = this.home;
    this.editor = new LineEditor((text) => this.write(text));
    this.interactive = request.kind === 'shell';
    if (request.kind === 'exec') {
      void this.execute(request.command).then(() => this.exit(this.status));
      return;
    }
    this.write(`Welcome to the Postern demo machine. Sign-in, encryption and this shell all run in your browser.\nType "help" to see the commands.\n\n`);
    this.prompt();
  }

  input(data: Uint8Array): void {
    if (this.exited || !this.interactive) return;
    if (this.running) {
      if (data.includes(0x03)) {
        this.interrupt = true;
        this.typeahead = [];
        this.events = [];
        this.write('^C\n');
      } else {
        this.typeahead.push(data.slice());
      }
      return;
    }
    this.events.push(...this.editor.feed(data));
    void this.drain();
  }

  resize(_size: TerminalSize): void {
    // The channel keeps io.pty current; commands read it when they run (stty size).
  }

  endOfInput(): void {
    if (!this.interactive) return;
    this.events.push({ type: 'eof' });
    void this.drain();
  }

  hangup(): void {
    this.hungUp = true;
    this.interrupt = true;
  }

  private write(text: string): void {
    this.io.write(this.io.pty ? text.replace(/\r?\n/g, '\r\n') : text);
  }

  private prompt(): void {
    const where = this.cwd === this.home ? '~' : this.cwd.startsWith(this.home + '/') ? '~' + this.cwd.slice(this.home.length) : this.cwd;
    // On a terminal the prompt also says the folder in OSC 7, as vte.sh does, so the Files panel opens there.
    const text = this.io.pty
      ? `${osc7(this.cwd)}\x1b[1;32m${this.io.user}@${DEMO_HOSTNAME}\x1b[0m:\x1b[1;34m${where}\x1b[0m$ `
      : `${this.io.user}@${DEMO_HOSTNAME}:${where}$ `;
    this.io.write(text);
  }

  /** Handles queued editor events one at a time; a running command holds the rest back. */
  private async drain(): Promise<void> {
    while (!this.running && !this.exited && this.events.length) {
      const event = this.events.shift()!;
      if (event.type === 'line') {
        this.running = true;
        if (event.text.trim()) await this.execute(event.text);
        this.running = false;
        this.interrupt = false;
        if (this.exited || this.hungUp) return;
        this.prompt();
        // What was typed while the command ran is edited now, as a terminal's typeahead would be.
        const pending = this.typeahead;
        this.typeahead = [];
        for (const bytes of pending) this.events.push(...this.editor.feed(bytes));
      } else if (event.type === 'interrupt') {
        this.status = 130;
        this.prompt();
      } else if (event.type === 'clear') {
        this.io.write('\x1b[H\x1b[2J');
        this.prompt();
        this.io.write(this.editor.line);
      } else {
        this.write('logout\n');
        this.exit(0);
      }
    }
  }

  private async execute(line: string): Promise<void> {
    const words = parseWords(line, { '?': String(this.status), HOME: this.home, USER: this.io.user, PWD: this.cwd });
    if (!Array.isArray(words)) {
      this.write(`demo-sh: ${words.error}\n`);
      this.status = 2;
      return;
    }
    if (words.length === 0) return;
    const [name, ...args] = words;
    const spec = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!spec) {
      this.write(`demo-sh: ${name}: command not found (type "help" for the list)\n`);
      this.status = 127;
      return;
    }
    const ctx: CommandContext = {
      args,
      out: (text) => this.write(text),
      err: (text) => this.write(text),
      fs: this.fs,
      cwd: this.cwd,
      home: this.home,
      user: this.io.user,
      hostname: DEMO_HOSTNAME,
      chdir: (path) => (this.cwd = path),
      size: () => (this.io.pty ? { cols: this.io.pty.cols, rows: this.io.pty.rows } : undefined),
      drained: () => this.io.drained(),
      interrupted: () => this.interrupt || this.io.closed,
      tty: this.io.pty !== undefined,
      exit: (code) => this.exit(code),
    };
    try {
      this.status = await spec.run(ctx);
    } catch (e) {
      this.write(`demo-sh: ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
      this.status = 1;
    }
  }

  private exit(code: number): void {
    if (this.exited) return;
    this.exited = true;
    this.io.exit(code);
  }
}

/**
 * The machine's files, one tree per user for as long as the machine runs (its worker): what SFTP
 * uploads, the shell lists.
 */
const files = new Map<string, MemoryFs>();

export function machineFiles(user: string): MemoryFs {
  let fs = files.get(user);
  if (!fs) files.set(user, (fs = demoFileSystem(user, Object.keys(COMMANDS))));
  return fs;
}

/** The StartProgram the demo server runs in every session channel: the shell, or the sftp subsystem. */
export function startDemoShell(io: ProgramIO, request: ProgramRequest): Program | undefined {
  if (request.kind === 'subsystem') return request.name === 'sftp' ? startDemoSftp(io, machineFiles(io.user), `/home/${io.user}`) : undefined;
  return new DemoShell(io, request);
}

/** OSC 7: ESC ] 7 ; file://host/path ST, each name of the path percent-encoded. */
export function osc7(path: string): string {
  return `\x1b]7;file://${DEMO_HOSTNAME}${path.split('/').map(encodeURIComponent).join('/')}\x1b\\`;
}
