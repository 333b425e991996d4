// Shareable links: the four actions of the original (create, delete by resource, delete by token, get),
// and the public look-up a link page makes with its token.
import { linkTarget } from '../auth/access.ts';
import { hashToken } from '../store/tokens.ts';
import { ApiError } from '../../src/shared/rules/errors.ts';
import { userAllowed } from './actor.ts';
import type { RequestContext, Route } from '../services/context.ts';
import { asObject, extractToken, linkTokens, noResourcesForLinks, stringList } from '../../src/shared/rules/validate.ts';
import { MAX_PER_REQUEST } from '../../src/shared/rules/limits.ts';
import { LINKS_OFF_FOR_CREATE, linkInfoOf, linkStatus, refusalError } from '../../src/shared/rules/refusals.ts';
import { accessCodeChange, linkSettings } from '../../src/shared/rules/policy.ts';
import { hashAccessCode } from '../auth/access-code.ts';

/** Ends the live sessions of the links just deleted, and answers how many there were. */
function deleted(ctx: RequestContext, links: readonly { id: string }[]) {
  ctx.live.endLinks(links.map((l) => l.id));
  return { body: { deleted: links.length } };
}

export const linkRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/links',
    handler: async (ctx) => {
      await userAllowed(ctx, 'links.get');
      const now = ctx.now();
      // Statuses are judged by the proxy's clock, not the browser's.
      return { body: (await ctx.store.listLinks()).map((l) => ({ ...l, status: linkStatus(l, now) })) };
    },
  },
  {
    method: 'POST',
    path: '/api/links',
    limited: true,
    handler: async (ctx) => {
      const user = await userAllowed(ctx, 'links.create');
      if (!(await ctx.store.getShareableLinks())) {
        throw new ApiError('feature-disabled', LINKS_OFF_FOR_CREATE);
      }
      const body = asObject(ctx.body);
      const ids = body.all === true
        ? (await ctx.store.listResources()).map((r) => r.id)
        : stringList(body.resourceIds, 'resourceIds', 'Resources', MAX_PER_REQUEST);
      const settings = linkSettings(body, ctx.now());
      if (ids.length === 0) throw noResourcesForLinks();
      accessCodeChange(settings, false);
      const accessCodeHash = settings.accessCode ? await hashAccessCode(settings.accessCode) : undefined;
      // The store writes each link's link.create audit row in the same transaction.
      const links = await ctx.store.createLinks(ids, user.name, ctx.config.maxLinks, {
        label: settings.label || undefined, policy: settings.policy, accessCodeHash,
      });
      return { status: 201, body: links };
    },
  },
  {
    method: 'PUT',
    path: '/api/links/:id',
    limited: true,
    handler: async (ctx) => {
      const user = await userAllowed(ctx, 'links.create');
      const now = ctx.now();
      // Renewing keeps the URL: the token does not change. The store audits link.update.
      const { accessCode, ...settings } = linkSettings(asObject(ctx.body), now);
      const before = await ctx.store.getLink(ctx.params.id);
      const change = accessCodeChange({ accessCode, ...settings }, Boolean(before?.accessCodeHash));
      const accessCodeHash = change === 'set' ? await hashAccessCode(accessCode!) : change === 'remove' ? null : undefined;
      // A policy that no longer binds to a passkey forgets the one bound.
      const unbindPasskey = settings.unbindPasskey || (settings.policy !== undefined && !settings.policy.passkey && before?.passkey !== undefined);
      const link = await ctx.store.updateLink(ctx.params.id, { ...settings, accessCodeHash, unbindPasskey }, user.name);
      // Sessions through it on this proxy are judged afresh now; other proxies hear of it from the store.
      ctx.policies.recheck(link.id);
      return { body: { ...link, status: linkStatus(link, now) } };
    },
  },
  {
    method: 'POST',
    path: '/api/links/delete-by-resource',
    limited: true,
    handler: async (ctx) => {
      const user = await userAllowed(ctx, 'links.deleteByResource');
      const ids = stringList(asObject(ctx.body).resourceIds, 'resourceIds', 'Resources', MAX_PER_REQUEST);
      return deleted(ctx, await ctx.store.deleteLinksByResource(ids, user.name));
    },
  },
  {
    method: 'POST',
    path: '/api/links/delete-by-token',
    limited: true,
    handler: async (ctx) => {
      const user = await userAllowed(ctx, 'links.deleteByToken');
      const tokens = linkTokens(asObject(ctx.body).tokens, MAX_PER_REQUEST);
      return deleted(ctx, await ctx.store.deleteLinksByTokenHash(tokens.map(hashToken), user.name));
    },
  },
  {
    method: 'POST',
    path: '/api/link-info',
    handler: async (ctx) => {
      const { token, accessCode } = asObject(ctx.body);
      const now = ctx.now();
      const address = ctx.gate.clientAddress(ctx.req);
      const target = await linkTarget(ctx.store, typeof token === 'string' ? extractToken(token) : '', {
        now, address, codes: ctx.gate.codes, accessCode: typeof accessCode === 'string' ? accessCode : undefined,
      });
      if ('code' in target) {
        const err = refusalError(target);
        // A wrong token or code here is a guess like a refused tunnel: audited (aggregated), logged and counted alike.
        // Asking for the code is the normal first step of such a link, not a guess.
        if (target.code !== 'code-required') {
          ctx.gate.refused('/api/link-info', err.status, { action: 'link.lookup', actor: 'unknown', clientAddress: address, outcome: target.code });
        }
        throw err;
      }
      return { body: linkInfoOf(target.resource, target.link, now) };
    },
  },
];
