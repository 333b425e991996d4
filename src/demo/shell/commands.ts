// The demo shell's commands. Each gets its arguments and a small context, writes text with "\n"
// line ends (the shell turns them into CR LF on a pty) and returns an exit status. Messages follow
// coreutils' wording, so the demo feels like the real thing.

import type { TerminalSize } from '../ssh-server/program';
import { FsError, type MemoryFs } from './fs';

export interface CommandContext {
  args: string[];
  out(text: string): void;
  err(text: string): void;
  fs: MemoryFs;
  cwd: string;
  home: string;
  user: string;
  hostname: string;
  chdir(absolutePath: string): void;
  /** The pty's size, or undefined when the session has no pty. */
  size(): TerminalSize | undefined;
  /** Await between chunks of output, so a big command respects the client's window. */
  drained(): Promise<void>;
  /** Ctrl+C was pressed (or the session hung up): stop early. */
  interrupted(): boolean;
  tty: boolean;
  exit(code: number): void;
}

type Run = (ctx: CommandContext) => number | Promise<number>;

function fsMessage(cmd: string, shown: string, e: unknown): string {
  if (e instanceof FsError) return `${cmd}: ${shown}: ${e.message}\n`;
  throw e;
}

const ls: Run = (ctx) => {
  const all = ctx.args.some((a) => /^-[a-zA-Z]*a/.test(a));
  const long = ctx.args.some((a) => /^-[a-zA-Z]*l/.test(a));
  const paths = ctx.args.filter((a) => !a.startsWith('-'));
  let status = 0;
  const targets = paths.length ? paths : ['.'];
  targets.forEach((shown, i) => {
    const path = ctx.fs.resolve(ctx.cwd, shown, ctx.home);
    try {
      const node = ctx.fs.get(path);
      const entries = node.kind === 'dir' ? ctx.fs.list(path).filter(([name]) => all || !name.startsWith('.')) : [[shown, node] as const];
      if (targets.length > 1 && node.kind === 'dir') ctx.out(`${i ? '\n' : ''}${shown}:\n`);
      const paint = (name: string, dir: boolean) => (dir && ctx.tty ? `\x1b[01;34m${name}\x1b[0m` : name);
      if (long) {
        for (const [name, n] of entries) {
          const size = n.kind === 'file' ? n.data.length : 4096;
          ctx.out(`${n.kind === 'dir' ? 'drwxr-xr-x' : '-rw-r--r--'} 1 ${ctx.user} ${ctx.user} ${String(size).padStart(5)} ${paint(name, n.kind === 'dir')}\n`);
        }
      } else if (entries.length) {
        ctx.out(entries.map(([name, n]) => paint(name, n.kind === 'dir')).join('  ') + '\n');
      }
    } catch (e) {
      ctx.err(fsMessage('ls', `cannot access '${shown}'`, e));
      status = 2;
    }
  });
  return status;
};

const cd: Run = (ctx) => {
  if (ctx.args.length > 1) {
    ctx.err('cd: too many arguments\n');
    return 1;
  }
  const shown = ctx.args[0] ?? '~';
  const path = ctx.fs.resolve(ctx.cwd, shown, ctx.home);
  try {
    if (ctx.fs.get(path).kind !== 'dir') throw new FsError('ENOTDIR', path);
    ctx.chdir(path);
    return 0;
  } catch (e) {
    ctx.err(fsMessage('cd', shown, e));
    return 1;
  }
};

const cat: Run = (ctx) => {
  if (ctx.args.length === 0) {
    ctx.err('cat: reading from the keyboard is not part of the demo; name a file, e.g. cat README.txt\n');
    return 1;
  }
  let status = 0;
  for (const shown of ctx.args) {
    try {
      ctx.out(ctx.fs.read(ctx.fs.resolve(ctx.cwd, shown, ctx.home)));
    } catch (e) {
      ctx.err(fsMessage('cat', shown, e));
      status = 1;
    }
  }
  return status;
};

const echo: Run = (ctx) => {
  const noNewline = ctx.args[0] === '-n';
  const words = noNewline ? ctx.args.slice(1) : ctx.args;
  ctx.out(words.join(' ') + (noNewline ? '' : '\n'));
  return 0;
};

