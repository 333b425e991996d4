import { describe, expect, it } from 'vitest';
import { ApiError, OfflineError } from '../../../src/api/client';
import { linkProblem } from '../../../src/link/problems';

describe('why a link cannot be opened', () => {
  it('gives each refusal its own heading and keeps the proxy sentence', () => {
    const p404 = linkProblem(new ApiError('not-found', 'No such link.'));
    expect(p404).toMatchObject({ heading: 'This link does not exist', message: 'No such link.', retry: false });
    expect(linkProblem(new ApiError('resource-deleted', 'Gone.')).heading).toBe('The machine behind this link was removed');
    expect(linkProblem(new ApiError('feature-disabled', 'Off.')).heading).toBe('Shareable links are turned off');
  });
  it('offers a retry when the proxy could not be reached', () => {
    expect(linkProblem(new OfflineError())).toMatchObject({ heading: "Can't reach the Postern proxy", retry: true });
  });
});
