// RDCleanPath: the one DER message IronRDP's web client sends through its WebSocket before RDP,
// and the proxy's one answer. Layout as used by Devolutions/IronRDP `ironrdp-rdcleanpath`
// (every field EXPLICIT-tagged, fields in tag order, absent when OPTIONAL and unused):
//
//   RDCleanPathPdu ::= SEQUENCE {
//     version            [0] INTEGER,                       -- 3390 (3389 + 1)
//     error              [1] RDCleanPathErr OPTIONAL,       -- proxy → client
//     destination        [2] UTF8String OPTIONAL,           -- client → proxy, "host:port"
//     proxyAuth          [3] UTF8String OPTIONAL,           -- client → proxy, our link or user token
//     serverAuth         [4] UTF8String OPTIONAL,           -- unused by IronRDP
//     preconnectionBlob  [5] UTF8String OPTIONAL,           -- client → proxy (Hyper-V console PCB)
//     x224ConnectionPdu  [6] OCTET STRING OPTIONAL,         -- the client's request, or the server's confirm
//     serverCertChain    [7] SEQUENCE OF OCTET STRING OPTIONAL,  -- proxy → client, leaf first
//     -- [8] is reserved (an OCSP response, never used)
//     serverAddr         [9] UTF8String OPTIONAL }          -- proxy → client, the address dialled
//
//   RDCleanPathErr ::= SEQUENCE {
//     errorCode          [0] INTEGER,                       -- 1 general, 2 negotiation (then [6] = confirm)
//     httpStatusCode     [1] INTEGER OPTIONAL,
//     wsaLastError       [2] INTEGER OPTIONAL,              -- Windows socket error number
//     tlsAlertCode       [3] INTEGER OPTIONAL }             -- RFC 8446 §6 alert number
//
// IronRDP's web client (ironrdp-wasm 1.1.0, and @devolutions/iron-remote-desktop-rdp 0.7.0 as the
// interop tests run it) sends [0], [2], [3], [6] (and [5] only if a "pcb" extension is set), reads
// the answer's header to learn its length, and treats a PDU with [9] as success, [1] as failure.

import {
  DerError, DerReader, TAG, decodeOctets, decodeUnsigned, decodeUtf8, describeTag,
  encodeExplicit, encodeOctets, encodeSequence, encodeUnsigned, encodeUtf8, readHeader,
} from './der.ts';
import { X224Error, checkConnectionRequest } from './x224.ts';

export const RDCLEANPATH_VERSION = 3390;
export const GENERAL_ERROR = 1;
export const NEGOTIATION_ERROR = 2;

/** Requests are small (a token, a host name, ~50 bytes of X.224); anything bigger is refused unread. */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** Answers carry a certificate chain, so a client-side reader (tests) allows more. */
export const MAX_RESPONSE_BYTES = 256 * 1024;

const LIMITS = {
  destination: 1024,
  proxyAuth: 16 * 1024,
  serverAuth: 16 * 1024,
  preconnectionBlob: 16 * 1024,
  x224: 1024,
  serverAddr: 1024,
  certificate: 64 * 1024,
  certificates: 16,
};

export type RdCleanPathErrorKind = 'too-large' | 'malformed' | 'unsupported-version' | 'missing-field' | 'not-a-request';

export class RdCleanPathError extends Error {
  constructor(
    readonly kind: RdCleanPathErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'RdCleanPathError';
  }
}

export interface RdCleanPathErr {
  errorCode: number;
  httpStatusCode?: number;
  wsaLastError?: number;
  tlsAlertCode?: number;
}

/** Every field of the PDU, as decoded; which ones are present decides what the PDU is. */
export interface RdCleanPathPdu {
  version: number;
  error?: RdCleanPathErr;
  destination?: string;
  proxyAuth?: string;
  serverAuth?: string;
  preconnectionBlob?: string;
  x224?: Uint8Array;
  serverCertChain?: Uint8Array[];
  serverAddr?: string;
}

export interface RdCleanPathRequest {
  destination: string;
  proxyAuth: string;
  x224Request: Uint8Array;
  serverAuth?: string;
  preconnectionBlob?: string;
}

/**
 * How many bytes the PDU starting at `buf` occupies, from its outer header alone, so a stream
 * reader knows when it has all of it. Undefined until the header is complete.
 */
export function pduLength(buf: Uint8Array): number | undefined {
  const h = readHeader(buf, 0, 'RDCleanPath');
  if (!h) return undefined;
  if (h.tag !== TAG.SEQUENCE) throw new DerError(`expected SEQUENCE but found ${describeTag(h.tag)}`, 'RDCleanPath', 0);
  return h.headerLength + h.length;
}

