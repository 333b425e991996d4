// What every API handler gets: the store, the configuration, the live tunnels, the log and metrics,
// and the request.
import type { IncomingMessage } from 'node:http';
import type { Config } from '../config.ts';
import type { Ops } from '../ops/ops.ts';
import type { LiveSessions } from '../relay/live-sessions.ts';
import type { Store } from '../store/store.ts';

export interface Services {
  store: Store;
  config: Config;
  live: LiveSessions;
  /** The JSON log and the metrics. */
  ops: Ops;
  /** The full one-time sign-in URL for a sign-in token. */
  signinUrl(token: string, req?: IncomingMessage): string;
}

export interface RequestContext extends Services {
  req: IncomingMessage;
  params: Record<string, string>;
  /** The parsed JSON body (only for methods that carry one). */
  body: unknown;
  query: URLSearchParams;
}

export type Handler = (ctx: RequestContext) => Promise<{ status?: number; body?: unknown }>;

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path with :params, e.g. /api/resources/:id */
  path: string;
  handler: Handler;
  /** Create/delete link requests count against the in-flight limit. */
  limited?: boolean;
}
