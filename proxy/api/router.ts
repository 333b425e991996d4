// Dispatches /api requests to their routes; maps every failure to a JSON error a person can read;
// times every request by its route pattern for the metrics.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../src/shared/rules/errors.ts';
import { conflictError } from '../../src/shared/rules/conflicts.ts';
import { tooManyInflight } from '../../src/shared/rules/limits.ts';
import { readJson, sendError, sendJson } from '../http/json.ts';
import { StoreConflict } from '../store/store.ts';
import { adminRoutes } from './admin-routes.ts';
import type { Route, Services } from '../services/context.ts';
import { linkRoutes } from './link-routes.ts';
import { liveSessionRoutes } from './live-session-routes.ts';
import { sessionRoutes } from './session-routes.ts';
import { tunnelRoutes } from './tunnel-routes.ts';
import { passkeyRoutes } from './passkey-routes.ts';

const ROUTES: Route[] = [...sessionRoutes, ...linkRoutes, ...liveSessionRoutes, ...adminRoutes, ...tunnelRoutes, ...passkeyRoutes];

function match(route: Route, path: string): Record<string, string> | undefined {
  const want = route.path.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(got[i])) return undefined;
      params[want[i].slice(1)] = got[i];
    } else if (want[i] !== got[i]) return undefined;
  }
  return params;
}

export function createApi(services: Services) {
  // Create/delete link requests in flight right now (the original allows 50 at a time).
  let inflight = 0;
  const { ops } = services;

  /** Answers one request; returns the route pattern it matched ('unmatched' when none). */
  async function dispatch(req: IncomingMessage, res: ServerResponse, url: URL): Promise<string> {
    const candidates = ROUTES.map((r) => ({ r, params: match(r, url.pathname) })).filter((m) => m.params);
    const found = candidates.find((m) => m.r.method === req.method);
    if (!found) {
      const err = candidates.length
        ? new ApiError('bad-request', `${req.method} is not supported on ${url.pathname}.`, undefined, 405)
        : new ApiError('not-found', `There is no API at ${url.pathname}.`);
      sendError(res, err);
      return candidates[0]?.r.path ?? 'unmatched';
    }
    const { r: route, params } = found;
    if (route.limited && inflight >= services.config.maxInflight) {
      sendError(res, tooManyInflight(services.config.maxInflight));
      return route.path;
    }
    if (route.limited) inflight++;
    try {
      const body = req.method === 'POST' || req.method === 'PUT' ? await readJson(req) : undefined;
      const out = await route.handler({ ...services, req, params: params!, body, query: url.searchParams });
      sendJson(res, out.status ?? 200, out.body);
    } catch (e) {
      if (e instanceof ApiError) sendError(res, e);
      else if (e instanceof StoreConflict) sendError(res, conflictError(e.fact));
      else {
        ops.log.internalError(`API ${req.method} ${route.path}`, e);
        sendError(res, new ApiError('internal', 'Something went wrong inside the proxy; nothing was changed.'));
      }
    } finally {
      if (route.limited) inflight--;
    }
    return route.path;
  }

  return async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const started = process.hrtime.bigint();
    let route = 'unmatched';
    try {
      route = await dispatch(req, res, url);
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      ops.metrics.apiRequest(req.method ?? 'other', route, res.statusCode, seconds);
    }
  };
}
