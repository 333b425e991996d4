// The SSH worker's side of src/session/refusal.ts: the proxy's reason for a refused relay, as the
// stream error the rest of the worker already turns into the sentence it shows.
import { CLOSE, type ApiErrorCode } from '../../shared/api';
import { whyRefused } from '../../session/refusal';
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

/** The proxy's reason for refusing this relay URL and credential, as the error the worker reports. */
export async function whyRelayRefused(relayUrl: string, protocols: readonly string[]): Promise<SshError | undefined> {
  const url = new URL(relayUrl);
  const refused = await whyRefused(relayUrl, {
    credential: protocols.find((p) => p.startsWith('postern.')) ?? '',
    protocol: url.searchParams.get('protocol') === 'rdp' ? 'rdp' : 'ssh',
    port: Number(url.searchParams.get('port')),
    resource: url.searchParams.get('resource') ?? undefined,
  });
  if (!refused) return undefined;
  return new SshError('stream-error', refused.message, { reasonCode: CLOSE_FOR[refused.code] ?? CLOSE.badRequest, serverMessage: refused.message });
}
