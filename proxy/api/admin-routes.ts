// Owner-only administration: resources, users, the feature switch, the audit trail.
import { requireAction, requireUser } from '../auth/access.ts';
import { ApiError } from '../http/json.ts';
import type { RequestContext, Route } from './context.ts';
import { issueSigninUrl } from './session-routes.ts';
import { asObject, resourceInput, role, text } from './validate.ts';

async function owner(ctx: RequestContext) {
  const user = await requireUser(ctx.store, ctx.req);
  requireAction(user, 'admin');
  return user;
}

export const adminRoutes: Route[] = [
  {
    method: 'PUT',
    path: '/api/settings',
    handler: async (ctx) => {
      const user = await owner(ctx);
      const on = asObject(ctx.body).shareableLinks;
      if (typeof on !== 'boolean') throw new ApiError('bad-request', 'shareableLinks must be true or false.', 'shareableLinks');
      await ctx.store.setShareableLinks(on);
      if (!on) ctx.live.endAllLinkSessions();
      await ctx.store.addAudit({ action: on ? 'feature.enable' : 'feature.disable', actor: user.name, outcome: 'ok' });
      return { body: { shareableLinks: on, maxLinks: ctx.config.maxLinks, maxInflight: ctx.config.maxInflight } };
    },
  },
  {
    method: 'GET',
    path: '/api/resources',
    handler: async (ctx) => {
      requireAction(await requireUser(ctx.store, ctx.req), 'links.get');
      return { body: await ctx.store.listResources() };
    },
  },
  {
    method: 'POST',
    path: '/api/resources',
    handler: async (ctx) => {
      const user = await owner(ctx);
      const r = await ctx.store.createResource(resourceInput(ctx.body));
      await ctx.store.addAudit({ action: 'resource.create', actor: user.name, resourceId: r.id, resourceName: r.name, outcome: 'ok' });
      return { status: 201, body: r };
    },
  },
  {
    method: 'PUT',
    path: '/api/resources/:id',
    handler: async (ctx) => {
      const user = await owner(ctx);
      const r = await ctx.store.updateResource(ctx.params.id, resourceInput(ctx.body));
      await ctx.store.addAudit({ action: 'resource.update', actor: user.name, resourceId: r.id, resourceName: r.name, outcome: 'ok' });
      return { body: r };
    },
  },
  {
    method: 'DELETE',
    path: '/api/resources/:id',
    handler: async (ctx) => {
      const user = await owner(ctx);
      const r = await ctx.store.getResource(ctx.params.id);
      if (!r) throw new ApiError('not-found', 'That resource no longer exists.');
      await ctx.store.deleteResource(r.id);
      ctx.live.endResource(r.id);
      await ctx.store.addAudit({ action: 'resource.delete', actor: user.name, resourceId: r.id, resourceName: r.name, outcome: 'ok' });
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
      const user = await ctx.store.createUser(text(body, 'name', 'Name', 100), role(body));
      const signinUrl = await issueSigninUrl(ctx, user.id, ctx.req);
      await ctx.store.addAudit({ action: 'user.create', actor: actor.name, outcome: 'ok', detail: `${user.name} (${user.role})` });
      return { status: 201, body: { user, signinUrl } };
    },
  },
  {
    method: 'PUT',
    path: '/api/users/:id',
    handler: async (ctx) => {
      const actor = await owner(ctx);
      const user = await ctx.store.setUserRole(ctx.params.id, role(asObject(ctx.body)));
      await ctx.store.addAudit({ action: 'user.role', actor: actor.name, outcome: 'ok', detail: `${user.name} → ${user.role}` });
      return { body: user };
    },
  },
  {
    method: 'DELETE',
    path: '/api/users/:id',
    handler: async (ctx) => {
      const actor = await owner(ctx);
      const user = await ctx.store.getUser(ctx.params.id);
      await ctx.store.deleteUser(ctx.params.id);
      await ctx.store.addAudit({ action: 'user.delete', actor: actor.name, outcome: 'ok', detail: user?.name });
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
