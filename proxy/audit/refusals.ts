// Refused connection attempts go into the audit trail aggregated: one row per client address, action,
// protocol and reason per minute, with a count. The first refusal of a minute is written at once (the
// console shows it straight away); the rest only raise its count, written when the minute ends. So a
// flood of bad tokens costs at most a few rows a minute per address, and at most `maxRows` rows a
// minute in all: past that, refusals from further addresses share one row.
import type { NewAudit, Store } from '../store/store.ts';

export interface RefusalAuditOptions {
  windowMs?: number;
  maxRows?: number;
  now?: () => number;
  /** Where a failed write is reported (the audit trail must never stop the proxy). */
  onError?: (e: unknown) => void;
}

/** What a refusal says; `outcome` is the reason code. */
export type Refusal = Omit<NewAudit, 'count'> & { clientAddress: string };

interface Row {
  id: Promise<number | undefined>;
  outcome: string;
  count: number;
  /** The count last written. */
  written: number;
}

export const MANY_ADDRESSES = 'many addresses';

export class RefusalAudit {
  private readonly windowMs: number;
  private readonly maxRows: number;
  private readonly now: () => number;
  private window = -1;
  private rows = new Map<string, Row>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly store: Store, private readonly opts: RefusalAuditOptions = {}) {
    this.windowMs = opts.windowMs ?? 60_000;
    this.maxRows = opts.maxRows ?? 500;
    this.now = opts.now ?? Date.now;
  }

  record(refusal: Refusal): void {
    const window = Math.floor(this.now() / this.windowMs);
    if (window !== this.window) {
      void this.flush();
      this.window = window;
      this.schedule();
    }
    let entry = refusal;
    let key = keyOf(entry);
    if (!this.rows.has(key) && this.rows.size >= this.maxRows) {
      entry = { ...refusal, clientAddress: MANY_ADDRESSES, detail: 'Refusals from more addresses than the audit keeps apart.' };
      key = keyOf(entry);
    }
    const row = this.rows.get(key);
    if (row) {
      row.count++;
      return;
    }
    const id = this.store.addAudit({ ...entry, count: 1 }).then((n) => n, (e) => {
      this.opts.onError?.(e);
      return undefined;
    });
    this.rows.set(key, { id, outcome: entry.outcome, count: 1, written: 1 });
  }

  /** Writes the counts gathered so far and starts a new window. */
  async flush(): Promise<void> {
    const rows = [...this.rows.values()].filter((r) => r.count !== r.written);
    this.rows = new Map();
    await Promise.all(rows.map(async (r) => {
      const id = await r.id;
      if (id === undefined) return;
      r.written = r.count;
      await this.store.updateAudit(id, { outcome: r.outcome, count: r.count }).catch((e) => this.opts.onError?.(e));
    }));
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    const untilNext = this.windowMs - (this.now() % this.windowMs);
    this.timer = setTimeout(() => {
      this.window = -1;
      void this.flush();
    }, untilNext);
    this.timer.unref();
  }
}

function keyOf(r: Refusal): string {
  return JSON.stringify([r.clientAddress, r.action, r.protocol ?? '', r.outcome]);
}
