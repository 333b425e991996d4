// Which MCS channel carries which static virtual channel: the client names its channels in the
// Client Network Data of MCS Connect Initial, and the server answers with their ids, in the same
// order, in the Server Network Data of MCS Connect Response (MS-RDPBCGR 2.2.1.3.4, 2.2.1.4.4).
//
// Both ride inside a GCC Conference Create Request/Response (T.124), whose user data follows the
// H.221 non-standard key "Duca" (client) or "McDn" (server) and a PER length (1 byte, or 2 with the
// top bit set). The user data is a run of blocks: type u16 LE | length u16 LE (whole block) | body.
//   CS_NET 0xC003: channelCount u32 LE, then per channel: name (8 bytes, ASCII, NUL-padded) | options u32 LE
//   SC_NET 0x0C03: MCSChannelId u16 LE | channelCount u16 LE | channelIdArray (u16 LE each) | padding

const CS_NET = 0xc003;
const SC_NET = 0x0c03;

/** The static channel names the client asked for, in order; undefined if `frame` has none. */
export function clientChannelNames(frame: Uint8Array): string[] | undefined {
  const body = findBlock(frame, 'Duca', CS_NET);
  if (!body || body.length < 4) return undefined;
  const v = view(body);
  const count = v.getUint32(0, true);
  if (count > 31 || body.length < 4 + count * 12) return undefined; // at most 31 static channels
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const raw = body.subarray(4 + i * 12, 4 + i * 12 + 8);
    const end = raw.indexOf(0);
    names.push(String.fromCharCode(...raw.subarray(0, end < 0 ? 8 : end)).toLowerCase());
  }
  return names;
}

/** The ids the server gave those channels, in the same order; undefined if `frame` has none. */
export function serverChannelIds(frame: Uint8Array): number[] | undefined {
  const body = findBlock(frame, 'McDn', SC_NET);
  if (!body || body.length < 4) return undefined;
  const v = view(body);
  const count = v.getUint16(2, true);
  if (body.length < 4 + count * 2) return undefined;
  return Array.from({ length: count }, (_, i) => v.getUint16(4 + i * 2, true));
}

function findBlock(frame: Uint8Array, key: string, type: number): Uint8Array | undefined {
  const k = [...key].map((c) => c.charCodeAt(0));
  // The key sits within the first hundred bytes of the frame (after TPKT, X.224, MCS and GCC headers).
  let at = -1;
  for (let i = 0; i + 4 <= Math.min(frame.length, 200); i++) {
    if (frame[i] === k[0] && frame[i + 1] === k[1] && frame[i + 2] === k[2] && frame[i + 3] === k[3]) {
      at = i + 4;
      break;
    }
  }
  if (at < 0 || at >= frame.length) return undefined;
  let length = frame[at++];
  if (length & 0x80) length = ((length & 0x7f) << 8) | frame[at++];
  const end = Math.min(frame.length, at + length);
  const v = view(frame);
  while (at + 4 <= end) {
    const blockType = v.getUint16(at, true);
    const blockLength = v.getUint16(at + 2, true);
    if (blockLength < 4 || at + blockLength > end) return undefined;
    if (blockType === type) return frame.subarray(at + 4, at + blockLength);
    at += blockLength;
  }
  return undefined;
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}
