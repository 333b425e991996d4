// SFTP over an SSH connection: a second session channel running the server's "sftp" subsystem,
// with the sans-IO SftpClient reading and writing its bytes. See README.md in this folder.

import type { SshChannel } from '../channel';
import type { SshClient } from '../client';
import { SftpClient } from './client';

export { SftpClient, DEFAULT_CHUNK, DEFAULT_OUTSTANDING, MAX_LIST_ENTRIES, type SftpOutput, type Transfer, type TransferOptions, type UploadOptions } from './client';
export { SftpError, type SftpErrorKind } from './errors';
export { Open, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, isDirectory, type SftpAttrs, type SftpName } from './protocol';

/** Binds an SftpClient to a channel whose subsystem is already running, and says hello (INIT/VERSION). */
export async function sftpOverChannel(channel: SshChannel): Promise<SftpClient> {
  const sftp = new SftpClient({ write: (bytes) => channel.write(bytes), close: () => channel.close() });
  channel.on('data', (bytes) => sftp.receive(bytes));
  channel.on('close', (error) => sftp.channelClosed(error?.message ?? 'the server closed the file transfer channel.'));
  await sftp.init();
  await sftp.readLimits();
  return sftp;
}

/** Opens SFTP on a signed-in connection: the "sftp" subsystem on a new session channel. */
export async function openSftp(ssh: SshClient): Promise<SftpClient> {
  return sftpOverChannel(await ssh.openSubsystem('sftp'));
}
