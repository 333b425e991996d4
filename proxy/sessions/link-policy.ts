// Ends live sessions when their link's policy stops allowing them: at the instant the link expires
// or its weekly hours end (a timer to policyState's closesAt, by the proxy's clock), and at once when
// an edit forbids them (the edit route here, or a link-updated change from another proxy sharing
// PostgreSQL). A session's use was counted as it started, so the use limit never ends it.
import { narrowedRule, policyState } from '../../src/shared/rules/policy.ts';
import { CLOSE } from '../../src/shared/api.ts';
import { policyRefusal, REFUSAL } from '../../src/shared/rules/refusals.ts';
import type { Link } from '../../src/shared/api.ts';
import type { Store } from '../store/store.ts';
import type { LiveSessions } from './live-sessions.ts';

export { CLIPBOARD_NARROWED, FILE_TRANSFER_NARROWED } from '../../src/shared/rules/policy.ts';

/** setTimeout's longest delay; a link that closes later is looked at again then. */
const MAX_DELAY_MS = 2 ** 31 - 1;
/** Past the instant itself, so that the check finds the link closed. */
const SLACK_MS = 5;

export class LinkPolicyWatch {
  private timers = new Map<string, NodeJS.Timeout>();
  private unlisten?: () => void;

  constructor(
    private readonly store: Store,
    private readonly live: LiveSessions,
    private readonly now: () => Date,
    private readonly onError: (e: unknown) => void,
  ) {
    this.unlisten = store.onChange?.((change) => {
      if (change.kind === 'link-updated') this.recheck(change.linkId);
      if (change.kind === 'resync') for (const id of this.live.dependencies().linkIds) this.recheck(id);
    });
  }

  /** A session through this link is open: make sure its link is watched. */
  watch(linkId: string): void {
    if (!this.timers.has(linkId)) this.recheck(linkId);
  }

  /** Reads the link afresh and ends its sessions if its policy forbids them now; else waits for its next close. */
  recheck(linkId: string): void {
    this.store.getLink(linkId).then((link) => {
      if (link) this.judge(link);
    }, this.onError);
  }

  stop(): void {
    this.unlisten?.();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private judge(link: Link): void {
    clearTimeout(this.timers.get(link.id));
    this.timers.delete(link.id);
    if (!this.live.dependencies().linkIds.has(link.id)) return;
    const now = this.now();
    const refused = policyRefusal(link, now, { live: true });
    if (refused) {
      this.live.endLinksFor([link.id], REFUSAL[refused.code].close, refused.message);
      return;
    }
    // An edit: session limits apply as edited; a clipboard or file-transfer rule that now forbids a
    // way the session was opened with ends it (the relay cannot narrow a channel already under way).
    for (const s of this.live.ofLink(link.id)) {
      const narrowed = narrowedRule(s.limits, link.policy);
      if (narrowed) s.end(CLOSE.forbidden, narrowed);
      else s.limits = link.policy;
    }
    const state = policyState(link.policy ?? {}, { uses: 0 }, now);
    if (!state.ok || !state.closesAt) return;
    const delay = Math.min(Math.max(state.closesAt.getTime() - now.getTime(), 0) + SLACK_MS, MAX_DELAY_MS);
    const timer = setTimeout(() => {
      this.timers.delete(link.id);
      this.recheck(link.id);
    }, delay);
    timer.unref();
    this.timers.set(link.id, timer);
  }
}