const uname: Run = (ctx) => {
  const fields: Record<string, string> = {
    s: 'Postern',
    n: ctx.hostname,
    r: '1.0-demo',
    v: '#1 SSH server in a Web Worker',
    m: 'js',
    o: 'Postern demo',
  };
  const flags = ctx.args.join('').replace(/-/g, '');
  if (/[^asnrvmo]/.test(flags)) {
    ctx.err(`uname: invalid option -- '${flags.replace(/[asnrvmo]/g, '')[0]}'\n`);
    return 1;
  }
  const wanted = flags.includes('a') ? 'snrvmo' : flags || 's';
  ctx.out(
    'snrvmo'
      .split('')
      .filter((f) => wanted.includes(f))
      .map((f) => fields[f])
      .join(' ') + '\n',
  );
  return 0;
};

/** coreutils' default format, in UTC: "Sun Nov 23 20:23:00 UTC 2025". */
const date: Run = (ctx) => {
  const d = new Date();
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const two = (n: number) => String(n).padStart(2, '0');
  ctx.out(`${day} ${month} ${String(d.getUTCDate()).padStart(2)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}\n`);
  return 0;
};

const stty: Run = (ctx) => {
  const size = ctx.size();
  if (!size) {
    ctx.err("stty: 'standard input': Inappropriate ioctl for device\n");
    return 1;
  }
  if (ctx.args.length === 0) ctx.out(`speed 38400 baud; rows ${size.rows}; columns ${size.cols}; line = 0;\n`);
  else if (ctx.args.length === 1 && ctx.args[0] === 'size') ctx.out(`${size.rows} ${size.cols}\n`);
  else {
    ctx.err(`stty: the demo shell only supports "stty" and "stty size"\n`);
    return 1;
  }
  return 0;
};

/** seq [FIRST [INCREMENT]] LAST: the command that prints a lot, in chunks that wait for the window. */
const seq: Run = async (ctx) => {
  const nums = ctx.args.map(Number);
  if (nums.length < 1 || nums.length > 3 || nums.some((n) => !Number.isSafeInteger(n))) {
    ctx.err('seq: usage: seq [FIRST [INCREMENT]] LAST (whole numbers)\n');
    return 1;
  }
  const [first, step, last] = nums.length === 1 ? [1, 1, nums[0]] : nums.length === 2 ? [nums[0], 1, nums[1]] : [nums[0], nums[1], nums[2]];
  if (step === 0) {
    ctx.err("seq: invalid Zero increment value: '0'\n");
    return 1;
  }
  let n = first;
  while (step > 0 ? n <= last : n >= last) {
    let chunk = '';
    for (let i = 0; i < 2000 && (step > 0 ? n <= last : n >= last); i++, n += step) chunk += `${n}\n`;
    ctx.out(chunk);
    await ctx.drained();
    if (ctx.interrupted()) return 130;
  }
  return 0;
};

export interface CommandSpec {
  run: Run;
  help: string;
}

export const COMMANDS: Record<string, CommandSpec> = {
  help: { run: () => 0, help: 'list these commands' }, // filled in below, it needs the table
  ls: { run: ls, help: 'list files (-a hidden, -l long)' },
  cd: { run: cd, help: 'change directory' },
  pwd: { run: (ctx) => (ctx.out(ctx.cwd + '\n'), 0), help: 'print the current directory' },
  cat: { run: cat, help: 'print files' },
  echo: { run: echo, help: 'print its arguments' },
  whoami: { run: (ctx) => (ctx.out(ctx.user + '\n'), 0), help: 'print your user name' },
  hostname: { run: (ctx) => (ctx.out(ctx.hostname + '\n'), 0), help: "print the machine's name" },
  uname: { run: uname, help: 'describe the system (-a for everything)' },
  date: { run: date, help: 'print the date and time (UTC)' },
  stty: { run: stty, help: '"stty size" prints the terminal rows and columns' },
  seq: { run: seq, help: 'print a sequence of numbers, e.g. seq 100000' },
  clear: { run: (ctx) => (ctx.out('\x1b[H\x1b[2J\x1b[3J'), 0), help: 'clear the screen' },
  exit: {
    run: (ctx) => {
      const code = ctx.args.length ? Number(ctx.args[0]) : 0;
      ctx.exit(Number.isInteger(code) ? code & 0xff : 2);
      return code;
    },
    help: 'sign out',
  },
};

COMMANDS.help.run = (ctx) => {
  ctx.out('Commands on the demo machine:\n');
  for (const [name, spec] of Object.entries(COMMANDS)) ctx.out(`  ${name.padEnd(9)}${spec.help}\n`);
  return 0;
};
