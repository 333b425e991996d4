// The console reflects permissions; the proxy enforces them. Each check answers either null (allowed)
// or the sentence shown beside the disabled control, so a person knows why they cannot click it.
import type { Action, Me } from '../shared/api';

const ACTION_WORDS: Record<Action, string> = {
  'links.create': 'create links',
  'links.deleteByResource': 'delete links by resource',
  'links.deleteByToken': 'delete links by token',
  'links.get': 'view links',
  admin: 'manage resources, users and settings',
};

export interface PermissionContext {
  me: Me | null;
  /** True while the proxy cannot be reached: cached records are shown read-only. */
  offline: boolean;
}

export const OFFLINE_REASON = "Changes are disabled while the Postern proxy can't be reached.";

/** Why `action` is not allowed right now, or null when it is. */
export function denyReason(ctx: PermissionContext, action: Action, what = ACTION_WORDS[action]): string | null {
  if (!ctx.me) return 'You are not signed in.';
  if (!ctx.me.actions.includes(action)) return `Your role (${ctx.me.user.role}) cannot ${what}.`;
  if (ctx.offline) return OFFLINE_REASON;
  return null;
}

/** Creating links also needs the feature switched on; the reason says where to switch it. */
export function createLinksReason(ctx: PermissionContext): string | null {
  const denied = denyReason(ctx, 'links.create');
  if (denied) return denied;
  if (!ctx.me?.settings.shareableLinks) {
    return ctx.me?.actions.includes('admin')
      ? 'Shareable links are turned off. Turn them on in Settings to create links.'
      : 'Shareable links are turned off. Ask an owner to turn them on.';
  }
  return null;
}

export function can(me: Me | null, action: Action): boolean {
  return !!me && me.actions.includes(action);
}
