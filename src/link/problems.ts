// Why a link cannot be opened, in words for the visitor: a heading that explains, the proxy's own sentence,
// and what to do next.
import type { ApiError, OfflineError } from '../api/client';

export interface Problem {
  heading: string;
  message: string;
  advice: string;
  /** Whether trying again might help (a network problem), as opposed to a link that is gone. */
  retry: boolean;
}

const ASK = 'Ask the person who shared it with you for a new link.';

export function linkProblem(e: ApiError | OfflineError | null): Problem {
  if (!e) {
    return { heading: "This link can't be opened", message: 'Something unexpected went wrong.', advice: 'Reload the page to try again.', retry: true };
  }
  if (e.code === 'offline') {
    return { heading: "Can't reach the Postern proxy", message: e.message, advice: 'The link may be fine: try again in a moment.', retry: true };
  }
  switch (e.code) {
    case 'not-found':
      return { heading: 'This link does not exist', message: e.message, advice: `It may have been deleted, or copied incompletely. ${ASK}`, retry: false };
    case 'resource-deleted':
      return { heading: 'The machine behind this link was removed', message: e.message, advice: `This link can no longer connect. ${ASK}`, retry: false };
    case 'feature-disabled':
      return { heading: 'Shareable links are turned off', message: e.message, advice: 'An administrator has switched shareable links off; links work again once they switch it back on.', retry: false };
    case 'too-many-requests':
      return { heading: 'The proxy is busy', message: e.message, advice: 'Wait a moment, then try again.', retry: true };
    default:
      return { heading: "This link can't be opened", message: e.message, advice: ASK, retry: e.status >= 500 };
  }
}
