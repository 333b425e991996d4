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
}

export function sshLinkForFile(resourceName: string): SshLink {
  let started: { pt?: Postern; sshd?: Sshd; token?: string } = {};
  test.beforeAll(async () => {
    const sshd = await startSshd();
    started = { sshd };
    const pt = await startPostern();
    started.pt = pt;
    await setFeature(pt, true);
    const r = await addResource(pt, resourceName, { ssh: [sshd.port] });
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
  };
}
