// The demo machine's sftp subsystem: the SSH library's SFTP server part over the machine's
// in-memory files (fs.ts), run as the Program of a session channel like the shell.

import { SftpServer, FsFailure, type SftpFileSystem } from '../../ssh/core/sftp/server';
import type { SftpAttrs } from '../../ssh/core/sftp/protocol';
import type { Program, ProgramIO } from '../ssh-server/program';
import { FsError, type FsNode, type MemoryFs } from './fs';

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
/** The demo has one user; files show as theirs (uid and gid 1000, as on a fresh Debian machine). */
const OWNER = 1000;

function attrsOf(node: FsNode): SftpAttrs {
  const size = node.kind === 'file' ? node.data.length : 4096;
  const type = node.kind === 'dir' ? S_IFDIR : S_IFREG;
  return { size, uid: OWNER, gid: OWNER, permissions: type | node.mode, atime: node.mtime, mtime: node.mtime };
}

/** Runs `action`, turning the file system's errors into the SFTP server's. */
function fsCall<T>(action: () => T): T {
  try {
    return action();
  } catch (e) {
    if (e instanceof FsError) throw new FsFailure(e.code, e.message);
    throw e;
  }
}

/** The SftpFileSystem view of the demo machine's MemoryFs. */
export function sftpView(fs: MemoryFs, home: string): SftpFileSystem {
  return {
    home,
    stat: (path) => fsCall(() => attrsOf(fs.get(path))),
    list: (path) => fsCall(() => fs.list(path).map(([name, node]) => ({ name, attrs: attrsOf(node) }))),
    read: (path, offset, length) => fsCall(() => fs.bytes(path).subarray(offset, offset + length)),
    open: (path, o) =>
      fsCall(() => {
        if (!o.create && !o.truncate) {
          const node = fs.get(path);
          if (o.write && node.kind === 'dir') throw new FsError('EISDIR', path);
          if (!o.write) return;
        }
        if (o.create) fs.create(path, { exclusive: o.exclusive, truncate: o.truncate, mode: o.mode });
        else fs.setAttributes(path, o.truncate ? { size: 0 } : {});
      }),
    write: (path, offset, data) => fsCall(() => fs.writeAt(path, offset, data)),
    setstat: (path, a) => fsCall(() => fs.setAttributes(path, { mode: a.permissions, size: a.size, mtime: a.mtime })),
    mkdir: (path, mode) => fsCall(() => fs.mkdir(path, mode)),
    rmdir: (path) => fsCall(() => fs.rmdir(path)),
    remove: (path) => fsCall(() => fs.remove(path)),
    rename: (from, to, overwrite) => fsCall(() => fs.rename(from, to, overwrite)),
  };
}

export function startDemoSftp(io: ProgramIO, fs: MemoryFs, home: string): Program {
  const server = new SftpServer(sftpView(fs, home), {
    write: (bytes) => io.write(bytes),
    drained: () => io.drained(),
    close: () => io.exit(0),
  });
  return {
    input: (data) => server.receive(data),
    resize: () => undefined,
    endOfInput: () => server.end(),
    hangup: () => server.end(),
  };
}