function decodeErr(r: DerReader): RdCleanPathErr {
  const fields: (keyof RdCleanPathErr)[] = ['errorCode', 'httpStatusCode', 'wsaLastError', 'tlsAlertCode'];
  const out: Partial<RdCleanPathErr> = {};
  let last = -1;
  while (!r.done) {
    const tlv = r.next('field', 16);
    const n = tlv.tag & 0x1f;
    if ((tlv.tag & 0xc0) !== 0x80 || n > 3 || n <= last) {
      throw new DerError(`${describeTag(tlv.tag)} is not expected here`, 'RDCleanPath.[1] error', tlv.start);
    }
    last = n;
    const inner = r.enter(tlv, `[${n}]`);
    out[fields[n]] = decodeUnsigned(inner.next('value', 8), `RDCleanPath.[1] error.[${n}]`, n === 3 ? 0xff : 0xffff);
    inner.end();
  }
  if (out.errorCode === undefined) throw new RdCleanPathError('missing-field', 'The RDCleanPath error has no error code ([0]).');
  return out as RdCleanPathErr;
}

/** Decodes any RDCleanPath PDU strictly. Throws RdCleanPathError naming what is wrong. */
export function decodePdu(bytes: Uint8Array, maxBytes = MAX_REQUEST_BYTES): RdCleanPathPdu {
  if (bytes.length > maxBytes) {
    throw new RdCleanPathError('too-large', `The RDCleanPath message is ${bytes.length} bytes; at most ${maxBytes} are allowed.`);
  }
  try {
    const top = new DerReader(bytes, '');
    const seq = top.expect(TAG.SEQUENCE, 'RDCleanPath', maxBytes);
    top.end();
    const r = top.enter(seq, 'RDCleanPath');
    const pdu: Partial<RdCleanPathPdu> = {};
    let last = -1;
    while (!r.done) {
      const tlv = r.next('field', maxBytes);
      const n = tlv.tag & 0x1f;
      const where = `RDCleanPath.[${n}]`;
      if ((tlv.tag & 0xc0) !== 0x80) throw new DerError(`${describeTag(tlv.tag)} is not a field tag`, 'RDCleanPath', tlv.start);
      if (n <= last) throw new DerError(`[${n}] is repeated or out of order`, 'RDCleanPath', tlv.start);
      last = n;
      const inner = r.enter(tlv, `[${n}]`);
      switch (n) {
        case 0: pdu.version = decodeUnsigned(inner.next('version', 8), where, 0xffffffff); break;
        case 1: pdu.error = decodeErr(inner.enter(inner.expect(TAG.SEQUENCE, 'error', 256), 'error')); break;
        case 2: pdu.destination = decodeUtf8(inner.next('destination', LIMITS.destination), where); break;
        case 3: pdu.proxyAuth = decodeUtf8(inner.next('proxy auth', LIMITS.proxyAuth), where); break;
        case 4: pdu.serverAuth = decodeUtf8(inner.next('server auth', LIMITS.serverAuth), where); break;
        case 5: pdu.preconnectionBlob = decodeUtf8(inner.next('preconnection blob', LIMITS.preconnectionBlob), where); break;
        case 6: pdu.x224 = decodeOctets(inner.next('X.224', LIMITS.x224), where); break;
        case 7: {
          const list = inner.enter(inner.expect(TAG.SEQUENCE, 'certificates', maxBytes), 'certificates');
          const chain: Uint8Array[] = [];
          while (!list.done) {
            if (chain.length === LIMITS.certificates) throw new DerError(`more than ${LIMITS.certificates} certificates`, where, tlv.start);
            chain.push(decodeOctets(list.next('certificate', LIMITS.certificate), where));
          }
          pdu.serverCertChain = chain;
          break;
        }
        case 9: pdu.serverAddr = decodeUtf8(inner.next('server address', LIMITS.serverAddr), where); break;
        default: throw new DerError(`[${n}] is not an RDCleanPath field`, 'RDCleanPath', tlv.start);
      }
      inner.end();
    }
    if (pdu.version === undefined) throw new RdCleanPathError('missing-field', 'The RDCleanPath message has no version ([0]).');
    if (pdu.version !== RDCLEANPATH_VERSION) {
      throw new RdCleanPathError('unsupported-version',
        `RDCleanPath version ${pdu.version} is not supported; this proxy speaks version ${RDCLEANPATH_VERSION}.`);
    }
    return pdu as RdCleanPathPdu;
  } catch (e) {
    if (e instanceof DerError) throw new RdCleanPathError('malformed', `The RDCleanPath message is malformed: ${e.message}.`);
    throw e;
  }
}

