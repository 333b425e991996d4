// The link policy rules with the instant given, never read: expiry edges, use counting, weekly hours
// in a time zone across daylight-saving changes, and the access-code lockout.
import { describe, expect, it } from 'vitest';
import type { WeeklyHours } from '../../../src/shared/api.ts';
import { hoursState, instantOf } from '../../../src/shared/rules/hours.ts';
import { accessCodeChange, clipboardAllows, linkPolicy, lockState, LOCKOUT, policyState, sessionLimitState, wrongCodesAfter } from '../../../src/shared/rules/policy.ts';
import type { ApiError } from '../../../src/shared/rules/errors.ts';
import { ACCESS_CODE_ALPHABET, accessCodeInput, generateAccessCode, looksLikeAccessCode } from '../../../src/shared/rules/access-code.ts';

const at = (iso: string) => new Date(iso);

describe('expiry and uses', () => {
  const policy = { expiresAt: '2026-12-04T18:00:00.000Z', maxUses: 2 };

  it('works until the instant of expiry, and not at it', () => {
    expect(policyState(policy, { uses: 0 }, at('2026-12-04T17:59:59.999Z'))).toMatchObject({ ok: true, usesLeft: 2, closesAt: at(policy.expiresAt) });
    const s = policyState(policy, { uses: 0 }, at('2026-12-04T18:00:00.000Z'));
    expect(s).toMatchObject({ ok: false, code: 'expired' });
    expect(!s.ok && s.message).toBe('This link expired on 4 Dec 2026, 18:00 UTC. Ask the person who shared it for a new one.');
  });

  it('counts uses: single use works once', () => {
    expect(policyState({ maxUses: 1 }, { uses: 0 }, at('2026-01-01T00:00:00Z'))).toMatchObject({ ok: true, usesLeft: 1 });
    const s = policyState({ maxUses: 1 }, { uses: 1 }, at('2026-01-01T00:00:00Z'));
    expect(s).toMatchObject({ ok: false, code: 'used-up', message: expect.stringMatching(/could be used once, and has been/) });
    expect(policyState({ maxUses: 3 }, { uses: 3 }, at('2026-01-01T00:00:00Z'))).toMatchObject({ message: expect.stringMatching(/used 3 times/) });
  });

  it('has no limits when the policy is empty', () => {
    expect(policyState({}, { uses: 10_000 }, at('2099-01-01T00:00:00Z'))).toEqual({ ok: true, closesAt: undefined, usesLeft: undefined });
  });
});

