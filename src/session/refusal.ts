// A refused tunnel reaches the page only as a WebSocket that closed (code 1006): the proxy answers a
// refused upgrade with plain HTTP, which browsers hide from scripts. So a back end that saw its
// WebSocket fail asks the proxy once more with an ordinary request (the credential in the body,
// never the URL) and shows the proxy's sentence. Rate limited like the tunnel itself.
import { WS_PROTOCOL_PREFIX, type ApiErrorBody, type ApiErrorCode, type Protocol } from '../shared/api';
import { linkSecret, type ConnectAuthority } from './contract';

export interface Refused {
  code: ApiErrorCode;
  /** The proxy's sentence for a person. */
  message: string;
}

/** The credential as a tunnel offers it (its WebSocket subprotocol). */
export function tunnelCredential(authority: ConnectAuthority): string {
  return authority.kind === 'link' ? WS_PROTOCOL_PREFIX.link + linkSecret(authority) : WS_PROTOCOL_PREFIX.user + authority.sessionToken;
}

/**
 * Why the proxy behind `tunnelUrl` (a ws: or wss: URL beside its API) refuses this tunnel, or
 * undefined when it would not refuse it now or cannot be asked.
 */
export async function whyRefused(
  tunnelUrl: string, ask: { credential: string; protocol: Protocol; port: number; resource?: string },
): Promise<Refused | undefined> {
  const ws = new URL(tunnelUrl);
  const check = new URL('../api/tunnel-check', ws);
  check.protocol = ws.protocol === 'wss:' ? 'https:' : 'http:';
  check.search = '';
  try {
    const res = await fetch(check, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ask),
      signal: AbortSignal.timeout(5_000),
    });
    if (res.ok) return undefined;
    const { error } = (await res.json()) as ApiErrorBody;
    return { code: error.code, message: error.message };
  } catch {
    return undefined; // the proxy is out of reach too: the original error says so
  }
}
