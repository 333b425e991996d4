// Ends link sessions that reach their link's longest session or sit idle past its idle limit
// (sessionLimitState, by the proxy's clock; the limits as the link's policy says now, edits included). Input is what the visitor's browser sends toward the
// machine; it is sampled once a second, which is also how late a session may end.
import { CLOSE } from '../../src/shared/api.ts';
import { sessionLimitState } from '../../src/shared/rules/policy.ts';
import type { LiveSession, LiveSessions } from './live-sessions.ts';

const TICK_MS = 1_000;

interface Watched {
  startedAt: Date;
  lastInputAt: Date;
  lastBytesUp: number;
}

export class SessionLimits {
  private watched = new Map<LiveSession, Watched>();
  private timer: NodeJS.Timeout | undefined;
  private readonly unwatch: (() => void)[];

  constructor(live: LiveSessions, private readonly now: () => Date) {
    this.unwatch = [
      live.onAdd((s) => {
        // Every link session is watched: an edit may give its link limits later.
        if (s.linkId === undefined) return;
        const at = this.now();
        this.watched.set(s, { startedAt: at, lastInputAt: at, lastBytesUp: s.bytes?.().bytesUp ?? 0 });
        this.timer ??= setInterval(() => this.tick(), TICK_MS).unref();
      }),
      live.onRemove((s) => {
        this.watched.delete(s);
        if (this.watched.size === 0) this.stopTimer();
      }),
    ];
  }

  stop(): void {
    for (const u of this.unwatch) u();
    this.watched.clear();
    this.stopTimer();
  }

  private stopTimer() {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const now = this.now();
    for (const [s, w] of this.watched) {
      const up = s.bytes?.().bytesUp ?? 0;
      if (up !== w.lastBytesUp) {
        w.lastBytesUp = up;
        w.lastInputAt = now;
      }
      const state = sessionLimitState(s.limits ?? {}, w.startedAt, w.lastInputAt, now);
      if (!state.end) continue;
      this.watched.delete(s);
      s.end(state.why === 'idle' ? CLOSE.sessionIdle : CLOSE.sessionTooLong, state.message);
    }
  }
}
