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
