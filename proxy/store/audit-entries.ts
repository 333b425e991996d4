// The audit rows a change writes, in one place for both stores: each store inserts these in the
// same transaction as the change they describe.
import type { Link, LinkDefaults, Resource, User } from '../../src/shared/api.ts';
import type { NewAudit } from './store.ts';

type Named = Pick<Resource, 'id' | 'name'>;

export const auditOf = {
  feature: (actor: string, on: boolean): NewAudit => ({ action: on ? 'feature.enable' : 'feature.disable', actor, outcome: 'ok' }),
  linkDefaults: (actor: string, d: LinkDefaults): NewAudit => ({ action: 'settings.link-defaults', actor, outcome: 'ok', detail: JSON.stringify(d) }),

  userCreated: (actor: string, u: User): NewAudit => ({ action: 'user.create', actor, outcome: 'ok', detail: `${u.name} (${u.role})` }),
  userRole: (actor: string, u: User): NewAudit => ({ action: 'user.role', actor, outcome: 'ok', detail: `${u.name} → ${u.role}` }),
  userDeleted: (actor: string, u: User): NewAudit => ({ action: 'user.delete', actor, outcome: 'ok', detail: u.name }),
  signedIn: (u: User): NewAudit => ({ action: 'user.signin', actor: u.name, outcome: 'ok' }),

  resource: (action: 'resource.create' | 'resource.update' | 'resource.delete', actor: string, r: Named): NewAudit =>
    ({ action, actor, resourceId: r.id, resourceName: r.name, outcome: 'ok' }),
  certificatePinned: (actor: string, r: Named, fingerprint: string): NewAudit =>
    ({ action: 'rdp.certificate-pinned', actor, resourceId: r.id, resourceName: r.name, outcome: 'ok', detail: fingerprint }),

  link: (action: 'link.create' | 'link.update' | 'link.delete' | 'link.passkey-bound', actor: string, l: Link, detail = l.label): NewAudit =>
    ({ action, actor, linkId: l.id, resourceId: l.resourceId, resourceName: l.resourceName, outcome: 'ok', ...(detail ? { detail } : {}) }),
};
