// Every way an RDP connection fails, as the sentence the visitor reads and the kind the form branches on.
import { describe, expect, it } from 'vitest';
import { CLOSE } from '../../../src/shared/api';
import { IRON_KIND, describeFailure, readIronError, type IronFailure } from '../../../src/rdp/errors';
import { rdpAddressing, rdpProxyUrl } from '../../../src/rdp/addressing';
import { cursorCss } from '../../../src/rdp/connection';
import { signature } from '../../../src/rdp/clipboard';

const link = { authority: 'link' as const, resourceName: 'build-box', port: 3389 };
const user = { ...link, authority: 'user' as const };
const proxy = (http: number, extra: Partial<IronFailure> = {}): IronFailure => ({ kind: IRON_KIND.rdCleanPath, http, text: '', ...extra });

describe('describeFailure', () => {
  it('explains each refusal status the proxy sends', () => {
    expect(describeFailure(proxy(404), link)).toMatchObject({
      kind: 'refused', message: 'This link no longer exists: it may have been deleted. Ask the person who shared it with you for a new link.' });
    expect(describeFailure(proxy(404), user).message).toBe('"build-box" is no longer known to Postern. Reload the page.');
    expect(describeFailure(proxy(410), link).message).toMatch(/^The machine behind this link \("build-box"\) was removed from Postern/);
    expect(describeFailure(proxy(423), link).message).toMatch(/^Shareable links are turned off on this Postern/);
    expect(describeFailure(proxy(401), user)).toMatchObject({ kind: 'refused', message: 'Your Postern sign-in has ended. Sign in again, then connect.' });
    expect(describeFailure(proxy(440), link)).toMatchObject({ kind: 'refused', message: expect.stringMatching(/^This link has expired/) });
    expect(describeFailure(proxy(441), link).message).toMatch(/^This link has been used as many times as it allows/);
    expect(describeFailure(proxy(442), link).message).toMatch(/^This link works only at set hours/);
  });

  it('points a forbidden port at the port field, and a changed certificate at the trust decision', () => {
    expect(describeFailure(proxy(403), link)).toMatchObject({
      kind: 'refused', field: 'port',
      message: 'RDP on port 3389 is not allowed for "build-box". Choose another port, or ask the person who shared the link with you.' });
    const cert = describeFailure(proxy(403, { tls: 42 }), user);
    expect(cert.kind).toBe('host-key');
    expect(cert.field).toBeUndefined();
    expect(cert.message).toMatch(/^"build-box" presented a different certificate .* ask an administrator\. Otherwise someone may be intercepting/);
  });

  it('tells a refused port from an unreachable machine, a timeout and a failed TLS handshake', () => {
    expect(describeFailure(proxy(502, { wsa: 10061 }), link)).toMatchObject({ kind: 'unreachable',
      message: '"build-box" refused the connection on port 3389: the machine is up, but no RDP server is listening there.' });
    expect(describeFailure(proxy(502, { wsa: 10065 }), link).message).toMatch(/^The Postern proxy could not reach "build-box" on port 3389\./);
    expect(describeFailure(proxy(504, { wsa: 10060 }), link).message).toMatch(/^"build-box" did not answer on port 3389 in time\./);
    expect(describeFailure(proxy(502, { wsa: 10060 }), link).message).toMatch(/did not answer on port 3389 in time/);
    expect(describeFailure(proxy(502), link).message).toMatch(/could not start a secure RDP connection with it/);
  });

  it('blames the page, not the visitor, for requests the proxy could not read', () => {
    for (const s of [400, 408, 413, 501]) expect(describeFailure(proxy(s), link).kind, String(s)).toBe('protocol');
    expect(describeFailure(proxy(599), link)).toMatchObject({ kind: 'unreachable', message: expect.stringContaining('status 599') });
    expect(describeFailure({ kind: IRON_KIND.rdCleanPath, text: '' }, link).kind).toBe('protocol');
  });

  it('maps IronRDP’s own kinds', () => {
    expect(describeFailure({ kind: IRON_KIND.wrongPassword, text: '' }, link)).toMatchObject({ kind: 'auth-failed', field: 'password' });
    expect(describeFailure({ kind: IRON_KIND.logonFailure, text: '' }, link)).toMatchObject({ kind: 'auth-failed', field: 'password' });
    expect(describeFailure({ kind: IRON_KIND.accessDenied, text: '' }, link)).toMatchObject({ kind: 'auth-failed', field: 'username' });
    expect(describeFailure({ kind: IRON_KIND.proxyConnect, text: '' }, link)).toMatchObject({ kind: 'unreachable' });
    expect(describeFailure({ kind: IRON_KIND.negotiationFailure, text: '' }, link).message).toMatch(/Ask its administrator to allow TLS/);
    expect(describeFailure({ kind: IRON_KIND.general, text: 'read frame' }, link).message)
      .toBe('The RDP connection to "build-box" failed. Try again; if it keeps failing, ask the person who shared the link with you.');
  });

  it('says the credentials were probably refused when the proxy closes with nlaRefused, whatever IronRDP read', () => {
    const refused = { kind: IRON_KIND.general, text: 'custom error: not enough bytes', closeCode: CLOSE.nlaRefused };
    expect(describeFailure(refused, link)).toMatchObject({
      kind: 'auth-failed', field: 'password',
      message: '"build-box" ended the connection when it checked your sign-in: the username or password was probably not accepted. Check them and connect again.',
    });
    expect(describeFailure({ ...refused, closeCode: 1000 }, link).kind).toBe('protocol');
  });
});

