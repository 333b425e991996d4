// The console's file-transfer choice: both ways by default (and for links stored without the field),
// sent only when it narrows both ways, read back for the edit dialog, and carried by the defaults.
import { describe, expect, it } from 'vitest';
import type { Link } from '../../../src/shared/api.ts';
import { defaultsOf, draftFromDefaults, draftOf, FILE_TRANSFER_CHOICES, newDraft, settingsOf } from '../../../src/console/link-policy-draft.ts';

const now = new Date('2026-12-04T12:00:00Z');

describe('the file-transfer field of the link form', () => {
  it('starts at both ways and sends nothing for it', () => {
    const d = newDraft('UTC');
    expect(d.fileTransfer).toBe('both');
    expect(settingsOf(d, now).policy).not.toHaveProperty('fileTransfer');
    expect(draftOf({ policy: {} } as Link).fileTransfer).toBe('both');
  });

  it('offers the four rules, and sends and reads back each that narrows', () => {
    expect(FILE_TRANSFER_CHOICES.map(([v]) => v)).toEqual(['both', 'upload', 'download', 'off']);
    for (const rule of ['upload', 'download', 'off'] as const) {
      const d = { ...newDraft('UTC'), fileTransfer: rule };
      const { policy } = settingsOf(d, now);
      expect(policy.fileTransfer).toBe(rule);
      expect(draftOf({ policy } as Link).fileTransfer).toBe(rule);
    }
  });

  it('is part of the defaults for new links', () => {
    const defaults = defaultsOf({ ...newDraft('UTC'), fileTransfer: 'download' }, now);
    expect(defaults).toEqual({ fileTransfer: 'download' });
    expect(draftFromDefaults(defaults).fileTransfer).toBe('download');
  });
});
