// connectRdpTarget against a real xrdp (xorgxrdp backend) started for this file.
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TargetError, connectRdpTarget, type ConnectRdpTargetOptions } from '../../../proxy/rdp/target.ts';
import { PROTOCOL, buildConnectionRequest, parseConnectionConfirm } from '../../../proxy/rdp/x224.ts';
import { freePort } from '../../support/ports.ts';
import { startXrdp, type XrdpServer } from '../../support/xrdp.ts';

let xrdp: XrdpServer;
beforeAll(async () => {
  xrdp = await startXrdp();
});
afterAll(async () => {
  await xrdp?.stop();
});

const ironRdpRequest = buildConnectionRequest(PROTOCOL.SSL | PROTOCOL.HYBRID | PROTOCOL.HYBRID_EX, 'visitor');

function options(o: Partial<ConnectRdpTargetOptions> = {}): ConnectRdpTargetOptions {
  return { host: '127.0.0.1', port: xrdp.port, x224Request: ironRdpRequest, timeoutMs: 10_000, verifyCertificate: () => true, ...o };
}

async function failure(p: Promise<unknown>): Promise<TargetError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TargetError);
    return e as TargetError;
  }
  throw new Error('expected the connection to fail');
}

/** A listening socket that `handle` serves, closed after the test. */
async function localServer(handle: (s: net.Socket) => void): Promise<{ port: number; close(): void }> {
  const srv = net.createServer(handle);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as net.AddressInfo).port, close: () => srv.close() };
}

describe('connectRdpTarget with xrdp', () => {
  it('returns the X.224 confirm, a TLS socket and the certificate openssl describes', async () => {
    const seen: string[] = [];
    const c = await connectRdpTarget(options({ verifyCertificate: (fp) => (seen.push(fp), true) }));
    try {
      expect(parseConnectionConfirm(c.x224Confirm)).toEqual({ kind: 'selected', protocol: PROTOCOL.SSL });
      expect(c.fingerprint).toBe(xrdp.certFingerprint); // from `openssl x509 -noout -fingerprint -sha256`
      expect(seen).toEqual([xrdp.certFingerprint]);
      const pemDer = Buffer.from(xrdp.certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
      expect(c.certChain[0].equals(pemDer)).toBe(true);
      expect(c.socket.encrypted).toBe(true);
      expect(c.serverAddress).toBe(`127.0.0.1:${xrdp.port}`);
    } finally {
      c.socket.destroy();
    }
  });

  it('refuses a certificate that does not match the pinned fingerprint', async () => {
    const e = await failure(connectRdpTarget(options({ verifyCertificate: (fp) => fp === 'sha256:' + '00'.repeat(32) })));
    expect(e.kind).toBe('certificate-mismatch');
    expect(e.httpStatus).toBe(403);
    expect(e.extra.tlsAlert).toBe(42);
    expect(e.message).toContain(xrdp.certFingerprint);
  });

  it('reports a negotiation failure with the confirm when the client offers no TLS', async () => {
    const e = await failure(connectRdpTarget(options({ x224Request: buildConnectionRequest(PROTOCOL.RDP) })));
    expect(e.kind).toBe('negotiation-failed');
    expect(e.message).toMatch(/the machine requires TLS, which the client did not offer/);
    expect(parseConnectionConfirm(e.extra.x224Confirm!)).toMatchObject({ kind: 'failure', code: 1 });
  });

  it("names the machine by its label in the sentence", async () => {
    const port = await freePort();
    const e = await failure(connectRdpTarget(options({ port, label: '"build-box" port 3389' })));
    expect(e.message).toBe('The connection was refused by "build-box" port 3389: nothing is listening there.');
  });
});

describe('connectRdpTarget failures', () => {
  it("says 'refused' for a closed port", async () => {
    const port = await freePort();
    const e = await failure(connectRdpTarget(options({ port })));
    expect(e.kind).toBe('refused');
    expect(e.httpStatus).toBe(502);
    expect(e.wsaLastError).toBe(10061);
  });

  it("says 'not-rdp' when something else answers (an HTTP server)", async () => {
    const srv = http.createServer((_, res) => res.end('hello'));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const e = await failure(connectRdpTarget(options({ port: (srv.address() as net.AddressInfo).port })));
      expect(e.kind).toBe('not-rdp');
      expect(e.message).toMatch(/does not answer like an RDP server: the first byte is 0x48/);
    } finally {
      srv.close();
    }
  });

  it("says 'not-rdp' when the machine hangs up without answering", async () => {
    const srv = await localServer((s) => s.once('data', () => s.end()));
    try {
      const e = await failure(connectRdpTarget(options({ port: srv.port })));
      expect(e.kind).toBe('not-rdp');
      expect(e.message).toMatch(/closed the connection without answering/);
    } finally {
      srv.close();
    }
  });

  it("says 'timeout' when the machine accepts but never answers", async () => {
    const held: net.Socket[] = [];
    const srv = await localServer((s) => held.push(s));
    try {
      const e = await failure(connectRdpTarget(options({ port: srv.port, timeoutMs: 300 })));
      expect(e.kind).toBe('timeout');
      expect(e.httpStatus).toBe(504);
    } finally {
      held.forEach((s) => s.destroy());
      srv.close();
    }
  });

  it("says 'tls-failed' when the TLS handshake breaks", async () => {
    // Answers a proper confirm selecting TLS, then sends bytes that are not a TLS record.
    const confirm = Buffer.from('030000130ed000001234000201080001000000', 'hex');
    const srv = await localServer((s) => s.once('data', () => s.write(confirm, () => s.once('data', () => s.end('not tls at all\r\n')))));
    try {
      const e = await failure(connectRdpTarget(options({ port: srv.port })));
      expect(e.kind).toBe('tls-failed');
      expect(e.message).toMatch(/^The TLS handshake with 127\.0\.0\.1:\d+ failed/);
    } finally {
      srv.close();
    }
  });

  it("stops with 'aborted' when the browser goes away", async () => {
    const held: net.Socket[] = [];
    const srv = await localServer((s) => held.push(s));
    const abort = new AbortController();
    try {
      const p = connectRdpTarget(options({ port: srv.port, signal: abort.signal }));
      while (held.length === 0) await new Promise((r) => setTimeout(r, 10));
      abort.abort();
      expect((await failure(p)).kind).toBe('aborted');
    } finally {
      held.forEach((s) => s.destroy());
      srv.close();
    }
  });
});
