// Tells the store which sessions this proxy holds, so that the console of any proxy can list them:
// soon after one opens or closes (bursts are coalesced into one report), and every HEARTBEAT_MS
// with the bytes relayed so far. A proxy that stops reporting is forgotten after STALE_MS.
import { newId } from '../store/tokens.ts';
import { HEARTBEAT_MS } from '../store/live-session-store.ts';
import type { Store } from '../store/store.ts';
import type { LiveSessions } from './live-sessions.ts';

/** Opens and closes within this long go into one report. */
const COALESCE_MS = 50;

export interface LiveReport {
  /** This proxy process's id in the shared list (random per start). */
  readonly proxyId: string;
  /** Reports now (and waits for it), e.g. before answering a listing. */
  flush(): Promise<void>;
  /** Stops reporting and withdraws this proxy's sessions. */
  stop(): Promise<void>;
}

export function reportLiveSessions(store: Store, live: LiveSessions, onError: (e: unknown) => void): LiveReport {
  const proxyId = newId();
  let running: Promise<void> | undefined;
  let again = false;
  let soon: NodeJS.Timeout | undefined;
  let stopped = false;

  const once = async (): Promise<void> => {
    do {
      again = false;
      await store.liveSessions.report(proxyId, stopped ? [] : live.list(proxyId)).catch(onError);
    } while (again);
  };
  const run = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = once().finally(() => (running = undefined));
    return running;
  };
  const schedule = () => {
    if (stopped || soon) return;
    soon = setTimeout(() => {
      soon = undefined;
      void run();
    }, COALESCE_MS);
  };

  const unwatchAdd = live.onAdd(schedule);
  const unwatchRemove = live.onRemove(schedule);
  const heartbeat = setInterval(() => void run(), HEARTBEAT_MS);
  heartbeat.unref();
  void run();

  return {
    proxyId,
    flush: run,
    async stop() {
      stopped = true;
      clearTimeout(soon);
      clearInterval(heartbeat);
      unwatchAdd();
      unwatchRemove();
      await running;
      await run();
    },
  };
}