describe('weekly hours', () => {
  const office: WeeklyHours = { timeZone: 'Europe/Berlin', windows: [{ days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' }] };

  it('is open inside a window and says when it closes', () => {
    // Friday 4 Dec 2026, 10:00 in Berlin (UTC+1).
    expect(hoursState(office, at('2026-12-04T09:00:00Z'))).toEqual({ open: true, next: at('2026-12-04T17:00:00Z') });
  });

  it('is closed at the weekend and opens on Monday morning', () => {
    expect(hoursState(office, at('2026-12-05T12:00:00Z'))).toEqual({ open: false, next: at('2026-12-07T07:00:00Z') });
    const s = policyState({ hours: office }, { uses: 0 }, at('2026-12-05T12:00:00Z'));
    expect(s).toMatchObject({ ok: false, code: 'outside-hours', opensAt: at('2026-12-07T07:00:00Z') });
    expect(!s.ok && s.message).toBe('This link works only at set hours. It opens next on 7 Dec 2026, 08:00 (Europe/Berlin).');
  });

  it('follows the zone across the spring change: 08:00 is 07:00 UTC before and 06:00 UTC after', () => {
    // Berlin moves to UTC+2 on Sunday 29 March 2026.
    expect(hoursState(office, at('2026-03-27T06:30:00Z')).open).toBe(false);
    expect(hoursState(office, at('2026-03-27T07:00:00Z')).open).toBe(true);
    expect(hoursState(office, at('2026-03-28T10:00:00Z'))).toEqual({ open: false, next: at('2026-03-30T06:00:00Z') });
    expect(hoursState(office, at('2026-03-30T06:00:00Z')).open).toBe(true);
  });

  it('opens at the jump when its start time is skipped, and takes a repeated time the first time', () => {
    // New York skips 02:00–03:00 on 8 March 2026 and repeats 01:00–02:00 on 1 November 2026.
    expect(new Date(instantOf(2026, 3, 8, 2 * 60 + 30, 'America/New_York')).toISOString()).toBe('2026-03-08T07:00:00.000Z');
    expect(new Date(instantOf(2026, 11, 1, 60 + 30, 'America/New_York')).toISOString()).toBe('2026-11-01T05:30:00.000Z');
    const night: WeeklyHours = { timeZone: 'America/New_York', windows: [{ days: [0], from: '02:30', to: '04:00' }] };
    expect(hoursState(night, at('2026-03-08T06:59:00Z'))).toEqual({ open: false, next: at('2026-03-08T07:00:00Z') });
    expect(hoursState(night, at('2026-03-08T07:30:00Z'))).toEqual({ open: true, next: at('2026-03-08T08:00:00Z') });
  });

  it('joins touching windows into one opening', () => {
    const split: WeeklyHours = { timeZone: 'UTC', windows: [{ days: [5], from: '08:00', to: '12:00' }, { days: [5], from: '12:00', to: '17:00' }] };
    expect(hoursState(split, at('2026-12-04T11:00:00Z'))).toEqual({ open: true, next: at('2026-12-04T17:00:00Z') });
  });

  it('closes the link when the hours end before the expiry, and says when none are left', () => {
    const s = policyState({ hours: office, expiresAt: '2026-12-06T00:00:00Z' }, { uses: 0 }, at('2026-12-04T09:00:00Z'));
    expect(s).toMatchObject({ ok: true, closesAt: at('2026-12-04T17:00:00Z') });
    const none = policyState({ hours: office, expiresAt: '2026-12-06T00:00:00Z' }, { uses: 0 }, at('2026-12-05T09:00:00Z'));
    expect(none).toMatchObject({ ok: false, code: 'outside-hours', opensAt: undefined, message: expect.stringMatching(/none are left before it expires/) });
  });
});

describe('access-code lockout', () => {
  const now = at('2026-12-04T12:00:00Z');
  const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
  const ago = (...m: number[]) => m.map(minutesAgo);

  it(`locks an address after ${LOCKOUT.perAddress} wrong codes within the window, and says for how long`, () => {
    expect(lockState(ago(1, 2, 3, 4), now, 'address')).toEqual({ locked: false, triesLeft: 1 });
    const s = lockState(ago(1, 2, 3, 4, 5), now, 'address');
    expect(s).toMatchObject({ locked: true, until: at('2026-12-04T12:10:00Z') });
    expect(s.locked && s.message).toBe('Too many wrong access codes came from your address, so links with a code refuse it for 10 more minutes.');
  });

  it(`locks a link after ${LOCKOUT.perLink}, from any addresses; the lock lifts when the oldest counted try leaves the window`, () => {
    const nine = ago(1, 2, 3, 4, 5, 6, 7, 8, 9);
    expect(lockState(nine, now, 'link')).toEqual({ locked: false, triesLeft: 1 });
    const s = lockState([...nine, minutesAgo(14.5)], now, 'link');
    expect(s).toMatchObject({ locked: true, until: at('2026-12-04T12:00:30Z') });
    expect(s.locked && s.message).toMatch(/locked for 1 more minute\. The person who shared it can unlock it\.$/);
    expect(lockState([...nine, minutesAgo(14.5)], at('2026-12-04T12:00:30Z'), 'link')).toEqual({ locked: false, triesLeft: 1 });
  });

  it('forgets wrong codes older than the window', () => {
    expect(lockState(ago(1, 2, 3, 4, 16), now, 'address')).toEqual({ locked: false, triesLeft: 1 });
  });

  it('keeps only the wrong codes that still count, at most as many as lock a link', () => {
    const old = ago(20, 16).map((d) => d.toISOString());
    expect(wrongCodesAfter(old, now)).toEqual([now.toISOString()]);
    const many = Array.from({ length: 12 }, (_, i) => minutesAgo(i + 1).toISOString()).reverse();
    const kept = wrongCodesAfter(many, now);
    expect(kept).toHaveLength(LOCKOUT.perLink);
    expect(kept.at(-1)).toBe(now.toISOString());
  });

  it('a link locked by wrong codes is refused as locked until the window passes; a live session is not judged by it', () => {
    const wrongCodes = ago(1, 2, 3, 4, 5, 6, 7, 8, 9, 10).map((d) => d.toISOString());
    expect(policyState({ accessCode: true }, { uses: 0, wrongCodes }, now)).toMatchObject({ ok: false, code: 'locked' });
    expect(policyState({ accessCode: true }, { uses: 0, wrongCodes }, at('2026-12-04T12:06:00Z'))).toMatchObject({ ok: true });
  });
});

describe('session limits', () => {
  const start = at('2026-12-04T12:00:00Z');
  const plus = (ms: number) => new Date(start.getTime() + ms);

  it('ends a session at exactly its longest length, and says it in hours when whole', () => {
    expect(sessionLimitState({ maxSessionMinutes: 120 }, start, plus(0), plus(120 * 60_000 - 1))).toEqual({ end: false });
    expect(sessionLimitState({ maxSessionMinutes: 120 }, start, plus(0), plus(120 * 60_000))).toEqual({
      end: true, why: 'too-long', message: 'This link allows sessions of at most 2 hours, so the session was ended.' });
  });

  it('counts idleness from the last input, not from the start', () => {
    const policy = { idleMinutes: 10 };
    expect(sessionLimitState(policy, start, plus(5 * 60_000), plus(14 * 60_000))).toEqual({ end: false });
    expect(sessionLimitState(policy, start, plus(5 * 60_000), plus(15 * 60_000))).toMatchObject({ end: true, why: 'idle',
      message: 'Nothing was typed or clicked for 10 minutes, so the session was ended, as this link asks.' });
    expect(sessionLimitState({}, start, start, plus(365 * 24 * 3600_000))).toEqual({ end: false });
  });
});

describe('the clipboard rule', () => {
  it('says which way the clipboard may cross; left out is both ways', () => {
    expect(clipboardAllows(undefined)).toEqual({ to: true, from: true });
    expect(clipboardAllows('to-machine')).toEqual({ to: true, from: false });
    expect(clipboardAllows('from-machine')).toEqual({ to: false, from: true });
    expect(clipboardAllows('off')).toEqual({ to: false, from: false });
  });

  it('is checked as admins send it: both is stored as nothing, anything else is refused with the field', () => {
    const now = at('2026-12-04T12:00:00Z');
    expect(linkPolicy({ clipboard: 'both' }, now)).toEqual({});
    expect(linkPolicy({ clipboard: 'off' }, now)).toEqual({ clipboard: 'off' });
    expect(() => linkPolicy({ clipboard: 'sideways' }, now)).toThrow('The clipboard rule must be both, to-machine, from-machine or off.');
  });
});

describe('access codes as admins type them', () => {
  const refusal = (raw: unknown) => {
    try {
      accessCodeInput(raw);
      return undefined;
    } catch (e) {
      return { field: (e as ApiError).field, message: (e as Error).message };
    }
  };

  it('normalizes case, spaces and dashes, and refuses anything but letters and digits', () => {
    expect(accessCodeInput(' abcd-2345 ')).toBe('ABCD2345');
    expect(refusal('')).toEqual({ field: 'accessCode', message: 'Type an access code, or generate one.' });
    expect(refusal('ABC23')?.message).toBe('An access code has 6 to 10 characters.');
    expect(refusal('ABCDEFGHJKM')?.message).toBe('An access code has 6 to 10 characters.');
    expect(accessCodeInput('demo0123')).toBe('DEMO0123');
    expect(refusal('ABCD_123')?.message).toBe('"_" cannot be in an access code: use only letters A–Z and digits.');
    expect(refusal('ABCDÉFGH')?.message).toMatch(/^"É" cannot be in an access code/);
    expect(refusal(12345678)?.field).toBe('accessCode');
  });

  it('generates codes without characters people misread, uniformly enough that every one of the others turns up', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const code = generateAccessCode();
      expect(code).toMatch(/^[A-HJKMNP-Z2-9]{8}$/);
      expect(looksLikeAccessCode(code)).toBe(true);
      for (const c of code) seen.add(c);
    }
    expect(seen.size).toBe(ACCESS_CODE_ALPHABET.length);
  });

  it('decides what an edit does to the stored code', () => {
    expect(accessCodeChange({ accessCode: 'ABCDEFGH' }, false)).toBe('set');
    expect(accessCodeChange({ policy: { accessCode: true } }, true)).toBe('keep');
    expect(accessCodeChange({ policy: {} }, true)).toBe('remove');
    expect(accessCodeChange({ label: 'x' }, true)).toBe('keep');
    expect(() => accessCodeChange({ policy: { accessCode: true } }, false)).toThrow('Type an access code, or generate one.');
  });
});

describe('a policy as an admin sends it', () => {
  const now = at('2026-12-04T12:00:00Z');
  const refusal = (raw: unknown) => {
    try {
      linkPolicy(raw, now);
    } catch (e) {
      const err = e as { field?: string; message: string };
      return [err.field, err.message];
    }
    throw new Error('accepted');
  };

  it('accepts none, or each field alone', () => {
    expect(linkPolicy(undefined, now)).toEqual({});
    expect(linkPolicy({ expiresAt: '2026-12-05T12:00:00+01:00' }, now)).toEqual({ expiresAt: '2026-12-05T11:00:00.000Z' });
    expect(linkPolicy({ maxUses: 1 }, now)).toEqual({ maxUses: 1 });
    expect(linkPolicy({ hours: { timeZone: 'Asia/Tokyo', windows: [{ days: [3, 1, 1], from: '09:00', to: '17:30' }] } }, now))
      .toEqual({ hours: { timeZone: 'Asia/Tokyo', windows: [{ days: [1, 3], from: '09:00', to: '17:30' }] } });
  });

  it('refuses each mistake with a sentence naming its field', () => {
    expect(refusal('soon')).toEqual(['policy', 'The link policy must be an object.']);
    expect(refusal({ expiresAt: 'tomorrow-ish' })).toEqual(['expiresAt', 'Expiry must be a date and time.']);
    expect(refusal({ expiresAt: '2026-12-04T11:59:00Z' })).toEqual(['expiresAt', 'Expiry must be in the future.']);
    expect(refusal({ maxUses: 0 })).toEqual(['maxUses', 'Use limit must be a whole number from 1 to 100000.']);
    expect(refusal({ maxUses: 1.5 })).toEqual(['maxUses', 'Use limit must be a whole number from 1 to 100000.']);
    expect(refusal({ hours: { timeZone: 'Mars/Olympus', windows: [] } })).toEqual(['hours.timeZone', expect.stringMatching(/not a time zone/)]);
    expect(refusal({ hours: { timeZone: 'UTC', windows: [] } })).toEqual(['hours.windows', 'Hours need between 1 and 14 windows.']);
    expect(refusal({ hours: { timeZone: 'UTC', windows: [{ days: [], from: '08:00', to: '09:00' }] } })).toEqual(['hours.windows', 'Window 1: choose at least one day.']);
    expect(refusal({ hours: { timeZone: 'UTC', windows: [{ days: [1], from: '8am', to: '09:00' }] } })).toEqual(['hours.windows', 'Window 1: times are written like 08:30.']);
    expect(refusal({ hours: { timeZone: 'UTC', windows: [{ days: [1], from: '18:00', to: '08:00' }] } }))
      .toEqual(['hours.windows', 'Window 1: it must end after it starts (windows do not cross midnight).']);
  });
});
