// A link's use counts once the machine has answered. When it cannot be counted the session ends, and the
// sentence says why: the link is gone (deleted meanwhile, perhaps through another proxy on the same
// database, whose notice may not have reached this one yet) or someone else spent its last use.
import { CLOSE } from '../../src/shared/api.ts';
import { REFUSAL, USED_UP_MEANWHILE } from '../../src/shared/rules/refusals.ts';
import type { Store } from '../store/store.ts';
import { LINK_DELETED } from './live-sessions.ts';

export interface LinkUseRefused {
  close: number;
  reason: string;
  /** The audit outcome: a deleted link's sessions end as ended by an administrator, as LiveSessions.endLinks ends them. */
  outcome: 'ended-by-admin' | 'used-up';
}

/** Counts one use of the link; undefined when counted, otherwise why the session must end. */
export async function spendLinkUse(store: Store, linkId: string): Promise<LinkUseRefused | undefined> {
  if (await store.countUse(linkId)) return undefined;
  if (!(await store.getLink(linkId))) return { close: CLOSE.linkDeleted, reason: LINK_DELETED, outcome: 'ended-by-admin' };
  return { close: REFUSAL['used-up'].close, reason: USED_UP_MEANWHILE, outcome: 'used-up' };
}
