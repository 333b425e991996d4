// What the sign-in form shows and offers: a link's LinkInfo, or a resource the signed-in user picked.
import type { LinkInfo, Protocol } from '../shared/api';

export type Target = LinkInfo;

export const PROTOCOL_LABELS: Record<Protocol, string> = { ssh: 'SSH', rdp: 'RDP' };

/** The protocols a target offers, in a stable order, skipping any with no ports. */
export function allowedProtocols(ports: LinkInfo['ports']): Protocol[] {
  return (['ssh', 'rdp'] as const).filter((p) => (ports[p]?.length ?? 0) > 0);
}
