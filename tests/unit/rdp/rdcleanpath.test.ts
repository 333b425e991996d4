import { describe, expect, it } from 'vitest';
import { encodeExplicit, encodeOctets, encodeSequence, encodeTlv, encodeUnsigned, encodeUtf8 } from '../../../proxy/rdp/der.ts';
import {
  MAX_REQUEST_BYTES, RdCleanPathError, decodePdu, encodeError, encodeNegotiationError, encodeRequest,
  encodeResponse, parseDestination, parseRequest, pduLength,
} from '../../../proxy/rdp/rdcleanpath.ts';
import { PROTOCOL, buildConnectionRequest, parseConnectionConfirm } from '../../../proxy/rdp/x224.ts';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// The first WebSocket message ironrdp-wasm 1.1.0 sent (captured in Node with destination
// "machine:3389", auth token "TOKEN123", user "u"): [0] 3390, [2] UTF8String, [3] UTF8String,
// [6] OCTET STRING holding a TPKT X.224 Connection Request with cookie "mstshash=u" and
// RDP_NEG_REQ requesting SSL | HYBRID | HYBRID_EX (0x0b).
const IRONRDP_REQUEST = hex(`
  304d a004 02020d3e
  a20e 0c0c 6d616368696e653a33333839
  a30a 0c08 544f4b454e313233
  a629 0427 0300002722e00000000000 436f6f6b69653a206d737473686173683d750d0a 010008000b000000`);

// xrdp 0.9.21's Connection Confirm selecting TLS (PROTOCOL_SSL).
const XRDP_CONFIRM = hex('030000130ed000001234000201080001000000');

