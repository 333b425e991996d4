// A small read-only file system for the demo shell: directories and text files in memory, with
// POSIX-style path resolution ("~", ".", "..", repeated slashes). Errors carry errno-like codes
// so commands can print the messages people know from coreutils.

export type FsNode = { kind: 'dir'; children: Map<string, FsNode> } | { kind: 'file'; content: string };

export type FsErrorCode = 'ENOENT' | 'ENOTDIR' | 'EISDIR';

const MESSAGES: Record<FsErrorCode, string> = {
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
};

export class FsError extends Error {
  constructor(
    readonly code: FsErrorCode,
    readonly path: string,
  ) {
    super(MESSAGES[code]);
    this.name = 'FsError';
  }
}

type Tree = { [name: string]: Tree | string };

function build(tree: Tree): FsNode {
  const children = new Map<string, FsNode>();
  for (const [name, value] of Object.entries(tree)) {
    children.set(name, typeof value === 'string' ? { kind: 'file', content: value } : build(value));
  }
  return { kind: 'dir', children };
}

export class MemoryFs {
  private readonly root: FsNode;

  constructor(tree: Tree) {
    this.root = build(tree);
  }

  /** An absolute, normalised path for `path` as seen from `cwd`. */
  resolve(cwd: string, path: string, home: string): string {
    let p = path;
    if (p === '~' || p.startsWith('~/')) p = home + p.slice(1);
    const parts = (p.startsWith('/') ? p : `${cwd}/${p}`).split('/');
    const out: string[] = [];
    for (const part of parts) {
      if (part === '' || part === '.') continue;
      if (part === '..') out.pop();
      else out.push(part);
    }
    return '/' + out.join('/');
  }

  /** The node at an absolute path; throws FsError naming the path. */
  get(path: string): FsNode {
    let node = this.root;
    for (const part of path.split('/').filter(Boolean)) {
      if (node.kind !== 'dir') throw new FsError('ENOTDIR', path);
      const next = node.children.get(part);
      if (!next) throw new FsError('ENOENT', path);
      node = next;
    }
    return node;
  }

  /** Directory entries sorted by name, as ls prints them. */
  list(path: string): Array<[string, FsNode]> {
    const node = this.get(path);
    if (node.kind !== 'dir') throw new FsError('ENOTDIR', path);
    return [...node.children.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  read(path: string): string {
    const node = this.get(path);
    if (node.kind === 'dir') throw new FsError('EISDIR', path);
    return node.content;
  }
}

/** The demo machine's files. Everything here is public text; nothing secret lives in the demo. */
export function demoFileSystem(user: string, commandNames: readonly string[]): MemoryFs {
  const bin: Tree = {};
  for (const name of commandNames) bin[name] = `${name}: built into the demo shell\n`;
  return new MemoryFs({
    bin,
    etc: {
      hostname: 'postern-demo\n',
      motd: 'Welcome to the Postern demo machine.\n',
      'os-release': 'NAME="Postern demo"\nID=postern-demo\nPRETTY_NAME="Postern demo machine (runs in your browser)"\n',
    },
    home: {
      [user]: {
        '.profile': '# Nothing to configure: this shell lives in a Web Worker.\n',
        'README.txt':
          'This machine runs inside your browser.\n\n' +
          'It is an SSH server written with the same SSH code as the client that connected to it:\n' +
          'key exchange, encryption and sign-in are real, only the network is not.\n\n' +
          'Try: ls, cd notes, cat notes/todo.txt, stty size, seq 100000, uname -a, exit\n',
        notes: {
          'todo.txt': '- open a shareable link\n- sign in as demo / demo\n- resize the window, then run stty size\n',
          'ssh.txt': 'Keys exchanged with curve25519-sha256; the host key is Ed25519.\n',
        },
      },
    },
    tmp: {},
  });
}
