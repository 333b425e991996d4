// Slows down guessing: each client address has a token bucket for link look-ups and tunnel attempts.
// A bucket holds `burst` tokens and refills at `perMinute`; an attempt takes one or is refused with
// the seconds until the next token. The clock is injected, so tests need no sleeping. Memory is
// bounded: at most `maxAddresses` buckets are kept, and a full bucket is the same as none, so those
// are dropped first when room is needed.

export interface RateLimitOptions {
  burst: number;
  perMinute: number;
  /** Buckets kept at most (one per address seen recently). */
  maxAddresses?: number;
  now?: () => number;
}

export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date (ms). */
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly maxAddresses: number;
  private readonly perMs: number;

  constructor(private readonly opts: RateLimitOptions) {
    this.now = opts.now ?? Date.now;
    this.maxAddresses = opts.maxAddresses ?? 50_000;
    this.perMs = opts.perMinute / 60_000;
  }

  /** Takes one token for `address`, or says how long to wait. A burst of 0 turns limiting off. */
  take(address: string): Admission {
    if (this.opts.burst <= 0) return { ok: true };
    const now = this.now();
    const bucket = this.refilled(address, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    const waitMs = this.perMs > 0 ? (1 - bucket.tokens) / this.perMs : Infinity;
    return { ok: false, retryAfterSeconds: Number.isFinite(waitMs) ? Math.max(1, Math.ceil(waitMs / 1000)) : 3600 };
  }

  get size(): number {
    return this.buckets.size;
  }

  private refilled(address: string, now: number): Bucket {
    let bucket = this.buckets.get(address);
    if (!bucket) {
      if (this.buckets.size >= this.maxAddresses) this.makeRoom(now);
      bucket = { tokens: this.opts.burst, at: now };
      this.buckets.set(address, bucket);
      return bucket;
    }
    bucket.tokens = Math.min(this.opts.burst, bucket.tokens + Math.max(0, now - bucket.at) * this.perMs);
    bucket.at = now;
    // Map order is insertion order: moving a used bucket to the end keeps the oldest first.
    this.buckets.delete(address);
    this.buckets.set(address, bucket);
    return bucket;
  }

  /** Drops buckets that have refilled (they carry no state); failing that, the least recently used. */
  private makeRoom(now: number): void {
    for (const [address, b] of this.buckets) {
      if (b.tokens + (now - b.at) * this.perMs >= this.opts.burst) this.buckets.delete(address);
    }
    if (this.buckets.size >= this.maxAddresses) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
  }
}
