// The link's file-transfer rule (both ways / upload only / download only / off): what each allows,
// how admins' values are checked, that the link page learns it, and that defaults carry it.
import { describe, expect, it } from 'vitest';
import type { Link, Resource } from '../../../src/shared/api.ts';
import { fileTransferAllows, linkDefaultsInput, linkPolicy, linkSettings } from '../../../src/shared/rules/policy.ts';
import { linkInfoOf } from '../../../src/shared/rules/refusals.ts';

const now = new Date('2026-12-04T12:00:00Z');

describe('the file-transfer rule', () => {
  it('says which way files may cross; left out is both ways', () => {
    expect(fileTransferAllows(undefined)).toEqual({ to: true, from: true });
    expect(fileTransferAllows('both')).toEqual({ to: true, from: true });
    expect(fileTransferAllows('upload')).toEqual({ to: true, from: false });
    expect(fileTransferAllows('download')).toEqual({ to: false, from: true });
    expect(fileTransferAllows('off')).toEqual({ to: false, from: false });
  });

  it('is checked as admins send it: both (or null) is stored as nothing, the others as sent', () => {
    expect(linkPolicy({ fileTransfer: 'both' }, now)).toEqual({});
    expect(linkPolicy({ fileTransfer: null }, now)).toEqual({});
    expect(linkPolicy({ fileTransfer: 'upload' }, now)).toEqual({ fileTransfer: 'upload' });
    expect(linkPolicy({ fileTransfer: 'download', clipboard: 'off' }, now)).toEqual({ fileTransfer: 'download', clipboard: 'off' });
    expect(linkPolicy({ fileTransfer: 'off' }, now)).toEqual({ fileTransfer: 'off' });
  });

  it('refuses anything else with a sentence that names the field', () => {
    for (const bad of ['sideways', 'Upload', '', 1, true, ['off'], { way: 'off' }]) {
      let caught: unknown;
      try {
        linkPolicy({ fileTransfer: bad }, now);
      } catch (e) {
        caught = e;
      }
      expect(caught, JSON.stringify(bad)).toMatchObject({
        message: 'The file-transfer rule must be both, upload, download or off.',
        field: 'fileTransfer',
      });
    }
  });

  it('rides in edits and in the defaults for new links', () => {
    expect(linkSettings({ policy: { fileTransfer: 'download' } }, now).policy).toEqual({ fileTransfer: 'download' });
    expect(linkDefaultsInput({ fileTransfer: 'upload', expiresIn: '1d' }, now)).toEqual({ fileTransfer: 'upload', expiresIn: '1d' });
    expect(() => linkDefaultsInput({ fileTransfer: 'both-ways' }, now)).toThrow('The file-transfer rule must be both, upload, download or off.');
  });

  it('reaches the link page when it narrows both ways, and not otherwise', () => {
    const resource = { id: 'r1', name: 'box', address: '10.0.0.1', ports: { rdp: [3389] }, createdAt: '', updatedAt: '' } as Resource;
    const link = (policy: Link['policy']) => ({ id: 'l1', token: 't', resourceId: 'r1', resourceName: 'box', status: 'active', createdAt: '', createdBy: 'o', policy }) as Link;
    expect(linkInfoOf(resource, link({ fileTransfer: 'off' }), now).fileTransfer).toBe('off');
    expect(linkInfoOf(resource, link({ fileTransfer: 'upload' }), now).fileTransfer).toBe('upload');
    expect(linkInfoOf(resource, link({}), now)).not.toHaveProperty('fileTransfer');
    expect(linkInfoOf(resource, link({ fileTransfer: 'both' }), now)).not.toHaveProperty('fileTransfer');
  });
});
