// Signing in with a one-time URL, and who am I.
import type { Me, User } from '../../src/shared/api.ts';
import { actionsOf, bearerToken, requireUser } from '../auth/access.ts';
import { hashToken, newToken } from '../store/tokens.ts';
import { ApiError } from '../../src/shared/rules/errors.ts';
import type { Route, Services } from '../services/context.ts';
import { asObject, looksLikeToken } from '../../src/shared/rules/validate.ts';
import { SIGNIN_LINK_INVALID } from '../../src/shared/rules/permissions.ts';

export async function meOf(s: Services, user: User): Promise<Me> {
  return {
    user,
    actions: actionsOf(user),
    settings: {
      shareableLinks: await s.store.getShareableLinks(),
      maxLinks: s.config.maxLinks,
      maxInflight: s.config.maxInflight,
      linkDefaults: await s.store.getLinkDefaults(),
    },
  };
}

/** Issues a one-time sign-in token for a user and returns its URL. */
export async function issueSigninUrl(s: Pick<Services, 'store' | 'config' | 'signinUrl'>, userId: string, req?: Parameters<Services['signinUrl']>[1]) {
  const token = newToken();
  await s.store.addSigninToken(userId, hashToken(token), new Date(Date.now() + s.config.signinTtlMs));
  return s.signinUrl(token, req);
}

export const sessionRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/health',
    handler: async () => ({ body: { ok: true, version: '0.1.0' } }),
  },
  {
    method: 'POST',
    path: '/api/session',
    handler: async (ctx) => {
      const t = asObject(ctx.body).signinToken;
      const expired = new ApiError('unauthenticated', SIGNIN_LINK_INVALID);
      if (typeof t !== 'string' || !looksLikeToken(t)) throw expired;
      const token = newToken();
      // One transaction: the sign-in token is used up, the session starts, and user.signin is audited.
      const user = await ctx.store.signIn(hashToken(t), hashToken(token), new Date());
      if (!user) throw expired;
      return { status: 201, body: { token, me: await meOf(ctx, user) } };
    },
  },
  {
    method: 'DELETE',
    path: '/api/session',
    handler: async (ctx) => {
      await requireUser(ctx.store, ctx.req);
      const sessionHash = hashToken(bearerToken(ctx.req)!);
      await ctx.store.deleteSession(sessionHash);
      // Tunnels opened with this session token end with it (other proxies hear it from the store).
      ctx.live.endSignedOut(sessionHash);
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    path: '/api/me',
    handler: async (ctx) => ({ body: await meOf(ctx, await requireUser(ctx.store, ctx.req)) }),
  },
];
