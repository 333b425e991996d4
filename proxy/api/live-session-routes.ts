// Live sessions across every proxy: the list (anyone who may read links) and disconnecting chosen
// sessions (owners and contributors; see src/shared/rules/permissions.ts requireDisconnect). The
// store audits each disconnect and, with PostgreSQL, tells every proxy; this proxy ends its own at once.
import type { LiveSessionInfo } from '../../src/shared/api.ts';
import { requireAction, requireDisconnect } from '../../src/shared/rules/permissions.ts';
import { asObject, stringList } from '../../src/shared/rules/validate.ts';
import { MAX_PER_REQUEST } from '../../src/shared/rules/limits.ts';
import { requireUser } from '../auth/access.ts';
import type { RequestContext, Route } from '../services/context.ts';

/** Names each link session's link by its label, when it has one. */
async function withLabels(ctx: RequestContext, sessions: LiveSessionInfo[]): Promise<LiveSessionInfo[]> {
  if (!sessions.some((s) => s.linkId !== undefined)) return sessions;
  const labels = new Map((await ctx.store.listLinks()).flatMap((l) => (l.label ? [[l.id, l.label] as const] : [])));
  return sessions.map((s) => {
    const label = s.linkId === undefined ? undefined : labels.get(s.linkId);
    return label ? { ...s, linkLabel: label } : s;
  });
}

export const liveSessionRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/sessions',
    handler: async (ctx) => {
      requireAction(await requireUser(ctx.store, ctx.req), 'links.get');
      // This proxy's own figures are reported first, so they are never a heartbeat old.
      await ctx.liveReport.flush();
      return { body: await withLabels(ctx, await ctx.store.liveSessions.list()) };
    },
  },
  {
    method: 'POST',
    path: '/api/sessions/disconnect',
    handler: async (ctx) => {
      const user = await requireUser(ctx.store, ctx.req);
      requireDisconnect(user);
      const ids = stringList(asObject(ctx.body).ids, 'ids', 'Sessions', MAX_PER_REQUEST);
      const found = await ctx.store.liveSessions.disconnect(ids, user.name);
      ctx.live.endIds(found.map((s) => s.id));
      return { body: { disconnected: found.length } };
    },
  },
];