/** Runs `f` and returns the RdCleanPathError it throws; fails if it throws anything else or nothing. */
function refusal(f: () => unknown): RdCleanPathError {
  try {
    f();
  } catch (e) {
    if (e instanceof RdCleanPathError) return e;
    throw new Error(`expected an RdCleanPathError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected the input to be refused');
}

const request = (fields: Uint8Array[]) => encodeSequence(fields);
const v3390 = encodeExplicit(0, encodeUnsigned(3390));
const dest = encodeExplicit(2, encodeUtf8('machine:3389'));
const token = encodeExplicit(3, encodeUtf8('TOKEN123'));
const x224 = encodeExplicit(6, encodeOctets(buildConnectionRequest(PROTOCOL.SSL | PROTOCOL.HYBRID, 'u')));

describe('RDCleanPath request', () => {
  it('parses the request ironrdp-wasm 1.1.0 sends', () => {
    const req = parseRequest(IRONRDP_REQUEST);
    expect(req.destination).toBe('machine:3389');
    expect(req.proxyAuth).toBe('TOKEN123');
    expect(req.x224Request.length).toBe(39);
    expect(req.serverAuth).toBeUndefined();
    expect(req.preconnectionBlob).toBeUndefined();
    expect(pduLength(IRONRDP_REQUEST)).toBe(IRONRDP_REQUEST.length);
  });

  it('encodes a request byte for byte as ironrdp-wasm does', () => {
    expect(toHex(encodeRequest(parseRequest(IRONRDP_REQUEST)))).toBe(toHex(IRONRDP_REQUEST));
  });

  it('tolerates the optional [4] server auth and [5] preconnection blob, within bounds', () => {
    const req = parseRequest(request([v3390, dest, token, encodeExplicit(4, encodeUtf8('s')), encodeExplicit(5, encodeUtf8('pcb')), x224]));
    expect(req.serverAuth).toBe('s');
    expect(req.preconnectionBlob).toBe('pcb');
    const big = request([v3390, dest, token, encodeExplicit(5, encodeUtf8('p'.repeat(17 * 1024))), x224]);
    expect(refusal(() => parseRequest(big)).message).toMatch(/\[5\]\.preconnection blob: is 17408 bytes, more than the 16384 allowed/);
  });

  it('says which field is missing', () => {
    expect(refusal(() => parseRequest(request([v3390, token, x224]))).message).toMatch(/no destination \(\[2\]\)/);
    expect(refusal(() => parseRequest(request([v3390, dest, x224]))).message).toMatch(/no proxy auth token \(\[3\]\)/);
    expect(refusal(() => parseRequest(request([v3390, dest, token]))).message).toMatch(/no X.224 connection request \(\[6\]\)/);
    expect(refusal(() => parseRequest(request([dest, token, x224]))).kind).toBe('missing-field');
  });

  it('refuses other versions', () => {
    const e = refusal(() => parseRequest(request([encodeExplicit(0, encodeUnsigned(3389)), dest, token, x224])));
    expect(e.kind).toBe('unsupported-version');
    expect(e.message).toBe('RDCleanPath version 3389 is not supported; this proxy speaks version 3390.');
  });

  it('refuses answers sent as requests', () => {
    const e = refusal(() => parseRequest(encodeResponse(XRDP_CONFIRM, [hex('3000')], '127.0.0.1:3389')));
    expect(e.kind).toBe('not-a-request');
  });

  it('refuses wrong tags, naming the field', () => {
    const octetDest = encodeExplicit(2, encodeOctets(new TextEncoder().encode('machine:3389')));
    expect(refusal(() => parseRequest(request([v3390, octetDest, token, x224]))).message)
      .toMatch(/RDCleanPath\.\[2\]: expected UTF8String but found OCTET STRING/);
    const implicitToken = encodeTlv(0x83, new TextEncoder().encode('TOKEN123')); // IMPLICIT, primitive
    expect(refusal(() => parseRequest(request([v3390, dest, implicitToken, x224]))).message).toMatch(/\[3\] must be constructed/);
    const set = Uint8Array.from(IRONRDP_REQUEST);
    set[0] = 0x31;
    expect(refusal(() => parseRequest(set)).message).toMatch(/expected SEQUENCE but found tag 0x31/);
    expect(refusal(() => parseRequest(request([v3390, encodeUnsigned(5), dest, token, x224]))).message).toMatch(/INTEGER is not a field tag/);
    expect(refusal(() => parseRequest(request([v3390, dest, token, x224, encodeExplicit(8, encodeUtf8('ocsp'))]))).message)
      .toMatch(/\[8\] is not an RDCleanPath field/);
  });

  it('refuses repeated and out-of-order fields', () => {
    expect(refusal(() => parseRequest(request([v3390, dest, dest, token, x224]))).message).toMatch(/\[2\] is repeated or out of order/);
    expect(refusal(() => parseRequest(request([v3390, token, dest, x224]))).message).toMatch(/\[2\] is repeated or out of order/);
  });

  it('refuses indefinite and non-minimal lengths', () => {
    const indefinite = Uint8Array.from([0x30, 0x80, ...IRONRDP_REQUEST.subarray(2), 0, 0]);
    expect(refusal(() => parseRequest(indefinite)).message).toMatch(/indefinite length is not allowed in DER/);
    const longForm = Uint8Array.from([0x30, 0x81, 0x4d, ...IRONRDP_REQUEST.subarray(2)]);
    expect(refusal(() => parseRequest(longForm)).message).toMatch(/not minimal/);
  });

  it('refuses trailing garbage after the request and inside a field', () => {
    expect(refusal(() => parseRequest(Uint8Array.from([...IRONRDP_REQUEST, 0x00]))).message).toMatch(/1 unexpected trailing bytes/);
    const extraInField = encodeTlv(0xa2, Uint8Array.from([...encodeUtf8('machine:3389'), 0x05, 0x00]));
    expect(refusal(() => parseRequest(request([v3390, extraInField, token, x224]))).message).toMatch(/\[2\]: has 2 unexpected trailing bytes/);
  });

  it('refuses every truncation of a valid request without crashing', () => {
    for (let n = 0; n < IRONRDP_REQUEST.length; n++) {
      expect(refusal(() => parseRequest(IRONRDP_REQUEST.subarray(0, n))).kind).toBe('malformed');
    }
  });

  it('answers arbitrary corruption with a clear refusal or a valid parse, never a crash', () => {
    let seed = 12345;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
    for (let i = 0; i < 5000; i++) {
      const b = Uint8Array.from(IRONRDP_REQUEST);
      for (let k = 1 + rand(3); k > 0; k--) b[rand(b.length)] = rand(256);
      try {
        parseRequest(b);
      } catch (e) {
        expect(e).toBeInstanceOf(RdCleanPathError);
      }
    }
  });

  it('refuses oversized requests before reading them', () => {
    const huge = new Uint8Array(MAX_REQUEST_BYTES + 1);
    expect(refusal(() => parseRequest(huge)).kind).toBe('too-large');
    const longToken = request([v3390, dest, encodeExplicit(3, encodeUtf8('t'.repeat(20_000))), x224]);
    expect(refusal(() => parseRequest(longToken)).message).toMatch(/\[3\]\.proxy auth: is 20000 bytes, more than the 16384 allowed/);
  });

  it('checks the X.224 connection request it will forward', () => {
    const notTpkt = encodeExplicit(6, encodeOctets(hex('1603010200')));
    expect(refusal(() => parseRequest(request([v3390, dest, token, notTpkt]))).message).toMatch(/X.224 field is not valid: the first byte is 0x16/);
    const confirmInstead = encodeExplicit(6, encodeOctets(XRDP_CONFIRM));
    expect(refusal(() => parseRequest(request([v3390, dest, token, confirmInstead]))).message).toMatch(/not an X.224 Connection Request/);
    const badLength = buildConnectionRequest(PROTOCOL.SSL);
    badLength[3] += 1;
    expect(refusal(() => parseRequest(request([v3390, dest, token, encodeExplicit(6, encodeOctets(badLength))]))).message)
      .toMatch(/says 20 bytes but has 19/);
  });
});

describe('RDCleanPath answers', () => {
  it('encodes a success response that decodes to the same fields', () => {
    const chain = [hex('3003020101'), hex('3003020102')];
    const pdu = decodePdu(encodeResponse(XRDP_CONFIRM, chain, '127.0.0.1:3389'), 1 << 20);
    expect(pdu.version).toBe(3390);
    expect(toHex(pdu.x224!)).toBe(toHex(XRDP_CONFIRM));
    expect(pdu.serverCertChain!.map(toHex)).toEqual(chain.map(toHex));
    expect(pdu.serverAddr).toBe('127.0.0.1:3389');
    expect(pdu.error).toBeUndefined();
  });

  it('writes the fields in the layout IronRDP reads: [0], [6], [7] SEQUENCE OF OCTET STRING, [9]', () => {
    const out = encodeResponse(hex('0300000b06d00000000000'), [hex('3000')], 'a');
    expect(toHex(out)).toBe('3022' + 'a00402020d3e' + 'a60d040b0300000b06d00000000000' + 'a70630040402' + '3000' + 'a9030c0161');
  });

  it('encodes general errors with the optional codes, and negotiation errors with the confirm', () => {
    expect(toHex(encodeError({ httpStatusCode: 403 }))).toBe('3015' + 'a00402020d3e' + 'a10d300b' + 'a003020101' + 'a10402020193');
    const full = decodePdu(encodeError({ httpStatusCode: 502, wsaLastError: 10061, tlsAlertCode: 42 }));
    expect(full.error).toEqual({ errorCode: 1, httpStatusCode: 502, wsaLastError: 10061, tlsAlertCode: 42 });
    const neg = decodePdu(encodeNegotiationError(XRDP_CONFIRM));
    expect(neg.error).toEqual({ errorCode: 2 });
    expect(toHex(neg.x224!)).toBe(toHex(XRDP_CONFIRM));
  });

  it('refuses an error without a code, or with out-of-range values', () => {
    const withEmptyErr = encodeSequence([v3390, encodeExplicit(1, encodeSequence([]))]);
    expect(refusal(() => decodePdu(withEmptyErr)).message).toMatch(/no error code/);
    const hugeAlert = encodeSequence([v3390, encodeExplicit(1, encodeSequence([encodeExplicit(0, encodeUnsigned(1)), encodeExplicit(3, encodeUnsigned(300))]))]);
    expect(refusal(() => decodePdu(hugeAlert)).message).toMatch(/INTEGER 300 is larger than 255/);
  });
});

describe('X.224 connection packets', () => {
  it('reads what xrdp selected', () => {
    expect(parseConnectionConfirm(XRDP_CONFIRM)).toEqual({ kind: 'selected', protocol: PROTOCOL.SSL });
  });

  it('explains a negotiation failure and spots legacy security', () => {
    const failure = hex('030000130ed000001234000300080005000000');
    expect(parseConnectionConfirm(failure)).toEqual({
      kind: 'failure', code: 5, reason: 'the machine requires Network Level Authentication (CredSSP), which the client did not offer',
    });
    expect(parseConnectionConfirm(hex('0300000b06d00000123400'))).toEqual({ kind: 'legacy' });
  });
});

describe('destination', () => {
  it('accepts host:port, [v6]:port and a bare host', () => {
    expect(parseDestination('machine:3389')).toEqual({ host: 'machine', port: 3389 });
    expect(parseDestination('10.0.0.4:33890')).toEqual({ host: '10.0.0.4', port: 33890 });
    expect(parseDestination('[::1]:3390')).toEqual({ host: '::1', port: 3390 });
    expect(parseDestination('build-box')).toEqual({ host: 'build-box', port: 3389 });
  });

  it('refuses anything else', () => {
    for (const bad of ['', ':3389', 'a:b', 'a:70000', 'a:0', 'a b:1', 'http://x:1', '[zz]:1']) expect(parseDestination(bad)).toBeUndefined();
  });
});
