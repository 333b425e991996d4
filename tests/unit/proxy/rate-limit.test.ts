// The per-address token bucket, on an injected clock: no sleeping.
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../proxy/auth/rate-limit.ts';

function limiter(opts: { burst: number; perMinute: number; maxAddresses?: number }) {
  let now = 1_000_000;
  const l = new RateLimiter({ ...opts, now: () => now });
  return { l, advance: (ms: number) => (now += ms) };
}

describe('RateLimiter', () => {
  it('allows a burst, then refuses with the seconds until the next attempt', () => {
    const { l } = limiter({ burst: 3, perMinute: 6 });
    expect([l.take('a'), l.take('a'), l.take('a')].every((r) => r.ok)).toBe(true);
    expect(l.take('a')).toEqual({ ok: false, retryAfterSeconds: 10 });
  });

  it('refills at the configured rate, never above the burst', () => {
    const { l, advance } = limiter({ burst: 2, perMinute: 60 });
    l.take('a');
    l.take('a');
    expect(l.take('a').ok).toBe(false);
    advance(999);
    expect(l.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    advance(1);
    expect(l.take('a').ok).toBe(true);
    advance(3_600_000);
    expect([l.take('a'), l.take('a'), l.take('a')].map((r) => r.ok)).toEqual([true, true, false]);
  });

  it('keeps addresses apart', () => {
    const { l } = limiter({ burst: 1, perMinute: 1 });
    expect(l.take('a').ok).toBe(true);
    expect(l.take('a').ok).toBe(false);
    expect(l.take('b').ok).toBe(true);
  });

  it('keeps at most maxAddresses buckets, dropping full ones first, then the least recently used', () => {
    const { l, advance } = limiter({ burst: 2, perMinute: 60, maxAddresses: 3 });
    l.take('busy');
    l.take('busy');
    advance(10);
    for (const a of ['x', 'y']) l.take(a);
    for (let i = 0; i < 100; i++) l.take(`stranger-${i}`);
    expect(l.size).toBeLessThanOrEqual(3);
    // A flood of new addresses cannot wipe a drained bucket before older, fuller ones… unless it is the oldest.
    const { l: l2, advance: adv2 } = limiter({ burst: 2, perMinute: 1, maxAddresses: 2 });
    l2.take('drained');
    l2.take('drained');
    adv2(1);
    l2.take('other');
    expect(l2.take('drained').ok).toBe(false);
    l2.take('third'); // evicts 'other' (least recently used) rather than the drained one
    expect(l2.take('drained').ok).toBe(false);
  });

  it('is off with a burst of 0', () => {
    const { l } = limiter({ burst: 0, perMinute: 0 });
    for (let i = 0; i < 1000; i++) expect(l.take('a').ok).toBe(true);
  });
});
