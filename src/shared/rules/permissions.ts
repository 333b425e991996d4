// Who may do what: the four link actions of the original product plus administration, by role.
import { ROLE_ACTIONS, type Action, type User } from '../api.ts';
import { ApiError } from './errors.ts';

export const ACTION_NAMES: Record<Action, string> = {
  'links.create': 'create links',
  'links.deleteByResource': 'delete links by resource',
  'links.deleteByToken': 'delete links by token',
  'links.get': 'view links',
  admin: 'manage resources, users and settings',
};

export function requireAction(user: User, action: Action): void {
  if (!ROLE_ACTIONS[user.role].includes(action)) throw new ApiError('forbidden', `Your role (${user.role}) cannot ${ACTION_NAMES[action]}.`);
}

export const SIGN_IN_AGAIN = 'Please sign in again: your session has ended or is not valid.';

export const SIGNIN_LINK_INVALID =
  'This sign-in link is not valid: it was already used, has expired, or is mistyped. Ask an owner for a new one.';

/**
 * Disconnecting live sessions takes either delete action: whoever may delete a link, and with it
 * end its sessions, may end one session without deleting the link (owners and contributors).
 */
export const DISCONNECT_ACTIONS: readonly Action[] = ['links.deleteByResource', 'links.deleteByToken'];

export function mayDisconnect(actions: readonly Action[]): boolean {
  return DISCONNECT_ACTIONS.some((a) => actions.includes(a));
}

export function requireDisconnect(user: User): void {
  if (!mayDisconnect(ROLE_ACTIONS[user.role])) {
    throw new ApiError('forbidden', `Your role (${user.role}) cannot disconnect live sessions: that takes an owner or a contributor.`);
  }
}
