// The address a request comes from. Behind a reverse proxy every request arrives from the reverse
// proxy's address, so the client's own travels in a header (X-Forwarded-For or similar). That header
// is believed only when it is configured and the request comes from one of the trusted proxies:
// anyone else could write any address there and escape the per-address limits.
import type { IncomingMessage } from 'node:http';
import net from 'node:net';

export interface ClientAddressRule {
  /** Header name, any case; unset: never look at headers. */
  header?: string;
  /** Peer addresses whose header is believed. */
  trustedProxies: readonly string[];
}

/** IPv4 peers on a dual-stack socket show as ::ffff:a.b.c.d; compare them as a.b.c.d. */
function plain(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

export function clientAddress(req: IncomingMessage, rule: ClientAddressRule): string {
  const peer = plain(req.socket.remoteAddress ?? 'unknown');
  if (!rule.header || !rule.trustedProxies.some((p) => plain(p) === peer)) return peer;
  const raw = req.headers[rule.header.toLowerCase()];
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  if (!value) return peer;
  // Each proxy appends the address it saw, so read from the right: skip our own trusted proxies and
  // take the first address one of them saw. Entries further left were written by the client.
  const hops = value.split(',').map((s) => plain(s.trim()));
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!net.isIP(hops[i])) return peer;
    if (!rule.trustedProxies.some((p) => plain(p) === hops[i])) return hops[i];
  }
  return peer;
}
