// What every API handler gets: the store, the configuration, the live tunnels, the log and metrics,
// and the request.
import type { AccessCodes } from '../auth/access-code.ts';
import type { IncomingMessage } from 'node:http';
import type { Config } from '../config/config.ts';
import type { Ops } from '../ops/ops.ts';
import type { RefusalAudit, Refusal } from '../audit/refusals.ts';
import type { RateLimiter } from '../auth/rate-limit.ts';
import type { LiveSessions } from '../sessions/live-sessions.ts';
import type { LiveReport } from '../sessions/live-report.ts';
import type { LinkPolicyWatch } from '../sessions/link-policy.ts';
import type { Store } from '../store/store.ts';

/** What stands between strangers and the tunnels: who is asking, how often, and the record of refusals. */
export interface Gate {
  /** The client's address (the trusted reverse proxy's header, else the peer). */
  clientAddress(req: IncomingMessage): string;
  /** Link look-ups, sign-in attempts and tunnel attempts per client address. */
  attempts: RateLimiter;
  refusals: RefusalAudit;
  /** Judges visitors' access codes, with their lockouts. */
  codes: AccessCodes;
  /** One refused attempt: into the aggregated audit, the log and the metrics. `status` is what the visitor got. */
  refused(endpoint: string, status: number, refusal: Refusal): void;
}

export interface Services {
  store: Store;
  config: Config;
  live: LiveSessions;
  /** This proxy's sessions, as reported to the store for every proxy's listing. */
  liveReport: LiveReport;
  /** The proxy's clock: every policy is judged by it (tests inject one, see proxy/clock.ts). */
  now(): Date;
  /** Ends sessions when their link's policy stops allowing them (link-policy.ts). */
  policies: LinkPolicyWatch;
  /** The JSON log and the metrics. */
  ops: Ops;
  gate: Gate;
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
