// The whole RDCleanPath endpoint: the real IronRDP web client (run in Node) or a raw WebSocket
// client on one side, a real xrdp with xorgxrdp on the other.
import net from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import {
  handleRdCleanPath, type RdCleanPathOptions, type RdpGrant, type RdpRequestFailure, type RdpSessionSummary,
} from '../../../proxy/rdp/endpoint.ts';
import { certificateFingerprint } from '../../../proxy/rdp/target.ts';
import { decodePdu, encodeRequest, MAX_RESPONSE_BYTES, type RdCleanPathPdu } from '../../../proxy/rdp/rdcleanpath.ts';
import { PROTOCOL, buildConnectionRequest, parseConnectionConfirm } from '../../../proxy/rdp/x224.ts';
import { freePort } from '../../support/ports.ts';
import { startXrdp, type XrdpServer } from '../../support/xrdp.ts';
import { ironConnect, ironFailure, loadIronRdp } from './ironrdp-node.ts';

let xrdp: XrdpServer;
let wss: WebSocketServer;
let proxyUrl: string;
/** What the endpoint under test is given; each test sets it. */
let options: RdCleanPathOptions;
let summaries: RdpSessionSummary[];
let requestFailures: RdpRequestFailure[];

beforeAll(async () => {
  [xrdp] = await Promise.all([startXrdp(), loadIronRdp()]);
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 1 << 20 });
  await new Promise((r) => wss.once('listening', r));
  proxyUrl = `ws://127.0.0.1:${(wss.address() as net.AddressInfo).port}/ws/rdp`;
  wss.on('connection', (ws) => void handleRdCleanPath(ws, options));
});
afterAll(async () => {
  wss?.close();
  await xrdp?.stop();
});
beforeEach(() => {
  summaries = [];
  requestFailures = [];
});

function grant(o: Partial<RdpGrant> = {}): RdpGrant {
  return { ok: true, host: '127.0.0.1', port: xrdp.port, autologon: true, onClose: (s) => summaries.push(s), ...o };
}

function endpoint(authorize: RdCleanPathOptions['authorize']): void {
  options = { authorize, onRequestFailure: (f) => requestFailures.push(f), connectTimeoutMs: 10_000, requestTimeoutMs: 5_000 };
}

const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 20));
};

/** Sends raw messages and returns the first answer the endpoint sends, decoded. */
async function rawExchange(messages: (Buffer | string)[]): Promise<{ pdu: RdCleanPathPdu; ws: WebSocket }> {
  const ws = new WebSocket(proxyUrl);
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  const answer = new Promise<Buffer>((r) => ws.once('message', (d: Buffer) => r(d)));
  for (const m of messages) ws.send(m);
  return { pdu: decodePdu(await answer, MAX_RESPONSE_BYTES), ws };
}

const request = (x224 = buildConnectionRequest(PROTOCOL.SSL | PROTOCOL.HYBRID, 'visitor')) =>
  Buffer.from(encodeRequest({ destination: 'build-box:3389', proxyAuth: 'link-token', x224Request: x224 }));

