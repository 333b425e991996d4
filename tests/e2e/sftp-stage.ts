// The stage for the Files panel's specs: an SSH link (ssh-link.ts) whose sshd serves SFTP with OpenSSH's
// own sftp-server, the test user's home folder on this machine, and the files a test made there, which
// are removed after the file's tests.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { test } from '@playwright/test';
import { sshLinkForFile, type SshLink } from './ssh-link';

export interface SftpStage {
  stage: SshLink;
  /** The test user's home folder (set once the file's beforeAll has run). */
  home(): string;
  /** Paths on this machine to remove after the file's tests. */
  made: string[];
}

export function sftpLinkForFile(resourceName: string): SftpStage {
  const stage = sshLinkForFile(resourceName, { extraConfig: ['Subsystem sftp /usr/lib/openssh/sftp-server'] });
  let home = '';
  const made: string[] = [];
  test.beforeAll(() => {
    home = execFileSync('getent', ['passwd', stage.sshd.fixture.user], { encoding: 'utf8' }).split(':')[5];
  });
  test.afterAll(() => {
    for (const p of made) rmSync(p, { recursive: true, force: true });
  });
  return { stage, home: () => home, made };
}
