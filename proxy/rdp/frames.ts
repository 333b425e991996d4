// Splits one direction of the plaintext RDP stream (after TLS) into frames, so the proxy can find the
// static virtual channel PDUs it cares about (CLIPRDR) and pass every other byte through unread.
//
// Frames, by their first byte (MS-RDPBCGR 2.2.9.1.2, 2.2.8.1.2):
//   0x03        TPKT (RFC 1006 §6): 03 00 len(u16 BE, whole frame)          slow path
//   xxxxxx00    fast path: header byte, then length in 1 byte, or 2 with the top bit set (whole frame)
//   0x30        a DER SEQUENCE: CredSSP TSRequest (NLA), only before the first TPKT
//   00 or 05    server only, before the first TPKT: the 4-byte Early User Authorization Result
// A slow-path frame that carries channel data is, after the TPKT header:
//   X.224 DT    02 F0 80                                                   X.224 §13.7
//   MCS         SDrq 0x64 (client) or SDin 0x68 (server) | initiator u16 BE | channelId u16 BE |
//               0x70 (priority, segmentation) | PER length (1 byte, or 2 with the top bit set)   T.125 §11.32-33
//   data        CHANNEL_PDU_HEADER length u32 LE | flags u32 LE, then one chunk   MS-RDPBCGR 2.2.6.1.1
//
// Anything else at a frame start means the stream is not what this file understands: the splitter
// then stops looking and passes everything through, unchanged, for the rest of the connection.

import { concatBytes, readHeader } from './der.ts';

const MCS_SDRQ = 25 << 2; // Send Data Request, client → server
const MCS_SDIN = 26 << 2; // Send Data Indication, server → client
/** Bytes needed to decide whether a TPKT frame is channel data: TPKT, X.224, MCS type, ids. */
const PEEK = 12;

export interface ChannelFrame {
  channelId: number;
  initiator: number;
  /** CHANNEL_PDU_HEADER: length of the whole virtual channel message, and the chunk's flags. */
  totalLength: number;
  flags: number;
  chunk: Uint8Array;
}

/**
 * Streams bytes through, holding back only whole frames of the channels `wants` selects. For each
 * pushed chunk, `push` returns what to forward now and the held frames, in stream order.
 */
export class FrameSplitter {
  private head = new Uint8Array(0);
  /** Bytes of the current frame still to pass through (or to collect, when `collecting`). */
  private remaining = 0;
  private collecting: Uint8Array[] | undefined;
  private sawTpkt = false;
  private _broken = false;

  constructor(
    private readonly direction: 'client' | 'server',
    /** Which frames to hold: channel data by MCS channel id, and 'connect' for the first TPKT frame
     *  (MCS Connect Initial or Connect Response, which name the channels). */
    private readonly wants: (what: number | 'connect') => boolean,
  ) {}

  /** True once the stream stopped looking like RDP frames (everything now passes through). */
  get broken(): boolean {
    return this._broken;
  }

