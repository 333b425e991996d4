// Owner-only administration: resources, users, the feature switch, the audit trail. Each change
// writes its own audit row in the store's transaction; taking a user's authority away ends the
// console sessions it opened.
import { losesActions } from '../../src/shared/api.ts';
import { ApiError } from '../../src/shared/rules/errors.ts';
import { userAllowed } from './actor.ts';
import type { RequestContext, Route } from '../services/context.ts';
import { issueSigninUrl, meOf } from './session-routes.ts';
import { linkDefaultsInput } from '../../src/shared/rules/policy.ts';
import { asObject, resourceInput, role, shareableLinks, text } from '../../src/shared/rules/validate.ts';

const owner = (ctx: RequestContext) => userAllowed(ctx, 'admin');

export const adminRoutes: Route[] = [
  {
    method: 'PUT',
    path: '/api/settings',
    handler: async (ctx) => {
      const user = await owner(ctx);
      const body = asObject(ctx.body);
      if (body.shareableLinks === undefined && body.linkDefaults === undefined) {
        throw new ApiError('bad-request', 'Send shareableLinks, linkDefaults, or both.');
      }
      // Both are checked before either is saved, so a mistake in one changes nothing.
      const on = body.shareableLinks === undefined ? undefined : shareableLinks(body.shareableLinks);
      const defaults = body.linkDefaults === undefined ? undefined : linkDefaultsInput(body.linkDefaults, ctx.now());
      if (on !== undefined) {
        await ctx.store.setShareableLinks(on, user.name);
        if (!on) ctx.live.endAllLinkSessions();
      }
      if (defaults) await ctx.store.setLinkDefaults(defaults, user.name);
      return { body: (await meOf(ctx, user)).settings };
    },
  },
  {
    method: 'GET',
    path: '/api/resources',
    handler: async (ctx) => {
      await userAllowed(ctx, 'links.get');
      return { body: await ctx.store.listResources() };
    },
  },
  {
    method: 'POST',
    path: '/api/resources',
    handler: async (ctx) => {
      const user = await owner(ctx);
      const r = await ctx.store.createResource(resourceInput(ctx.body), user.name);
      return { status: 201, body: r };
    },
  },
  {
    method: 'PUT',
    path: '/api/resources/:id',
    handler: async (ctx) => {
      const user = await owner(ctx);
      const r = await ctx.store.updateResource(ctx.params.id, resourceInput(ctx.body), user.name);
      return { body: r };
    },
  },
  {
    method: 'DELETE',
    path: '/api/resources/:id',
    handler: async (ctx) => {
      const user = await owner(ctx);
      const r = await ctx.store.deleteResource(ctx.params.id, user.name);
      ctx.live.endResource(r.id);
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    path: '/api/users',
    handler: async (ctx) => {
      await owner(ctx);
      return { body: await ctx.store.listUsers() };
    },
  },
  {
    method: 'POST',
    path: '/api/users',
    handler: async (ctx) => {
      const actor = await owner(ctx);
      const body = asObject(ctx.body);
      const user = await ctx.store.createUser(text(body.name, 'name', 'Name', 100), role(body.role), actor.name);
      const signinUrl = await issueSigninUrl(ctx, user.id, ctx.req);
      return { status: 201, body: { user, signinUrl } };
    },
  },
  {
    method: 'PUT',
    path: '/api/users/:id',
    handler: async (ctx) => {
      const actor = await owner(ctx);
      const { user, previousRole } = await ctx.store.setUserRole(ctx.params.id, role(asObject(ctx.body).role), actor.name);
      if (losesActions(previousRole, user.role)) ctx.live.endRoleLowered(user.id, user.role);
      return { body: user };
    },
  },
  {
    method: 'DELETE',
    path: '/api/users/:id',
    handler: async (ctx) => {
      const actor = await owner(ctx);
      const user = await ctx.store.deleteUser(ctx.params.id, actor.name);
      ctx.live.endUser(user.id);
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    path: '/api/users/:id/signin-link',
    handler: async (ctx) => {
      await owner(ctx);
      const user = await ctx.store.getUser(ctx.params.id);
      if (!user) throw new ApiError('not-found', 'That user no longer exists.');
      return { status: 201, body: { signinUrl: await issueSigninUrl(ctx, user.id, ctx.req) } };
    },
  },
  {
    method: 'GET',
    path: '/api/audit',
    handler: async (ctx) => {
      await owner(ctx);
      const n = Number(ctx.query.get('limit') ?? 500);
      const limit = Number.isInteger(n) && n > 0 ? Math.min(n, 5000) : 500;
      return { body: await ctx.store.listAudit(limit) };
    },
  },
];
