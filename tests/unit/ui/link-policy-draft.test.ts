// The console's link policy form: what it sends for each choice, the field it blames for each
// mistake, and how an existing link's policy fills it in again for the edit dialog.
import { describe, expect, it } from 'vitest';
import { defaultsOf, draftFromDefaults, draftOf, newDraft, settingsOf, timeLeft, usesLeftText } from '../../../src/console/link-policy-draft';
import { FieldError } from '../../../src/console/parse';
import type { Link } from '../../../src/shared/api';

const now = new Date('2030-03-04T10:00:00.000Z');
const field = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof FieldError ? e.field : 'not a FieldError';
  }
  return 'no error';
};

describe('link policy form', () => {
  it('sends no limits by default, and each choice as the API takes it', () => {
    expect(settingsOf(newDraft('UTC'), now)).toEqual({ label: '', policy: {} });
    const d = { ...newDraft('Europe/Berlin'), label: '  vendor  ', expiry: '1d' as const, uses: 'single' as const, hours: true };
    expect(settingsOf(d, now)).toEqual({
      label: 'vendor',
      policy: { expiresAt: '2030-03-05T10:00:00.000Z', maxUses: 1, hours: { timeZone: 'Europe/Berlin', windows: [{ days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' }] } },
    });
    expect(settingsOf({ ...newDraft('UTC'), uses: 'limit', maxUses: '7' }, now).policy).toEqual({ maxUses: 7 });
  });

  it('names the field at fault', () => {
    expect(field(() => settingsOf({ ...newDraft('UTC'), expiry: 'at', expiresAt: '' }, now))).toBe('expiresAt');
    expect(field(() => settingsOf({ ...newDraft('UTC'), expiry: 'at', expiresAt: '2020-01-01T00:00' }, now))).toBe('expiresAt');
    expect(field(() => settingsOf({ ...newDraft('UTC'), uses: 'limit', maxUses: 'lots' }, now))).toBe('maxUses');
    expect(field(() => settingsOf({ ...newDraft('UTC'), hours: true, days: [] }, now))).toBe('hours.windows');
    expect(field(() => settingsOf({ ...newDraft('UTC'), hours: true, from: '18:00', to: '08:00' }, now))).toBe('hours.windows');
    expect(field(() => settingsOf({ ...newDraft('UTC'), label: 'x'.repeat(201) }, now))).toBe('label');
  });

  it('fills the edit form from a link, and lists time and uses left', () => {
    const link = {
      id: 'L', token: 't', resourceId: 'r', resourceName: 'box', status: 'active', createdAt: '', createdBy: 'ann', label: 'vendor', uses: 2,
      policy: { expiresAt: '2030-03-04T12:30:00.000Z', maxUses: 5, hours: { timeZone: 'UTC', windows: [{ days: [6], from: '09:00', to: '10:00' }] } },
    } as Link;
    const d = draftOf(link);
    expect(d).toMatchObject({ label: 'vendor', expiry: 'at', uses: 'limit', maxUses: '5', hours: true, days: [6], from: '09:00', to: '10:00', timeZone: 'UTC' });
    expect(settingsOf(d, now).policy).toEqual(link.policy);
    expect(timeLeft(link.policy!.expiresAt, now)).toBe('2 h 30 min');
    expect(timeLeft('2030-03-10T10:00:00.000Z', now)).toBe('6 days');
    expect(timeLeft('2030-03-01T10:00:00.000Z', now)).toBe('none');
    expect(usesLeftText(link)).toBe('3 of 5');
    expect(usesLeftText({ ...link, policy: {} })).toBe('No limit');
    // Windows the form does not show are kept through an edit.
    const two = { ...link, policy: { hours: { timeZone: 'UTC', windows: [{ days: [1], from: '08:00', to: '12:00' }, { days: [2], from: '13:00', to: '17:00' }] } } } as Link;
    expect(settingsOf({ ...draftOf(two), from: '07:00' }, now).policy.hours?.windows).toEqual([
      { days: [1], from: '07:00', to: '12:00' }, { days: [2], from: '13:00', to: '17:00' }]);
  });
});

describe('defaults for new links', () => {
  const now = new Date('2026-12-04T12:00:00Z');

  it('start the form: a duration expiry, the limits, and a generated code when a code is asked', () => {
    const d = draftFromDefaults({ expiresIn: '7d', maxUses: 1, clipboard: 'off', idleMinutes: 10, accessCode: true });
    expect(d).toMatchObject({ expiry: '7d', uses: 'single', clipboard: 'off', idleMinutes: '10', askCode: true, hasCode: false });
    expect(d.accessCode).toMatch(/^[A-HJKMNP-Z2-9]{8}$/);
    expect(settingsOf(d, now)).toMatchObject({
      policy: { expiresAt: '2026-12-11T12:00:00.000Z', maxUses: 1, clipboard: 'off', idleMinutes: 10, accessCode: true }, accessCode: d.accessCode,
    });
    expect(draftFromDefaults(undefined)).toMatchObject({ expiry: 'none', uses: 'unlimited', askCode: false, accessCode: '' });
  });

  it('are saved from the form without label or code, and refuse a fixed date', () => {
    const d = draftFromDefaults({ expiresIn: '1d', accessCode: true, maxSessionMinutes: 60 });
    d.label = 'ignored';
    expect(defaultsOf(d, now)).toEqual({ expiresIn: '1d', accessCode: true, maxSessionMinutes: 60 });
    d.expiry = 'at';
    expect(() => defaultsOf(d, now)).toThrow('A default expiry is a duration: choose 1 hour, 1 day or 7 days.');
  });
});