describe('readIronError', () => {
  it('reads an IronError-shaped object, and anything else as a general failure', () => {
    const iron = { kind: () => 4, backtrace: () => 'trace', rdcleanpathDetails: () => ({ httpStatusCode: 502, wsaErrorCode: 10061 }) };
    expect(readIronError(iron)).toEqual({ kind: 4, http: 502, wsa: 10061, tls: undefined, text: 'trace' });
    const freed = { kind: () => 0, backtrace: () => { throw new Error('null pointer'); }, rdcleanpathDetails: () => undefined };
    expect(readIronError(freed)).toEqual({ kind: 0, http: undefined, wsa: undefined, tls: undefined, text: '' });
    expect(readIronError(new Error('boom'))).toEqual({ kind: 0, text: 'boom' });
    expect(readIronError(null)).toEqual({ kind: 0, text: 'null' });
  });
});

describe('addressing the proxy', () => {
  it('uses the page’s own host and path, with ws or wss to match', () => {
    expect(rdpProxyUrl('http://127.0.0.1:8080/#/l/abc')).toBe('ws://127.0.0.1:8080/ws/rdp');
    expect(rdpProxyUrl('https://example.org/postern/index.html?x=1#/l/abc')).toBe('wss://example.org/postern/ws/rdp');
  });

  it('names only the port: the proxy resolves the machine from the token', () => {
    expect(rdpAddressing({ authority: { kind: 'link', token: 'T' }, port: 3390 })).toEqual({ authToken: 'link.T', destination: 'link:3390' });
    expect(rdpAddressing({ authority: { kind: 'user', sessionToken: 'S', resourceId: 'r1' }, port: 3389 }))
      .toEqual({ authToken: 'user.S', destination: 'r1:3389' });
  });
});

describe('small conversions', () => {
  it('turns IronRDP cursor styles into CSS, refusing anything but a base64 image data URL', () => {
    expect(cursorCss('default')).toBe('default');
    expect(cursorCss('none')).toBe('none');
    expect(cursorCss('url', 'data:image/png;base64,iVBORw0KGgo=', 3.4, 7)).toBe('url("data:image/png;base64,iVBORw0KGgo=") 3 7, auto');
    expect(cursorCss('url', 'javascript:alert(1)', 0, 0)).toBe('default');
    expect(cursorCss('url', 'data:image/png;base64,AA==") ; background: red', 0, 0)).toBe('default');
  });

  it('gives clipboard content a signature that changes with it, and is empty when there is nothing', () => {
    expect(signature({})).toBe('');
    expect(signature({ text: 'a' })).not.toBe(signature({ text: 'b' }));
    expect(signature({ text: '' })).not.toBe('');
    expect(signature({ png: new Uint8Array(3) })).not.toBe(signature({ png: new Uint8Array(4) }));
  });
});
