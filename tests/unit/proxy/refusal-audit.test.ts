// Refused attempts reach the audit trail as one row per address, action, protocol and reason per
// minute, with a count, whatever the flood; an in-memory store and an injected clock.
import { describe, expect, it } from 'vitest';
import { MANY_ADDRESSES, RefusalAudit } from '../../../proxy/audit/refusals.ts';
import type { AuditUpdate, NewAudit, Store } from '../../../proxy/store/store.ts';

function fakeStore() {
  const rows = new Map<number, NewAudit & { count?: number }>();
  let next = 1;
  const store = {
    addAudit: async (e: NewAudit) => {
      rows.set(next, { ...e });
      return next++;
    },
    updateAudit: async (id: number, u: AuditUpdate) => {
      Object.assign(rows.get(id)!, u);
    },
  } as unknown as Store;
  return { store, rows };
}

const refusal = (clientAddress: string, outcome = 'not-found') =>
  ({ action: 'connect', actor: 'unknown', protocol: 'ssh' as const, clientAddress, outcome, detail: 'This link does not exist.' });

describe('RefusalAudit', () => {
  it('writes the first refusal at once and the count of the rest when the minute ends', async () => {
    let now = 60_000 * 100;
    const { store, rows } = fakeStore();
    const audit = new RefusalAudit(store, { now: () => now });
    for (let i = 0; i < 1000; i++) audit.record(refusal('198.51.100.1'));
    await new Promise((r) => setImmediate(r));
    expect([...rows.values()]).toEqual([expect.objectContaining({ clientAddress: '198.51.100.1', outcome: 'not-found', count: 1 })]);
    now += 60_000;
    audit.record(refusal('198.51.100.1'));
    await audit.close();
    expect([...rows.values()].map((r) => r.count)).toEqual([1000, 1]);
  });

  it('keeps addresses and reasons apart', async () => {
    const { store, rows } = fakeStore();
    const audit = new RefusalAudit(store, { now: () => 0 });
    audit.record(refusal('a'));
    audit.record(refusal('a', 'rate-limited'));
    audit.record(refusal('b'));
    audit.record(refusal('b'));
    await audit.close();
    expect([...rows.values()].map((r) => [r.clientAddress, r.outcome, r.count])).toEqual([
      ['a', 'not-found', 1], ['a', 'rate-limited', 1], ['b', 'not-found', 2],
    ]);
  });

  it('bounds the rows a minute: past maxRows, further addresses share one row', async () => {
    const { store, rows } = fakeStore();
    const audit = new RefusalAudit(store, { now: () => 0, maxRows: 10 });
    for (let i = 0; i < 5000; i++) audit.record(refusal(`10.0.${i >> 8}.${i & 255}`));
    await audit.close();
    expect(rows.size).toBe(11);
    const many = [...rows.values()].find((r) => r.clientAddress === MANY_ADDRESSES)!;
    expect(many.count).toBe(4990);
  });

  it('never throws when the store fails', async () => {
    const errors: unknown[] = [];
    const store = { addAudit: async () => { throw new Error('disk full'); }, updateAudit: async () => {} } as unknown as Store;
    const audit = new RefusalAudit(store, { now: () => 0, onError: (e) => errors.push(e) });
    audit.record(refusal('a'));
    audit.record(refusal('a'));
    await audit.close();
    expect(errors).toHaveLength(1);
  });
});
