// Spending a link's use as the machine answers, on a real (SQLite) store: counted while uses are left;
// when not, the session's end says why: someone else spent the last use, or the link was deleted
// meanwhile (perhaps through another proxy, whose notice has not come yet).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLOSE } from '../../../src/shared/api.ts';
import { USED_UP_MEANWHILE } from '../../../src/shared/rules/refusals.ts';
import { spendLinkUse } from '../../../proxy/sessions/link-use.ts';
import { LINK_DELETED } from '../../../proxy/sessions/live-sessions.ts';
import { hashToken } from '../../../proxy/store/tokens.ts';
import { SharedStore } from './shared-store.ts';
import { res } from './store-contract.ts';

let store: SharedStore;
let resourceId: string;

beforeEach(async () => {
  store = new SharedStore(':memory:');
  resourceId = (await store.createResource(res('box'), 'ann')).id;
});
afterEach(() => store.close());

describe('spendLinkUse', () => {
  it('counts a use while one is left, then says the link is used up', async () => {
    const [link] = await store.createLinks([resourceId], 'ann', 10, { policy: { maxUses: 1 } });
    expect(await spendLinkUse(store, link.id)).toBeUndefined();
    expect(await spendLinkUse(store, link.id)).toEqual({ close: CLOSE.linkUsedUp, reason: USED_UP_MEANWHILE, outcome: 'used-up' });
  });

  it('a link deleted before its use could count: the session ends as deleted, not as used up', async () => {
    const [link] = await store.createLinks([resourceId], 'ann', 10, { policy: { maxUses: 3 } });
    await store.deleteLinksByTokenHash([hashToken(link.token)], 'ann');
    expect(await spendLinkUse(store, link.id)).toEqual({ close: CLOSE.linkDeleted, reason: LINK_DELETED, outcome: 'ended-by-admin' });
  });
});
