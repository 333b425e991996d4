import { describe, expect, it } from 'vitest';
import { createLinksReason, denyReason, OFFLINE_REASON } from '../../../src/console/permissions';
import { ROLE_ACTIONS, type Me, type Role } from '../../../src/shared/api';

function me(role: Role, shareableLinks = true): Me {
  return {
    user: { id: 'u', name: 'Ann', role, createdAt: '2024-01-01T00:00:00Z' },
    actions: [...ROLE_ACTIONS[role]],
    settings: { shareableLinks, maxLinks: 500, maxInflight: 50 },
  };
}

describe('why a control is disabled', () => {
  it('names the role and what it cannot do', () => {
    expect(denyReason({ me: me('reader'), offline: false }, 'links.create')).toBe('Your role (reader) cannot create links.');
    expect(denyReason({ me: me('contributor'), offline: false }, 'admin', 'manage users')).toBe(
      'Your role (contributor) cannot manage users.',
    );
    expect(denyReason({ me: me('contributor'), offline: false }, 'links.deleteByToken')).toBeNull();
  });
  it('puts the role first, then offline', () => {
    expect(denyReason({ me: me('reader'), offline: true }, 'links.create')).toMatch(/reader/);
    expect(denyReason({ me: me('owner'), offline: true }, 'links.create')).toBe(OFFLINE_REASON);
  });
  it('explains the feature switch, and where to turn it on', () => {
    expect(createLinksReason({ me: me('owner', false), offline: false })).toMatch(/Turn them on in Settings/);
    expect(createLinksReason({ me: me('contributor', false), offline: false })).toMatch(/Ask an owner/);
    expect(createLinksReason({ me: me('contributor', true), offline: false })).toBeNull();
  });
  it('says when nobody is signed in', () => {
    expect(denyReason({ me: null, offline: false }, 'links.get')).toBe('You are not signed in.');
  });
});
