import { describe, expect, it } from 'vitest';
import { ApiError, OfflineError } from '../../../src/api/client';
import { linkLimitsNote, linkProblem } from '../../../src/link/problems';

describe('why a link cannot be opened', () => {
  it('gives each refusal its own heading and keeps the proxy sentence', () => {
    const p404 = linkProblem(new ApiError('not-found', 'No such link.'));
    expect(p404).toMatchObject({ heading: 'This link does not exist', message: 'No such link.', retry: false });
    expect(linkProblem(new ApiError('resource-deleted', 'Gone.')).heading).toBe('The machine behind this link was removed');
    expect(linkProblem(new ApiError('feature-disabled', 'Off.')).heading).toBe('Shareable links are turned off');
  });
  it('gives an expired, used-up or closed link its own heading, with the proxy sentence', () => {
    expect(linkProblem(new ApiError('link-expired', 'This link expired on 1 Jan.'))).toMatchObject({
      heading: 'This link has expired', message: 'This link expired on 1 Jan.', retry: false });
    expect(linkProblem(new ApiError('link-used-up', 'Used once.'))).toMatchObject({ heading: 'This link has been used up', retry: false });
    expect(linkProblem(new ApiError('outside-hours', 'Opens next on Monday.'))).toMatchObject({
      heading: 'This link is closed right now', message: 'Opens next on Monday.', retry: true });
  });
  it('says when a link closes by itself and how many uses it has left', () => {
    const base = { resourceName: 'box', ports: {} };
    expect(linkLimitsNote(base)).toBeUndefined();
    expect(linkLimitsNote({ ...base, usesLeft: 1 })).toBe('It can be used once more.');
    expect(linkLimitsNote({ ...base, closesAt: '2030-01-01T12:00:00.000Z', usesLeft: 3 })).toMatch(/^This link closes on .*2030.* It can be used 3 more times\.$/);
  });
  it('never says twice what the proxy already said', () => {
    const expired = linkProblem(new ApiError('link-expired', 'This link expired on 1 Jan. Ask the person who shared it for a new one.'));
    expect(expired.advice).toBe('');
    const gone = linkProblem(new ApiError('resource-deleted', 'The machine … has been deleted, so the link no longer connects.'));
    expect(gone.advice).not.toMatch(/no longer connect/);
    const missing = linkProblem(new ApiError('not-found', 'This link does not exist. It may have been deleted, or mistyped.'));
    expect(missing.advice).not.toMatch(/deleted/);
  });
  it('offers a retry when the proxy could not be reached', () => {
    expect(linkProblem(new OfflineError())).toMatchObject({ heading: "Can't reach the Postern proxy", retry: true });
  });
});
