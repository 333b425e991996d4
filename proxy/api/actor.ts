// Who is asking, for the routes that a signed-in user may use when their role allows one action.
import type { Action, User } from '../../src/shared/api.ts';
import { requireUser } from '../auth/access.ts';
import { requireAction } from '../../src/shared/rules/permissions.ts';
import type { RequestContext } from '../services/context.ts';

/** The signed-in user making this request, refused unless their role allows `action`. */
export async function userAllowed(ctx: RequestContext, action: Action): Promise<User> {
  const user = await requireUser(ctx.store, ctx.req);
  requireAction(user, action);
  return user;
}
