// The demo machine's file system: directories and files in memory, with POSIX-style path resolution
// ("~", ".", "..", repeated slashes). The shell reads it; SFTP (./sftp.ts) also writes it, in the
// user's home and /tmp only, within a byte budget, since it lives in a browser tab. Errors carry
// errno-like codes so commands print the messages people know from coreutils.

export type FsNode = { kind: 'dir'; children: Map<string, FsNode>; mode: number; mtime: number } | { kind: 'file'; data: Uint8Array; mode: number; mtime: number };

export type FsErrorCode = 'ENOENT' | 'ENOTDIR' | 'EISDIR' | 'EACCES' | 'EEXIST' | 'ENOTEMPTY' | 'ENOSPC' | 'EINVAL';

const MESSAGES: Record<FsErrorCode, string> = {
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EACCES: 'Permission denied',
  EEXIST: 'File exists',
  ENOTEMPTY: 'Directory not empty',
  ENOSPC: 'No space left on device',
  EINVAL: 'Invalid argument',
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

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const now = () => Math.floor(Date.now() / 1000);

function build(tree: Tree, at: number): FsNode {
  const children = new Map<string, FsNode>();
  for (const [name, value] of Object.entries(tree)) {
    children.set(name, typeof value === 'string' ? { kind: 'file', data: encoder.encode(value), mode: 0o644, mtime: at } : build(value, at));
  }
  return { kind: 'dir', children, mode: 0o755, mtime: at };
}

/** What all files together may hold: the machine lives in a browser tab's memory. */
export const DEMO_DISK_BYTES = 256 * 1024 * 1024;

export class MemoryFs {
  private readonly root: FsNode;
  private used = 0;

  constructor(
    tree: Tree,
    /** Folders under which writing is allowed (the user's home, /tmp); elsewhere is read-only. */
    private readonly writable: readonly string[] = [],
    private readonly capacity = DEMO_DISK_BYTES,
  ) {
    this.root = build(tree, now());
    const count = (n: FsNode): number => (n.kind === 'file' ? n.data.length : [...n.children.values()].reduce((t, c) => t + count(c), 0));
    this.used = count(this.root);
  }

  /** Bytes all files hold, and how many more fit. */
  get usage(): { used: number; free: number } {
    return { used: this.used, free: Math.max(0, this.capacity - this.used) };
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

  /** A file's text (invalid UTF-8 shown as U+FFFD, as a terminal would). */
  read(path: string): string {
    return decoder.decode(this.bytes(path));
  }

  bytes(path: string): Uint8Array {
    const node = this.get(path);
    if (node.kind === 'dir') throw new FsError('EISDIR', path);
    return node.data;
  }

  // ---- Writing (SFTP), only under the writable folders ----

  /** Makes an empty file (or empties an existing one when `truncate`). */
  create(path: string, options: { exclusive: boolean; truncate: boolean; mode: number }): void {
    const [dir, name] = this.parentOf(path);
    const existing = dir.children.get(name);
    if (existing) {
      if (options.exclusive) throw new FsError('EEXIST', path);
      if (existing.kind === 'dir') throw new FsError('EISDIR', path);
      if (options.truncate) this.resize(existing, 0);
      return;
    }
    dir.children.set(name, { kind: 'file', data: new Uint8Array(0), mode: options.mode & 0o777, mtime: now() });
    dir.mtime = now();
  }

  /** Writes `data` at `offset`, growing the file (with zeros in any gap) within the byte budget. */
  writeAt(path: string, offset: number, data: Uint8Array): void {
    this.checkWritable(path);
    const node = this.get(path);
    if (node.kind === 'dir') throw new FsError('EISDIR', path);
    const end = offset + data.length;
    if (end > node.data.length) this.resize(node, end);
    node.data.set(data, offset);
    node.mtime = now();
  }

  mkdir(path: string, mode: number): void {
    const [dir, name] = this.parentOf(path);
    if (dir.children.has(name)) throw new FsError('EEXIST', path);
    dir.children.set(name, { kind: 'dir', children: new Map(), mode: mode & 0o777, mtime: now() });
    dir.mtime = now();
  }

  rmdir(path: string): void {
    const [dir, name] = this.parentOf(path);
    const node = dir.children.get(name);
    if (!node) throw new FsError('ENOENT', path);
    if (node.kind !== 'dir') throw new FsError('ENOTDIR', path);
    if (node.children.size) throw new FsError('ENOTEMPTY', path);
    dir.children.delete(name);
    dir.mtime = now();
  }

  remove(path: string): void {
    const [dir, name] = this.parentOf(path);
    const node = dir.children.get(name);
    if (!node) throw new FsError('ENOENT', path);
    if (node.kind === 'dir') throw new FsError('EISDIR', path);
    this.used -= node.data.length;
    dir.children.delete(name);
    dir.mtime = now();
  }

  /** Moves `from` to `to`; an existing target is replaced only when `overwrite` (and never by or with a folder). */
  rename(from: string, to: string, overwrite: boolean): void {
    const [fromDir, fromName] = this.parentOf(from);
    const [toDir, toName] = this.parentOf(to);
    const node = fromDir.children.get(fromName);
    if (!node) throw new FsError('ENOENT', from);
    if (to === from) return;
    if (node.kind === 'dir' && (to + '/').startsWith(from + '/')) throw new FsError('EINVAL', to);
    const target = toDir.children.get(toName);
    if (target) {
      if (!overwrite || target.kind === 'dir' || node.kind === 'dir') throw new FsError('EEXIST', to);
      this.used -= target.data.length;
    }
    fromDir.children.delete(fromName);
    toDir.children.set(toName, node);
    fromDir.mtime = toDir.mtime = now();
  }

  /** Changes the permission bits (chmod), truncates or extends (size) and the modification time. */
  setAttributes(path: string, attrs: { mode?: number; size?: number; mtime?: number }): void {
    this.checkWritable(path);
    const node = this.get(path);
    if (attrs.size !== undefined) {
      if (node.kind === 'dir') throw new FsError('EISDIR', path);
      this.resize(node, attrs.size);
    }
    if (attrs.mode !== undefined) node.mode = attrs.mode & 0o777;
    if (attrs.mtime !== undefined) node.mtime = attrs.mtime;
  }

  private checkWritable(path: string): void {
    if (!this.writable.some((w) => path === w || path.startsWith(w + '/'))) throw new FsError('EACCES', path);
  }

  /** The folder that holds `path` and its last name, for a change in that folder. */
  private parentOf(path: string): [Extract<FsNode, { kind: 'dir' }>, string] {
    const at = path.lastIndexOf('/');
    const name = path.slice(at + 1);
    const parent = path.slice(0, at) || '/';
    if (!name) throw new FsError('EINVAL', path);
    const dir = this.get(parent);
    if (dir.kind !== 'dir') throw new FsError('ENOTDIR', path);
    // The folder itself must lie under a writable one (changing /home/demo's entries, not /home's).
    if (!this.writable.some((w) => parent === w || parent.startsWith(w + '/'))) throw new FsError('EACCES', path);
    return [dir, name];
  }

  private resize(node: Extract<FsNode, { kind: 'file' }>, size: number): void {
    if (size > node.data.length && this.used + (size - node.data.length) > this.capacity) throw new FsError('ENOSPC', '');
    this.used += size - node.data.length;
    const old = node.data.length;
    if (size <= old) {
      node.data = node.data.subarray(0, size);
      return;
    }
    // Room to grow is kept behind the file (doubling), so a file written chunk by chunk is copied a
    // few times, not once per chunk; what lies there from before a truncation is zeroed.
    if (node.data.byteOffset === 0 && node.data.buffer.byteLength >= size) {
      node.data = new Uint8Array(node.data.buffer, 0, size);
      node.data.fill(0, old);
      return;
    }
    const grown = new Uint8Array(new ArrayBuffer(Math.max(size, Math.min(2 * old, old + 64 * 1024 * 1024))), 0, size);
    grown.set(node.data);
    node.data = grown;
  }
}

/** The demo machine's files. Everything here is public text; nothing secret lives in the demo. */
export function demoFileSystem(user: string, commandNames: readonly string[]): MemoryFs {
  const bin: Tree = {};
  for (const name of commandNames) bin[name] = `${name}: built into the demo shell\n`;
  return new MemoryFs(
    {
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
    },
    [`/home/${user}`, '/tmp'],
  );
}
