// Why a tunnel would be refused. A browser shows a refused WebSocket upgrade only as close code 1006,
// without the proxy's answer, so the page asks again here with the same credential (in the body,
// never the URL) and shows the sentence. Rate limited like every other guess (server.ts).
import { authorizeConnection } from '../auth/access.ts';
import { ApiError } from '../../src/shared/rules/errors.ts';
import { credentialOf, parseTarget } from '../relay/tcp-relay.ts';
import type { Route } from '../services/context.ts';
import { asObject } from '../../src/shared/rules/validate.ts';
import { refusalError } from '../../src/shared/rules/refusals.ts';

export const tunnelRoutes: Route[] = [
  {
    method: 'POST',
    path: '/api/tunnel-check',
    handler: async (ctx) => {
      const body = asObject(ctx.body);
      const query = new URLSearchParams();
      for (const key of ['protocol', 'port'] as const) query.set(key, String(body[key] ?? ''));
      const target = parseTarget(new URL(`http://proxy/?${query}`));
      if (typeof target === 'string') throw new ApiError('bad-request', target);
      const resource = typeof body.resource === 'string' ? body.resource : null;
      const cred = typeof body.credential === 'string' ? credentialOf(body.credential, resource) : undefined;
      if (!cred) throw new ApiError('unauthenticated', 'This connection carries no link or sign-in token.');
      const grant = await authorizeConnection(ctx.store, cred, target.protocol, target.port, {
        now: ctx.now(), address: ctx.gate.clientAddress(ctx.req), codes: ctx.gate.codes,
      });
      if ('code' in grant) throw refusalError(grant);
      return { status: 204 };
    },
  },
];
