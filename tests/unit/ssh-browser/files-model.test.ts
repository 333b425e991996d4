// The Files panel's model and the shell's folder (OSC 7): where it opens, that an open panel never
// moves on its own, and the fallback when the shell's folder cannot be listed. The worker is replaced
// by a table of folders; a folder not in it is refused as sftp-server refuses it.
import { describe, expect, test } from 'vitest';
import { FileError, type FilesChannel } from '../../../src/ssh/browser/files/channel';
import { FilesModel } from '../../../src/ssh/browser/files/model.svelte';
import type { FileEntry, FileOp } from '../../../src/ssh/browser/files/protocol';

const file = (name: string): FileEntry => ({ name, folder: false, link: false });

function model(folders: Record<string, string[]>) {
  const asked: string[] = [];
  const channel = {
    request: async (op: FileOp) => {
      if (op.op === 'home') return { path: '/home/ann' };
      if (op.op !== 'list') throw new Error(`unexpected ${op.op}`);
      asked.push(op.path);
      const names = folders[op.path];
      if (!names) throw new FileError('permission-denied', `Could not list “${op.path}”: permission denied.`);
      return { entries: names.map(file) };
    },
  } as unknown as FilesChannel;
  return { files: new FilesModel(channel, { upload: true, download: true }), asked };
}

const FOLDERS = { '/home/ann': ['a.txt'], '/srv/www': ['index.html'], '/srv/www/img': ['logo.png'] };

describe('FilesModel and the shell folder', () => {
  test('without OSC 7 it opens in home', async () => {
    const { files } = model(FOLDERS);
    await files.show();
    expect(files.cwd).toBe('/home/ann');
    expect(files.entries.map((e) => e.name)).toEqual(['a.txt']);
  });

  test('opens in the folder the shell reported; an open panel stays put and only offers to follow', async () => {
    const { files } = model(FOLDERS);
    files.shellFolderChanged('/srv/www');
    await files.show();
    expect(files.cwd).toBe('/srv/www');
    files.shellFolderChanged('/srv/www/img');
    expect(files.cwd).toBe('/srv/www'); // not moved under the visitor
    expect(files.shellFolder).toBe('/srv/www/img'); // the panel offers "Go to the shell's folder"
    await files.followShell();
    expect(files.cwd).toBe('/srv/www/img');
    expect(files.entries.map((e) => e.name)).toEqual(['logo.png']);
  });

  test('reopened, it keeps where the visitor went unless the shell has moved since', async () => {
    const { files } = model(FOLDERS);
    files.shellFolderChanged('/srv/www');
    await files.show();
    await files.goTo('/home/ann');
    files.hide();
    await files.show();
    expect(files.cwd).toBe('/home/ann');
    files.hide();
    files.shellFolderChanged('/srv/www/img');
    await files.show();
    expect(files.cwd).toBe('/srv/www/img');
  });

  test('a shell folder that cannot be listed: home instead, and a note saying why', async () => {
    const { files } = model(FOLDERS);
    files.shellFolderChanged('/root');
    await files.show();
    expect(files.cwd).toBe('/home/ann');
    expect(files.listError).toBe('');
    expect(files.folderNote).toBe("Not opened in the shell's folder: Could not list “/root”: permission denied.");
  });
});
