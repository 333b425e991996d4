// The usual stage for a terminal test: a real OpenSSH sshd, a Postern with shareable links on, and
// one link to a resource for that sshd, its host key pinned so no host-key question comes between
// Connect and the prompt. Registers its own hooks: started before the file's tests, stopped after.
import { test } from '@playwright/test';
import { startSshd, type Sshd } from '../support/sshd';
import { addResource, createLinks, ok, setFeature, startPostern, type Postern } from './postern';

export interface SshLink {
  readonly pt: Postern;
  readonly sshd: Sshd;
  readonly token: string;
  /** The resource the link opens, for tests that make more links to it (with a policy). */
  readonly resourceId: string;
}

export interface SshLinkOptions {
  /** Lines for sshd_config before the stage's own, such as `Subsystem sftp /usr/lib/openssh/sftp-server`. */
  extraConfig?: string[];
}

export function sshLinkForFile(resourceName: string, options: SshLinkOptions = {}): SshLink {
  let started: { pt?: Postern; sshd?: Sshd; token?: string; resourceId?: string } = {};
  test.beforeAll(async () => {
    const sshd = await startSshd({ extraConfig: options.extraConfig });
    started = { sshd };
    const pt = await startPostern();
    started.pt = pt;
    await setFeature(pt, true);
    const r = await addResource(pt, resourceName, { ssh: [sshd.port] });
    started.resourceId = r.id;
    await ok(pt.owner('PUT', `/api/resources/${r.id}`, {
      name: resourceName, address: '127.0.0.1', ports: { ssh: [sshd.port] }, sshHostKeyFingerprint: sshd.hostFingerprints.ed25519,
    }));
    [{ token: started.token }] = await createLinks(pt, [r.id]);
  });
  test.afterAll(async () => {
    await started.pt?.stop();
    await started.sshd?.stop();
  });
  const get = <K extends keyof SshLink>(key: K): SshLink[K] => {
    const value = started[key];
    if (value === undefined) throw new Error(`the SSH link stage has no ${key} yet`);
    return value as SshLink[K];
  };
  return {
    get pt() { return get('pt'); },
    get sshd() { return get('sshd'); },
    get token() { return get('token'); },
    get resourceId() { return get('resourceId'); },
  };
}