/** Decodes the browser's request: a destination, a proxy auth token and a valid X.224 request. */
export function parseRequest(bytes: Uint8Array): RdCleanPathRequest {
  const pdu = decodePdu(bytes, MAX_REQUEST_BYTES);
  if (pdu.error || pdu.serverCertChain || pdu.serverAddr !== undefined) {
    throw new RdCleanPathError('not-a-request', 'The RDCleanPath message carries answer fields ([1], [7] or [9]), so it is not a request.');
  }
  if (pdu.destination === undefined) throw new RdCleanPathError('missing-field', 'The RDCleanPath request has no destination ([2]).');
  if (pdu.proxyAuth === undefined) throw new RdCleanPathError('missing-field', 'The RDCleanPath request has no proxy auth token ([3]).');
  if (pdu.x224 === undefined) throw new RdCleanPathError('missing-field', 'The RDCleanPath request has no X.224 connection request ([6]).');
  try {
    checkConnectionRequest(pdu.x224);
  } catch (e) {
    if (e instanceof X224Error) throw new RdCleanPathError('malformed', `The RDCleanPath request's X.224 field is not valid: ${e.message}.`);
    throw e;
  }
  const req: RdCleanPathRequest = { destination: pdu.destination, proxyAuth: pdu.proxyAuth, x224Request: pdu.x224 };
  if (pdu.serverAuth !== undefined) req.serverAuth = pdu.serverAuth;
  if (pdu.preconnectionBlob !== undefined) req.preconnectionBlob = pdu.preconnectionBlob;
  return req;
}

/** Encodes any PDU; fields are written in tag order and only when present. */
export function encodePdu(pdu: Omit<RdCleanPathPdu, 'version'> & { version?: number }): Uint8Array {
  const f: Uint8Array[] = [encodeExplicit(0, encodeUnsigned(pdu.version ?? RDCLEANPATH_VERSION))];
  if (pdu.error) {
    const e = pdu.error;
    const parts = [encodeExplicit(0, encodeUnsigned(e.errorCode))];
    if (e.httpStatusCode !== undefined) parts.push(encodeExplicit(1, encodeUnsigned(e.httpStatusCode)));
    if (e.wsaLastError !== undefined) parts.push(encodeExplicit(2, encodeUnsigned(e.wsaLastError)));
    if (e.tlsAlertCode !== undefined) parts.push(encodeExplicit(3, encodeUnsigned(e.tlsAlertCode)));
    f.push(encodeExplicit(1, encodeSequence(parts)));
  }
  if (pdu.destination !== undefined) f.push(encodeExplicit(2, encodeUtf8(pdu.destination)));
  if (pdu.proxyAuth !== undefined) f.push(encodeExplicit(3, encodeUtf8(pdu.proxyAuth)));
  if (pdu.serverAuth !== undefined) f.push(encodeExplicit(4, encodeUtf8(pdu.serverAuth)));
  if (pdu.preconnectionBlob !== undefined) f.push(encodeExplicit(5, encodeUtf8(pdu.preconnectionBlob)));
  if (pdu.x224 !== undefined) f.push(encodeExplicit(6, encodeOctets(pdu.x224)));
  if (pdu.serverCertChain !== undefined) f.push(encodeExplicit(7, encodeSequence(pdu.serverCertChain.map(encodeOctets))));
  if (pdu.serverAddr !== undefined) f.push(encodeExplicit(9, encodeUtf8(pdu.serverAddr)));
  return encodeSequence(f);
}

/** The request as IronRDP's web client builds it (used by tests and probes). */
export function encodeRequest(req: RdCleanPathRequest): Uint8Array {
  return encodePdu({
    destination: req.destination, proxyAuth: req.proxyAuth, serverAuth: req.serverAuth,
    preconnectionBlob: req.preconnectionBlob, x224: req.x224Request,
  });
}

/** Success: the server's X.224 confirm, its certificate chain (leaf first) and the address dialled. */
export function encodeResponse(x224Confirm: Uint8Array, certChain: readonly Uint8Array[], serverAddr: string): Uint8Array {
  if (certChain.length === 0) throw new RangeError('an RDCleanPath response needs at least the leaf certificate');
  return encodePdu({ x224: x224Confirm, serverCertChain: [...certChain], serverAddr });
}

/** A general error (code 1) carrying an HTTP status, and a socket error or TLS alert when known. */
export function encodeError(err: Omit<RdCleanPathErr, 'errorCode'>): Uint8Array {
  return encodePdu({ error: { errorCode: GENERAL_ERROR, ...err } });
}

/** The server refused the negotiation: IronRDP decodes the confirm and names the reason itself. */
export function encodeNegotiationError(x224Confirm: Uint8Array): Uint8Array {
  return encodePdu({ error: { errorCode: NEGOTIATION_ERROR }, x224: x224Confirm });
}

/** "host:port", "[v6]:port" or a bare host (port 3389), as a browser may put in [2] destination. */
export function parseDestination(destination: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]/]+))(?::(\d{1,5}))?$/.exec(destination.trim());
  if (!m) return undefined;
  const port = m[3] === undefined ? 3389 : Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1] ?? m[2], port };
}

