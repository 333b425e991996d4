// Sets INFO_AUTOLOGON in the Client Info PDU as it passes from the browser to the machine.
//
// Why: ironrdp-web never sets this flag. Servers that authenticate inside RDP rather than with
// NLA/CredSSP (xrdp, or Windows with NLA off) read the password from the Client Info PDU only when
// INFO_AUTOLOGON is set (xrdp: libxrdp/xrdp_sec.c), and otherwise show their own login dialog, so
// the visitor would have to type the credentials twice. Because the proxy terminates TLS, it sees
// the plaintext stream and can set the bit. It changes nothing else: the credentials are the ones
// the visitor typed, and the proxy never logs them. Enable it per target, for servers without NLA;
// with NLA the server signs in with the CredSSP credentials and the flag changes nothing.
//
// Client → server stream after TLS (MS-RDPBCGR 1.3.1.1): optional CredSSP TSRequests (DER
// SEQUENCEs, NLA only), then slow-path TPKT frames: MCS Connect Initial, Erect Domain, Attach User,
// Channel Joins, (Security Exchange, legacy security only), then the Client Info PDU:
//
//   TPKT        03 00 len(u16 BE)                                  RFC 1006 §6
//   X.224 DT    02 F0 80                                           X.224 §13.7
//   MCS SDrq    0x64 (sendDataRequest << 2) | initiator (u16) | channelId (u16) | 0x70 (priority,
//               segmentation) | PER length (1 byte, or 2 with the top bit set)   T.125 §11.32
//   TS_SECURITY_HEADER  flags (u16 LE, SEC_INFO_PKT 0x0040) | flagsHi (u16 LE)  MS-RDPBCGR 2.2.8.1.1.2.1
//   TS_INFO_PACKET      CodePage (u32 LE) | flags (u32 LE, INFO_AUTOLOGON 0x00000008) | …  2.2.1.11.1.1
//
// After that PDU (or on anything it does not recognise) the transformer passes bytes through unread.

import { concatBytes, readHeader } from './der.ts';

const SEC_INFO_PKT = 0x0040;
const SEC_ENCRYPT = 0x0008;
export const INFO_AUTOLOGON = 0x00000008;
const MCS_SEND_DATA_REQUEST = 25;
/** Frames before the Client Info are few (one per channel join); stop looking after this many. */
const MAX_FRAMES = 64;
const MAX_CREDSSP_FRAME = 64 * 1024;

export type AutologonState =
  | 'searching'
  /** The flag was set on the Client Info PDU. */
  | 'applied'
  /** Disabled, or the stream was not what we expected: everything passes through untouched. */
  | 'passthrough';

export class ClientInfoAutologon {
  private buf: Uint8Array = new Uint8Array(0);
  private frames = 0;
  private _state: AutologonState;

  constructor(enabled: boolean) {
    this._state = enabled ? 'searching' : 'passthrough';
  }

  get state(): AutologonState {
    return this._state;
  }

  /** Feeds client bytes; returns the bytes to forward now, in order. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this._state !== 'searching') return chunk.length ? [chunk] : [];
    this.buf = this.buf.length ? concatBytes([this.buf, chunk]) : chunk;
    const out: Uint8Array[] = [];
    while (this._state === 'searching') {
      const size = this.frameSize();
      if (size === undefined) break; // wait for the rest of this frame
      if (size === 'unknown') {
        this._state = 'passthrough';
        break;
      }
      const frame = this.buf.subarray(0, size);
      this.buf = this.buf.subarray(size);
      const patched = patchClientInfo(frame);
      if (patched === 'encrypted') {
        out.push(frame);
        this._state = 'passthrough';
      } else if (patched) {
        out.push(patched);
        this._state = 'applied';
      } else {
        out.push(frame);
        if (++this.frames >= MAX_FRAMES) this._state = 'passthrough';
      }
    }
    if (this._state !== 'searching' && this.buf.length) {
      out.push(this.buf);
      this.buf = new Uint8Array(0);
    }
    return out;
  }

  /** Size of the frame at the head of the buffer, undefined if incomplete, 'unknown' if unrecognised. */
  private frameSize(): number | undefined | 'unknown' {
    const b = this.buf;
    if (b.length === 0) return undefined;
    if (b[0] === 0x03) {
      if (b.length < 4) return undefined;
      const len = (b[2] << 8) | b[3];
      if (b[1] !== 0 || len < 7) return 'unknown';
      return b.length >= len ? len : undefined;
    }
    if (b[0] === 0x30) {
      try {
        const h = readHeader(b, 0, 'CredSSP TSRequest');
        if (!h) return undefined;
        const len = h.headerLength + h.length;
        if (len > MAX_CREDSSP_FRAME) return 'unknown';
        return b.length >= len ? len : undefined;
      } catch {
        return 'unknown';
      }
    }
    return 'unknown';
  }
}

/**
 * If `frame` is a TPKT carrying the Client Info PDU, returns a copy with INFO_AUTOLOGON set;
 * 'encrypted' if it is one we cannot change (legacy RDP encryption); otherwise undefined.
 */
export function patchClientInfo(frame: Uint8Array): Uint8Array | 'encrypted' | undefined {
  if (frame[0] !== 0x03 || frame.length < 8) return undefined;
  if (frame[4] !== 0x02 || frame[5] !== 0xf0) return undefined; // not an X.224 Data TPDU
  if (frame[7] >> 2 !== MCS_SEND_DATA_REQUEST || frame.length < 14) return undefined;
  let at = 13;
  const l0 = frame[at++];
  let length = l0;
  if (l0 & 0x80) {
    if ((l0 & 0xc0) === 0xc0 || at >= frame.length) return undefined; // fragmented form: never a Client Info
    length = ((l0 & 0x3f) << 8) | frame[at++];
  }
  if (at + length !== frame.length || length < 12) return undefined;
  const secFlags = frame[at] | (frame[at + 1] << 8);
  if ((secFlags & SEC_INFO_PKT) === 0) return undefined;
  if (secFlags & SEC_ENCRYPT) return 'encrypted';
  const copy = frame.slice();
  const view = new DataView(copy.buffer, copy.byteOffset, copy.byteLength);
  const flagsAt = at + 4 + 4; // after the security header and CodePage
  view.setUint32(flagsAt, (view.getUint32(flagsAt, true) | INFO_AUTOLOGON) >>> 0, true);
  return copy;
}
