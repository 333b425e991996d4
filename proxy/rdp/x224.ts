// The two RDP packets the proxy must understand before TLS: the client's X.224 Connection Request
// (which it forwards) and the server's Connection Confirm (which tells it whether TLS follows).
//
// TPKT (RFC 1006 §6):   version=3 (u8) | reserved=0 (u8) | length (u16 BE, whole packet)
// X.224 TPDU (X.224 §13.3 CR, §13.4 CC):
//   LI (u8, header length after this octet) | code (0xE0 CR, 0xD0 CC) | DST-REF (u16) | SRC-REF (u16) | class (u8)
//   then, for RDP (MS-RDPBCGR 2.2.1.1 / 2.2.1.2), optional cookie or routing token (CR only) and an
//   8-byte negotiation structure: type (u8) | flags (u8) | length=8 (u16 LE) | value (u32 LE), where
//   type 0x01 = RDP_NEG_REQ, 0x02 = RDP_NEG_RSP (value = selected protocol), 0x03 = RDP_NEG_FAILURE.
// The LI octet limits a TPDU header to 254 bytes, so neither packet can exceed 4 + 1 + 254 = 259 bytes.

export const TPKT_HEADER = 4;
export const MAX_CONNECTION_PACKET = 259;

export const PROTOCOL = { RDP: 0, SSL: 1, HYBRID: 2, RDSTLS: 4, HYBRID_EX: 8, RDSAAD: 0x10 } as const;

/** MS-RDPBCGR 2.2.1.2.2 failureCode values, as sentences. */
const FAILURE_REASONS: Record<number, string> = {
  1: 'the machine requires TLS, which the client did not offer',
  2: 'the machine does not allow TLS',
  3: 'the machine has no TLS certificate configured',
  4: 'the machine found the requested security flags inconsistent',
  5: 'the machine requires Network Level Authentication (CredSSP), which the client did not offer',
  6: 'the machine requires TLS with user authentication',
};

export class X224Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'X224Error';
  }
}

/** Reads a connection packet's TPKT header: its total length, or undefined until 4 bytes are there. */
export function tpktLength(buf: Uint8Array, maxLength: number): number | undefined {
  if (buf.length < TPKT_HEADER) return undefined;
  if (buf[0] !== 3) throw new X224Error(`the first byte is 0x${buf[0].toString(16)}, not a TPKT header (0x03)`);
  if (buf[1] !== 0) throw new X224Error('the TPKT reserved byte is not zero');
  const length = (buf[2] << 8) | buf[3];
  if (length < TPKT_HEADER + 7) throw new X224Error(`the TPKT length ${length} is too short for an X.224 connection packet`);
  if (length > maxLength) throw new X224Error(`the TPKT length ${length} is larger than the ${maxLength} allowed`);
  return length;
}

function checkTpdu(pkt: Uint8Array, code: number, name: string): void {
  const length = tpktLength(pkt, MAX_CONNECTION_PACKET);
  if (length === undefined) throw new X224Error(`the ${name} is shorter than a TPKT header`);
  if (length !== pkt.length) throw new X224Error(`the ${name} says ${length} bytes but has ${pkt.length}`);
  if (pkt[4] !== length - 5) throw new X224Error(`the ${name}'s X.224 length indicator does not match its TPKT length`);
  if ((pkt[5] & 0xf0) !== code) throw new X224Error(`the packet is not an X.224 ${name} (code 0x${pkt[5].toString(16)})`);
}

/** Validates the browser's X.224 Connection Request before it is sent to a machine. */
export function checkConnectionRequest(pkt: Uint8Array): void {
  checkTpdu(pkt, 0xe0, 'Connection Request');
}

export type ConfirmResult =
  | { kind: 'selected'; protocol: number }
  /** No negotiation structure: the server only speaks legacy RDP security (no TLS). */
  | { kind: 'legacy' }
  | { kind: 'failure'; code: number; reason: string };

/** Validates a Connection Confirm and says what the server chose. */
export function parseConnectionConfirm(pkt: Uint8Array): ConfirmResult {
  checkTpdu(pkt, 0xd0, 'Connection Confirm');
  const rest = pkt.subarray(11);
  if (rest.length === 0) return { kind: 'legacy' };
  if (rest.length !== 8) throw new X224Error(`the Connection Confirm carries ${rest.length} unexpected bytes`);
  const view = new DataView(rest.buffer, rest.byteOffset, rest.byteLength);
  if (view.getUint16(2, true) !== 8) throw new X224Error('the negotiation structure length is not 8');
  const value = view.getUint32(4, true);
  if (rest[0] === 0x02) return value === PROTOCOL.RDP ? { kind: 'legacy' } : { kind: 'selected', protocol: value };
  if (rest[0] === 0x03) {
    return { kind: 'failure', code: value, reason: FAILURE_REASONS[value] ?? `the machine refused the negotiation (code ${value})` };
  }
  throw new X224Error(`the negotiation structure has unknown type 0x${rest[0].toString(16)}`);
}

/**
 * Builds a Connection Request like an RDP client does (MS-RDPBCGR 2.2.1.1), for tests and probes.
 * `cookie` becomes "Cookie: mstshash=<cookie>\r\n".
 */
export function buildConnectionRequest(requestedProtocols: number, cookie?: string): Uint8Array {
  const cookieBytes = cookie === undefined ? new Uint8Array() : new TextEncoder().encode(`Cookie: mstshash=${cookie}\r\n`);
  const length = 11 + cookieBytes.length + 8;
  if (length > MAX_CONNECTION_PACKET) throw new RangeError('the cookie is too long for an X.224 Connection Request');
  const pkt = new Uint8Array(length);
  pkt.set([3, 0, length >> 8, length & 0xff, length - 5, 0xe0, 0, 0, 0, 0, 0]);
  pkt.set(cookieBytes, 11);
  const neg = new DataView(pkt.buffer, 11 + cookieBytes.length);
  neg.setUint8(0, 0x01);
  neg.setUint16(2, 8, true);
  neg.setUint32(4, requestedProtocols, true);
  return pkt;
}
