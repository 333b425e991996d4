// Why a link cannot be opened, in words for the visitor: a heading that explains, the proxy's own sentence,
// and what to do next.
import type { ApiError, OfflineError } from '../api/client';
import type { LinkInfo } from '../shared/api';
import { minutesText } from '../shared/rules/policy';

export interface Problem {
  heading: string;
  message: string;
  /** What to do next, when the proxy's sentence does not already say it ('' then). */
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
      return { heading: 'This link does not exist', message: e.message, advice: `If you copied it, check that nothing was cut off. ${ASK}`, retry: false };
    case 'resource-deleted':
      return { heading: 'The machine behind this link was removed', message: e.message, advice: ASK, retry: false };
    case 'feature-disabled':
      return { heading: 'Shareable links are turned off', message: e.message, advice: 'An administrator has switched shareable links off; links work again once they switch it back on.', retry: false };
    case 'link-expired':
      return { heading: 'This link has expired', message: e.message, advice: '', retry: false };
    case 'link-used-up':
      return { heading: 'This link has been used up', message: e.message, advice: 'Renewing keeps the same link: once it is renewed, this page works again.', retry: false };
    case 'outside-hours':
      return { heading: 'This link is closed right now', message: e.message, advice: 'Keep this page: Try again works once it opens.', retry: true };
    case 'passkey-required':
      return { heading: 'This link is protected by a passkey', message: e.message, advice: 'Passkeys need a Postern proxy; this page has none to ask.', retry: false };
    case 'link-locked':
      return { heading: 'This link is locked for a while', message: e.message, advice: 'Wrong access codes lock a link for some minutes. Try again later with the right code.', retry: true };
    case 'too-many-requests':
      return { heading: 'The proxy is busy', message: e.message, advice: 'Wait a moment, then try again.', retry: true };
    default:
      return { heading: "This link can't be opened", message: e.message, advice: ASK, retry: e.status >= 500 };
  }
}

/** What the link page says of the link's own limits: when it stops working by itself, and uses left. */
export function linkLimitsNote(info: LinkInfo): string | undefined {
  const parts: string[] = [];
  if (info.closesAt) {
    const at = new Date(info.closesAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
    parts.push(`This link closes on ${at}.`);
  }
  if (info.usesLeft !== undefined) {
    parts.push(info.usesLeft === 1 ? 'It can be used once more.' : `It can be used ${info.usesLeft} more times.`);
  }
  if (info.maxSessionMinutes) parts.push(`A session lasts at most ${minutesText(info.maxSessionMinutes)}.`);
  if (info.idleMinutes) parts.push(`A session with no typing or clicking for ${minutesText(info.idleMinutes)} ends.`);
  return parts.length ? parts.join(' ') : undefined;
}

