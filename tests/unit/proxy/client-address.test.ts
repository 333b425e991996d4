// Which address a request is counted against: the peer, unless a configured trusted proxy says otherwise.
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress } from '../../../proxy/http/client-address.ts';

const req = (peer: string, headers: Record<string, string> = {}) =>
  ({ socket: { remoteAddress: peer }, headers }) as unknown as IncomingMessage;

describe('clientAddress', () => {
  it('is the peer when no header is configured, whatever the request claims', () => {
    expect(clientAddress(req('203.0.113.5', { 'x-forwarded-for': '198.51.100.1' }), { trustedProxies: ['203.0.113.5'] })).toBe('203.0.113.5');
  });

  it('ignores the header from a peer that is not a trusted proxy', () => {
    const rule = { header: 'X-Forwarded-For', trustedProxies: ['127.0.0.1'] };
    expect(clientAddress(req('203.0.113.5', { 'x-forwarded-for': '198.51.100.1' }), rule)).toBe('203.0.113.5');
  });

  it('takes the address the trusted proxy saw, not what the client wrote before it', () => {
    const rule = { header: 'X-Forwarded-For', trustedProxies: ['127.0.0.1', '10.0.0.2'] };
    expect(clientAddress(req('::ffff:127.0.0.1', { 'x-forwarded-for': '1.2.3.4, 198.51.100.7' }), rule)).toBe('198.51.100.7');
    // Two trusted hops: the first untrusted address from the right.
    expect(clientAddress(req('127.0.0.1', { 'x-forwarded-for': '1.2.3.4, 198.51.100.7, 10.0.0.2' }), rule)).toBe('198.51.100.7');
  });

  it('falls back to the peer when the header is missing or not an address', () => {
    const rule = { header: 'X-Real-IP', trustedProxies: ['127.0.0.1'] };
    expect(clientAddress(req('127.0.0.1'), rule)).toBe('127.0.0.1');
    expect(clientAddress(req('127.0.0.1', { 'x-real-ip': 'evil; DROP' }), rule)).toBe('127.0.0.1');
    expect(clientAddress(req('127.0.0.1', { 'x-real-ip': '2001:db8::1' }), rule)).toBe('2001:db8::1');
  });
});