describe('IronRDP through the endpoint to xrdp', () => {
  it('connects, signs in with the credentials given (autologon) and relays both ways', { timeout: 60_000 }, async () => {
    const asked: string[][] = [];
    let end: ((reason: string) => void) | undefined;
    let unregistered = false;
    endpoint(async (token, destination) => {
      asked.push([token, destination]);
      return grant({ pinnedCertFingerprint: xrdp.certFingerprint, onOpen: (e) => ((end = e), () => (unregistered = true)) });
    });
    const session = await ironConnect({
      proxyUrl, token: 'link-token-1', destination: 'build-box:3389', username: xrdp.user, password: xrdp.password, width: 1024, height: 768,
    });
    expect(asked).toEqual([['link-token-1', 'build-box:3389']]);
    expect(session.desktopSize().width).toBe(1024);
    // xrdp only starts a desktop once it has checked the password, so a session proves the sign-in.
    const display = await xrdp.waitForSession();
    expect(xrdp.runInSession(['xdpyinfo'])).toMatch(/dimensions:\s+1024x768 pixels/);
    expect(display).toMatch(/^:\d+/);
    await xrdp.writeClipboard('from the server ✓'); // the harness helpers the browser tests rely on
    expect(xrdp.readClipboard()).toBe('from the server ✓');
    // Without Session.run() nothing reads the session, so the proxy side ends it (as an admin would).
    end!('The test is over.');
    await until(() => summaries.length === 1);
    const s = summaries[0];
    expect(unregistered).toBe(true);
    expect(s.autologon).toBe('applied');
    expect(s.fingerprint).toBe(xrdp.certFingerprint);
    expect(s.outcome).toBe('ended');
    expect(s.detail).toBe('The test is over.');
    expect(s.bytesUp).toBeGreaterThan(500);
    expect(s.bytesDown).toBeGreaterThan(1000);
  });

  it('passes the refusal status from authorize to IronRDP', async () => {
    endpoint(async () => ({ ok: false, httpStatus: 404, code: 'not-found', message: 'This link does not exist.' }));
    const e = await ironConnect({ proxyUrl, token: 'nope', destination: 'x:3389', username: 'u', password: 'p' }).then(
      () => undefined, ironFailure);
    expect(e).toMatchObject({ kind: 4, http: 404 });
  });

  it('refuses a changed certificate: 403 with TLS alert 42 (bad certificate)', async () => {
    endpoint(async () => grant({ pinnedCertFingerprint: 'sha256:' + 'ab'.repeat(32) }));
    const e = await ironConnect({ proxyUrl, token: 't', destination: 'x:3389', username: 'u', password: 'p' }).then(() => undefined, ironFailure);
    expect(e).toMatchObject({ kind: 4, http: 403, tls: 42 });
    await until(() => summaries.length === 1);
    expect(summaries[0].outcome).toBe('certificate-mismatch');
    expect(summaries[0].detail).toContain(xrdp.certFingerprint);
  });

  it('reports a closed port as 502 with WSAECONNREFUSED', async () => {
    const port = await freePort();
    endpoint(async () => grant({ port }));
    const e = await ironConnect({ proxyUrl, token: 't', destination: 'x:3389', username: 'u', password: 'p' }).then(() => undefined, ironFailure);
    expect(e).toMatchObject({ kind: 4, http: 502, wsa: 10061 });
    await until(() => summaries.length === 1);
    expect(summaries[0].outcome).toBe('refused');
  });

  it('remembers the certificate on first use when nothing is pinned', async () => {
    const remembered: string[] = [];
    endpoint(async () => grant({ rememberCertificate: (fp) => void remembered.push(fp) }));
    const session = await ironConnect({ proxyUrl, token: 't', destination: 'x:3389', username: xrdp.user, password: xrdp.password });
    expect(remembered).toEqual([xrdp.certFingerprint]);
    session.free();
  });
});

describe('raw RDCleanPath clients', () => {
  it('answers a request split over several messages with the confirm, chain and address', async () => {
    endpoint(async () => grant({ autologon: false }));
    const req = request();
    const { pdu, ws } = await rawExchange([req.subarray(0, 1), req.subarray(1, 30), req.subarray(30)]);
    ws.close();
    expect(pdu.error).toBeUndefined();
    expect(parseConnectionConfirm(pdu.x224!)).toEqual({ kind: 'selected', protocol: PROTOCOL.SSL });
    expect(certificateFingerprint(pdu.serverCertChain![0])).toBe(xrdp.certFingerprint);
    expect(pdu.serverAddr).toBe(`127.0.0.1:${xrdp.port}`);
  });

  it('returns the negotiation failure with the server’s confirm (error code 2)', async () => {
    endpoint(async () => grant());
    const { pdu, ws } = await rawExchange([request(buildConnectionRequest(PROTOCOL.RDP))]);
    ws.close();
    expect(pdu.error).toEqual({ errorCode: 2 });
    expect(parseConnectionConfirm(pdu.x224!)).toMatchObject({ kind: 'failure', code: 1 });
  });

  it('answers malformed, text and oversized requests with 400 / 400 / 413, before authorising', async () => {
    let authorized = 0;
    endpoint(async () => (authorized++, grant()));
    const bad = Buffer.from(request());
    bad[4] = 0x03; // the version INTEGER becomes a BIT STRING
    expect((await rawExchange([bad])).pdu.error).toEqual({ errorCode: 1, httpStatusCode: 400 });
    expect((await rawExchange(['hello'])).pdu.error).toEqual({ errorCode: 1, httpStatusCode: 400 });
    // Declares 100 000 bytes: refused from the header alone, without waiting for them.
    expect((await rawExchange([Buffer.from([0x30, 0x83, 0x01, 0x86, 0xa0, 0xa0])])).pdu.error).toEqual({ errorCode: 1, httpStatusCode: 413 });
    expect(authorized).toBe(0);
    expect(requestFailures.map((f) => f.code)).toEqual(['malformed', 'bad-request', 'too-large']);
    expect(requestFailures[0].message).toMatch(/RDCleanPath\.\[0\]: expected INTEGER but found tag 0x03/);
  });

  it('answers a request that never completes with 408', async () => {
    options = { authorize: async () => grant(), requestTimeoutMs: 200, onRequestFailure: (f) => requestFailures.push(f) };
    const { pdu, ws } = await rawExchange([request().subarray(0, 10)]);
    ws.close();
    expect(pdu.error).toEqual({ errorCode: 1, httpStatusCode: 408 });
    expect(requestFailures.map((f) => f.code)).toEqual(['request-timeout']);
  });
});
