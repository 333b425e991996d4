// The proxy reads the clipboard channel of every relayed RDP stream, so whatever either side sends
// there — truncated, oversized, corrupted or nonsensical CLIPRDR messages — must never make the filter
// throw (endpoint.ts would end the connection; nothing may reach the proxy's process). Seeded, so a
// failure replays the same inputs.
import { describe, expect, it } from 'vitest';
import { RdpChannelFilter } from '../../../proxy/rdp/channel-filter.ts';
import { ClipboardBridge } from '../../../proxy/rdp/clipboard-bridge.ts';
import { CF_DIB, CF_DIBV5, MSG, encodeMessage } from '../../../proxy/rdp/cliprdr.ts';
import { concatBytes as concat } from '../../../proxy/rdp/der.ts';
import { encodeChannelMessage } from '../../../proxy/rdp/frames.ts';
import { connectInitial, connectResponse } from './rdp-frames.ts';

/** xorshift32: small, deterministic. */
function prng(seed: number) {
  let x = seed || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  const int = (n: number) => Math.floor(next() * n);
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
  return { int, bytes, pick: <T>(xs: T[]) => xs[int(xs.length)] };
}

type Rng = ReturnType<typeof prng>;
const u32 = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);
const longList = (ids: number[]) => concat(ids.flatMap((id) => [u32(id), new Uint8Array(2)]));

/** A bitmap-shaped body with random header fields (size, width, height, depth, compression). */
function dib(r: Rng): Uint8Array {
  const body = new Uint8Array(r.pick([40, 108, 124]) + r.int(400));
  const v = new DataView(body.buffer);
  v.setUint32(0, r.pick([40, 108, 124, r.int(2000)]), true);
  v.setInt32(4, r.int(12) - 2, true);
  v.setInt32(8, r.int(12) - 6, true);
  v.setUint16(12, 1, true);
  v.setUint16(14, r.pick([1, 8, 16, 24, 32, r.int(64)]), true);
  v.setUint32(16, r.pick([0, 0, 3, r.int(9)]), true);
  return body;
}

/**
 * The two conversations the bridge rewrites, with random bitmaps: page → machine (a list with
 * CF_DIBV5, the machine asks for CF_DIB) and machine → page (CF_DIBV5 refused, the proxy asks for CF_DIB).
 */
function conversation(r: Rng): Array<[fromPage: boolean, message: Uint8Array]> {
  const response = (ok: boolean, data: Uint8Array) => encodeMessage(MSG.formatDataResponse, ok ? 1 : 2, data);
  if (r.int(2)) {
    return [
      [true, encodeMessage(MSG.formatList, 0, longList([CF_DIBV5, 0xc003]))],
      [false, encodeMessage(MSG.formatDataRequest, 0, u32(CF_DIB))],
      [true, response(r.int(5) > 0, dib(r))],
    ];
  }
  return [
    [false, encodeMessage(MSG.formatList, 0, longList([0xc004, CF_DIB, CF_DIBV5]))],
    [true, encodeMessage(MSG.formatDataRequest, 0, u32(CF_DIBV5))],
    [false, response(false, new Uint8Array(0))],
    [false, response(r.int(5) > 0, dib(r))],
  ];
}

/** A CLIPRDR message of a random type, often shaped like the ones the bridge rewrites. */
function message(r: Rng): Uint8Array {
  const type = 1 + r.int(11);
  let body: Uint8Array = r.bytes(r.int(160));
  const v = () => new DataView(body.buffer);
  if (type === MSG.formatDataRequest) {
    body = new Uint8Array(4);
    v().setUint32(0, r.pick([CF_DIB, CF_DIBV5, r.int(20)]), true);
  } else if (type === MSG.formatList && r.int(2)) {
    body = concat([new Uint8Array(new Uint32Array([r.pick([CF_DIB, CF_DIBV5])]).buffer), new Uint8Array(4), r.bytes(r.int(12))]);
  } else if (type === MSG.formatDataResponse && r.int(2)) {
    body = new Uint8Array(124 + r.int(120));
    v().setUint32(0, r.pick([40, 108, 124, r.int(2000)]), true);
    v().setInt32(4, r.int(6) - 1, true);
    v().setInt32(8, r.int(6) - 3, true);
    v().setUint16(14, r.pick([1, 8, 16, 24, 32, r.int(64)]), true);
    v().setUint32(16, r.int(5), true);
  }
  const m = encodeMessage(type, r.int(3), body);
  if (r.int(4) === 0) m[4 + r.int(4)] = r.int(256); // a lying dataLen
  if (r.int(6) === 0) return m.subarray(0, r.int(m.length)); // truncated
  return m;
}

describe('RdpChannelFilter with malformed clipboard traffic', () => {
  it('never throws, whichever side sends it and however it is cut', () => {
    const r = prng(0x5eed);
    let thrown = 0;
    for (let round = 0; round < 3000; round++) {
      const filter = new RdpChannelFilter(new ClipboardBridge(true));
      filter.fromClient(new Uint8Array(connectInitial));
      filter.fromServer(new Uint8Array(connectResponse));
      const messages = conversation(r);
      for (let i = r.int(4); i > 0; i--) messages.splice(r.int(messages.length + 1), 0, [r.int(2) === 0, message(r)]);
      try {
        for (const [fromPage, m] of messages) {
          const frames = concat(encodeChannelMessage(fromPage ? 'client' : 'server', fromPage ? 1007 : 1002, 1005, m, r.pick([0, 0x10])));
          if (r.int(12) === 0) frames[4 + r.int(20)] = r.int(256); // a damaged frame header
          for (let at = 0; at < frames.length;) {
            const piece = frames.subarray(at, (at += 1 + r.int(400)));
            if (fromPage) filter.fromClient(piece);
            else filter.fromServer(piece);
          }
        }
      } catch {
        thrown++;
      }
    }
    expect(thrown).toBe(0);
  });
});
