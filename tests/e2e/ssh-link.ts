// The usual stage for a terminal test: a real OpenSSH sshd, a Postern with shareable links on, and
// one link to a resource for that sshd, its host key pinned so no host-key question comes between
// Connect and the prompt.
import { startSshd, type Sshd } from '../support/sshd';
import { addResource, createLinks, ok, setFeature, startPostern, type Postern } from './postern';

export interface SshLink {
  pt: Postern;
  sshd: Sshd;
  token: string;
}

export async function startSshLink(resourceName: string): Promise<SshLink> {
  const sshd = await startSshd();
  const pt = await startPostern();
  await setFeature(pt, true);
  const r = await addResource(pt, resourceName, { ssh: [sshd.port] });
  await ok(pt.owner('PUT', `/api/resources/${r.id}`, {
    name: resourceName, address: '127.0.0.1', ports: { ssh: [sshd.port] }, sshHostKeyFingerprint: sshd.hostFingerprints.ed25519,
  }));
  const [{ token }] = await createLinks(pt, [r.id]);
  return { pt, sshd, token };
}
