// The demo's first records: the built-in demo machine (its host key pinned, so visitors are never
// asked to trust it), a desktop that shows what RDP would look like with a proxy, and one user of
// each role for the role switcher. Written once per browser; later visits keep whatever changed.
import type { AuditEntry, Resource, User } from '../shared/api';
import { demoDb } from './storage';

/** The demo machine's address: the demo's connect backend sends SSH for it to the in-page server. */
export const DEMO_ADDRESS = 'demo-machine.postern.invalid';
export const DEMO_RESOURCE_NAME = 'Demo machine';

export const DEMO_USERS: readonly Pick<User, 'name' | 'role'>[] = [
  { name: 'Olive', role: 'owner' },
  { name: 'Colin', role: 'contributor' },
  { name: 'Rita', role: 'reader' },
];

export async function seedDemo(): Promise<void> {
  const d = await demoDb();
  if (await d.get('meta', 'seeded')) return;
  // Asking the demo worker for its host key happens outside the transaction (which would not wait for it).
  const { demoMachine } = await import('./machine');
  const info = await demoMachine().info();
  const tx = d.transaction(['meta', 'resources', 'users', 'audit'], 'readwrite');
  if (await tx.objectStore('meta').get('seeded')) return void (await tx.done); // another tab was first
  const base = Date.now();
  const at = (i: number) => new Date(base + i).toISOString();
  const resources: Resource[] = [
    {
      id: crypto.randomUUID(),
      name: DEMO_RESOURCE_NAME,
      address: DEMO_ADDRESS,
      ports: { ssh: [22] },
      sshHostKeyFingerprint: info.hostKeyFingerprint,
      createdAt: at(0),
      updatedAt: at(0),
    },
    {
      id: crypto.randomUUID(),
      name: 'Office desktop',
      address: 'desktop.example.com',
      ports: { rdp: [3389] },
      createdAt: at(1),
      updatedAt: at(1),
    },
  ];
  const users: User[] = DEMO_USERS.map((u, i) => ({ ...u, id: crypto.randomUUID(), createdAt: at(i) }));
  for (const r of resources) await tx.objectStore('resources').put(r);
  for (const u of users) await tx.objectStore('users').put(u);
  const audit: AuditEntry[] = resources.map((r, i) => ({
    id: i + 1,
    at: at(i),
    action: 'resource.create',
    actor: users[0].name,
    resourceId: r.id,
    resourceName: r.name,
    outcome: 'ok',
  }));
  for (const a of audit) await tx.objectStore('audit').put(a);
  await tx.objectStore('meta').put(true, 'seeded');
  await tx.objectStore('meta').put(users[0].id, 'actingAs');
  await tx.done;
}
