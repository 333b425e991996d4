// LinkPolicyWatch with an injected clock and Vitest's fake timers: a live session through a link ends
// at the instant its link expires or its hours end, and when an edit (here, or from another proxy)
// forbids it; never by its use limit, since its use was counted as it started. Nothing sleeps.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLOSE } from '../../../src/shared/api.ts';
import { LinkPolicyWatch } from '../../../proxy/sessions/link-policy.ts';
import { LiveSessions } from '../../../proxy/sessions/live-sessions.ts';
import { SharedStore } from './shared-store.ts';
import { res } from './store-contract.ts';

const START = new Date('2030-03-04T09:00:00.000Z'); // a Monday
let store: SharedStore;
let live: LiveSessions;
let watch: LinkPolicyWatch;
let resourceId: string;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(START);
  store = new SharedStore(':memory:');
  live = new LiveSessions();
  watch = new LinkPolicyWatch(store, live, () => new Date(), (e) => { throw e; });
  resourceId = (await store.createResource(res('box'), 'ann')).id;
});
afterEach(async () => {
  watch.stop();
  vi.useRealTimers();
  await store.close();
});

/** A session through a new link with this policy, registered and watched as the relay does it. */
async function sessionThrough(policy: object) {
  const [link] = await store.createLinks([resourceId], 'ann', 10, { policy });
  const ended: { code: number; reason: string }[] = [];
  live.add({ linkId: link.id, resourceId, end: (code, reason) => ended.push({ code, reason }) });
  watch.watch(link.id);
  await vi.advanceTimersByTimeAsync(0);
  return { link, ended };
}

describe('LinkPolicyWatch', () => {
  it('ends a session at the instant its link expires, not before', async () => {
    const { ended } = await sessionThrough({ expiresAt: new Date(START.getTime() + 60_000).toISOString() });
    await vi.advanceTimersByTimeAsync(59_000);
    expect(ended).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_100);
    expect(ended).toEqual([{ code: CLOSE.linkExpired, reason: expect.stringMatching(/^This link expired on /) }]);
  });

  it('ends a session when its weekly hours end', async () => {
    const { ended } = await sessionThrough({ hours: { timeZone: 'UTC', windows: [{ days: [1], from: '08:00', to: '09:30' }] } });
    await vi.advanceTimersByTimeAsync(29 * 60_000);
    expect(ended).toEqual([]);
    await vi.advanceTimersByTimeAsync(61_000);
    expect(ended).toEqual([{ code: CLOSE.outsideHours, reason: expect.stringMatching(/works only at set hours/) }]);
  });

  it('ends a session when an edit here or on another proxy forbids it, and not for its use limit', async () => {
    const { link, ended } = await sessionThrough({ maxUses: 1 });
    expect(await store.countUse(link.id)).toBe(true);
    watch.recheck(link.id);
    await vi.advanceTimersByTimeAsync(0);
    expect(ended).toEqual([]);
    await store.updateLink(link.id, { policy: { maxUses: 1, expiresAt: new Date(START.getTime() + 1000).toISOString() } }, 'ann');
    await vi.advanceTimersByTimeAsync(0);
    expect(ended).toEqual([]);
    // Another proxy made the edit: its notice is what brings it here.
    await store.updateLink(link.id, { policy: { hours: { timeZone: 'UTC', windows: [{ days: [3], from: '08:00', to: '09:00' }] } } }, 'bob');
    store.emit({ kind: 'link-updated', linkId: link.id });
    await vi.advanceTimersByTimeAsync(0);
    expect(ended).toEqual([{ code: CLOSE.outsideHours, reason: expect.stringMatching(/opens next on/) }]);
  });

  it('lets a renewed link\'s session run past the old expiry', async () => {
    const { link, ended } = await sessionThrough({ expiresAt: new Date(START.getTime() + 60_000).toISOString() });
    await store.updateLink(link.id, { policy: { expiresAt: new Date(START.getTime() + 3_600_000).toISOString() } }, 'ann');
    watch.recheck(link.id);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(ended).toEqual([]);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(ended.map((e) => e.code)).toEqual([CLOSE.linkExpired]);
  });
});