  push(chunk: Uint8Array): Array<Uint8Array | { frame: Uint8Array }> {
    const out: Array<Uint8Array | { frame: Uint8Array }> = [];
    let at = 0;
    let passStart = -1; // start of a run of pass-through bytes inside `chunk`
    const flushPass = (end: number) => {
      if (passStart >= 0 && end > passStart) out.push(chunk.subarray(passStart, end));
      passStart = -1;
    };
    while (at < chunk.length) {
      if (this._broken) {
        if (passStart < 0) passStart = at;
        at = chunk.length;
        break;
      }
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - at);
        if (this.collecting) {
          this.collecting.push(chunk.subarray(at, at + n));
        } else if (passStart < 0) {
          passStart = at;
        }
        this.remaining -= n;
        at += n;
        if (this.remaining === 0 && this.collecting) {
          out.push({ frame: concatBytes(this.collecting) });
          this.collecting = undefined;
        }
        continue;
      }
      // A frame starts here: gather enough of its header (it may straddle chunks).
      const take = Math.min(PEEK - this.head.length, chunk.length - at);
      const head = this.head.length ? concatBytes([this.head, chunk.subarray(at, at + take)]) : chunk.subarray(at, at + take);
      const decided = this.decide(head);
      if (decided === undefined) {
        // Not enough bytes yet: keep them (copied, the chunk may be reused) and wait.
        flushPass(at);
        this.head = head.slice();
        at += take;
        continue;
      }
      // Header bytes taken from an earlier chunk go out (or into the held frame) first.
      const fromEarlier = this.head;
      this.head = new Uint8Array(0);
      if (decided === 'broken') {
        this._broken = true;
        if (fromEarlier.length) {
          flushPass(at);
          out.push(fromEarlier);
        }
        continue;
      }
      const { length, hold } = decided;
      this.remaining = length - fromEarlier.length;
      if (hold) {
        flushPass(at);
        this.collecting = fromEarlier.length ? [fromEarlier] : [];
        if (this.remaining === 0) {
          out.push({ frame: concatBytes(this.collecting) });
          this.collecting = undefined;
        }
      } else {
        if (fromEarlier.length) {
          flushPass(at);
          out.push(fromEarlier);
        }
        if (passStart < 0) passStart = at;
      }
    }
    flushPass(at);
    return out;
  }

  /** Length of the frame starting with `h` and whether to hold it; undefined if more bytes are needed. */
  private decide(h: Uint8Array): { length: number; hold: boolean } | 'broken' | undefined {
    const b0 = h[0];
    if (b0 === 0x03) {
      if (h.length < 4) return undefined;
      const length = (h[2] << 8) | h[3];
      if (h[1] !== 0 || length < 7) return 'broken';
      if (!this.sawTpkt) {
        this.sawTpkt = true;
        return { length, hold: this.wants('connect') };
      }
      const type = this.direction === 'client' ? MCS_SDRQ : MCS_SDIN;
      if (length < PEEK + 1) return { length, hold: false };
      if (h.length < PEEK) return undefined;
      const isData = h[4] === 0x02 && h[5] === 0xf0 && h[6] === 0x80 && (h[7] & 0xfc) === type;
      return { length, hold: isData && this.wants((h[10] << 8) | h[11]) };
    }
    if (!this.sawTpkt && this.direction === 'server' && (b0 === 0x00 || b0 === 0x05)) {
      // Early User Authorization Result after CredSSP with HYBRID_EX: authorizationResult u32 LE,
      // AUTHZ_SUCCESS 0 or AUTHZ_ACCESS_DENIED 5 (MS-RDPBCGR 2.2.10.2).
      return h.length < 4 ? undefined : { length: 4, hold: false };
    }
    if (b0 === 0x30 && !this.sawTpkt) {
      try {
        const hdr = readHeader(h, 0, 'CredSSP TSRequest');
        if (!hdr) return h.length >= 5 ? 'broken' : undefined;
        return { length: hdr.headerLength + hdr.length, hold: false };
      } catch {
        return 'broken';
      }
    }
    if ((b0 & 0x03) === 0 && this.sawTpkt) {
      if (h.length < 2) return undefined;
      let length = h[1];
      if (length & 0x80) {
        if (h.length < 3) return undefined;
        length = ((length & 0x7f) << 8) | h[2];
      }
      return length < 2 ? 'broken' : { length, hold: false };
    }
    return 'broken';
  }
}

/** Reads a held slow-path channel frame; undefined if it is not one after all. */
export function readChannelFrame(frame: Uint8Array): ChannelFrame | undefined {
  if (frame.length < 13 + 8) return undefined;
  let at = 13;
  let length = frame[at++];
  if (length & 0x80) {
    if ((length & 0xc0) === 0xc0) return undefined; // PER fragmented form: never used for channel data
    length = ((length & 0x3f) << 8) | frame[at++];
  }
  if (at + length !== frame.length || length < 8) return undefined;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  return {
    initiator: view.getUint16(8),
    channelId: view.getUint16(10),
    totalLength: view.getUint32(at, true),
    flags: view.getUint32(at + 4, true),
    chunk: frame.subarray(at + 8),
  };
}

export const CHANNEL_FLAG_FIRST = 0x01;
export const CHANNEL_FLAG_LAST = 0x02;
export const CHANNEL_FLAG_SHOW_PROTOCOL = 0x10;
export const CHANNEL_PACKET_COMPRESSED = 0x00200000;
/** MS-RDPBCGR 2.2.6.1: CHANNEL_CHUNK_LENGTH, the chunk size every peer accepts. */
export const CHUNK_LENGTH = 1600;

/** One virtual channel message as slow-path frames, in chunks of CHUNK_LENGTH. */
export function encodeChannelMessage(
  direction: 'client' | 'server', initiator: number, channelId: number, data: Uint8Array, extraFlags: number,
): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let off = 0; off < data.length || off === 0; off += CHUNK_LENGTH) {
    const chunk = data.subarray(off, Math.min(off + CHUNK_LENGTH, data.length));
    let flags = extraFlags & ~(CHANNEL_FLAG_FIRST | CHANNEL_FLAG_LAST);
    if (off === 0) flags |= CHANNEL_FLAG_FIRST;
    if (off + CHUNK_LENGTH >= data.length) flags |= CHANNEL_FLAG_LAST;
    const userData = 8 + chunk.length;
    const perLength = userData < 0x80 ? 1 : 2;
    const total = 4 + 3 + 6 + perLength + userData;
    const f = new Uint8Array(total);
    const v = new DataView(f.buffer);
    f.set([0x03, 0x00, total >> 8, total & 0xff, 0x02, 0xf0, 0x80, direction === 'client' ? MCS_SDRQ : MCS_SDIN]);
    v.setUint16(8, initiator);
    v.setUint16(10, channelId);
    f[12] = 0x70;
    let at = 13;
    if (perLength === 1) f[at++] = userData;
    else {
      f[at++] = 0x80 | (userData >> 8);
      f[at++] = userData & 0xff;
    }
    v.setUint32(at, data.length, true);
    v.setUint32(at + 4, flags, true);
    f.set(chunk, at + 8);
    frames.push(f);
    if (data.length === 0) break;
  }
  return frames;
}
