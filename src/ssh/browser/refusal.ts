// A refused tunnel reaches the page only as "WebSocket closed with code 1006": the proxy answers a
// refused upgrade with plain HTTP, which browsers hide from scripts. So the worker asks the proxy
// once more with an ordinary request (the credential in the body, never the URL) and shows its sentence.
import { CLOSE, type ApiErrorBody, type ApiErrorCode } from '../../shared/api';
import { SshError } from '../core/wire/errors';

const CLOSE_FOR: Partial<Record<ApiErrorCode, number>> = {
  'bad-request': CLOSE.badRequest,
  unauthenticated: CLOSE.unauthenticated,
  forbidden: CLOSE.forbidden,
  'not-found': CLOSE.notFound,
  'feature-disabled': CLOSE.featureDisabled,
  'resource-deleted': CLOSE.resourceDeleted,
  'too-many-requests': CLOSE.tooManyRequests,
};

/** The proxy's reason for refusing this relay URL and credential, or undefined if it would not refuse now. */
export async function whyRefused(relayUrl: string, protocols: readonly string[]): Promise<SshError | undefined> {
  const ws = new URL(relayUrl);
  const check = new URL('../api/tunnel-check', ws);
  check.protocol = ws.protocol === 'wss:' ? 'https:' : 'http:';
  check.search = '';
  try {
    const res = await fetch(check, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        credential: protocols.find((p) => p.startsWith('postern.')),
        protocol: ws.searchParams.get('protocol'),
        port: Number(ws.searchParams.get('port')),
        resource: ws.searchParams.get('resource') ?? undefined,
      }),
      signal: AbortSignal.timeout(5_000),
    });
    if (res.ok) return undefined;
    const { error } = (await res.json()) as ApiErrorBody;
    return new SshError('stream-error', error.message, { reasonCode: CLOSE_FOR[error.code] ?? CLOSE.badRequest, serverMessage: error.message });
  } catch {
    return undefined; // the proxy is out of reach too: the original error says so
  }
}
