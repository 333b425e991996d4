// Splitting the relayed RDP stream into frames: everything passes through byte for byte, except the
// frames of the channels asked for, which come out whole however the stream was cut.
import { describe, expect, it } from 'vitest';
import {
  CHANNEL_FLAG_FIRST, CHANNEL_FLAG_LAST, CHUNK_LENGTH, FrameSplitter, encodeChannelMessage, readChannelFrame,
} from '../../../proxy/rdp/frames.ts';
import { clientChannelNames, serverChannelIds } from '../../../proxy/rdp/gcc.ts';
import { connectInitial, connectResponse, fastPath, x224 } from './rdp-frames.ts';
import { concatBytes as concat } from '../../../proxy/rdp/der.ts';

/** Feeds `bytes` cut at `cuts` and collects what comes out: passed bytes and held frames, in order. */
function run(splitter: FrameSplitter, bytes: number[], cuts: number[]) {
  const parts: Uint8Array[] = [];
  let last = 0;
  for (const c of [...cuts, bytes.length]) {
    parts.push(new Uint8Array(bytes.slice(last, c)));
    last = c;
  }
  const passed: number[] = [];
  const held: Uint8Array[] = [];
  const order: Array<'pass' | 'held'> = [];
  for (const p of parts) {
    for (const item of splitter.push(p)) {
      if (item instanceof Uint8Array) {
        passed.push(...item);
        order.push('pass');
      } else {
        held.push(item.frame);
        order.push('held');
      }
    }
  }
  return { passed, held, order };
}

describe('FrameSplitter', () => {
  const clip = encodeChannelMessage('server', 1002, 1005, new Uint8Array([2, 0, 0, 0, 4, 0, 0, 0, 13, 0, 0, 0]), 0)[0];
  const stream = [...connectResponse, ...fastPath([1, 2, 3, 4, 5]), ...clip, ...x224([0x68, 0, 1, 0x03, 0xeb, 0x70, 3, 9, 9, 9]), ...fastPath([7])];

  it('holds the first TPKT and the frames of the channels asked for, and passes the rest untouched', () => {
    const s = new FrameSplitter('server', (what) => what === 'connect' || what === 1005);
    const { passed, held } = run(s, stream, []);
    expect(held.map((f) => [...f])).toEqual([connectResponse, [...clip]]);
    expect(passed).toEqual([...fastPath([1, 2, 3, 4, 5]), ...x224([0x68, 0, 1, 0x03, 0xeb, 0x70, 3, 9, 9, 9]), ...fastPath([7])]);
    expect(s.broken).toBe(false);
  });

  it('gives the same frames wherever the stream is cut, even inside a header', () => {
    for (let cut = 1; cut < stream.length; cut++) {
      const s = new FrameSplitter('server', (what) => what === 'connect' || what === 1005);
      const { passed, held } = run(s, stream, [cut, Math.min(stream.length, cut + 3)]);
      expect(held.map((f) => [...f]), `cut at ${cut}`).toEqual([connectResponse, [...clip]]);
      expect(passed.length).toBe(stream.length - connectResponse.length - clip.length);
    }
  });

  it('passes a chunk with no held frame through as the very same bytes', () => {
    const s = new FrameSplitter('server', () => false);
    s.push(new Uint8Array(connectResponse));
    const chunk = new Uint8Array([...fastPath([1, 2]), ...fastPath([3])]);
    const out = s.push(chunk);
    expect(out).toHaveLength(1);
    expect(out[0]).toBeInstanceOf(Uint8Array);
    expect((out[0] as Uint8Array).buffer).toBe(chunk.buffer);
  });

  it('reads CredSSP before the first TPKT, and stops looking at a stream it does not understand', () => {
    const s = new FrameSplitter('client', () => true);
    const tsRequest = [0x30, 0x03, 0x02, 0x01, 0x06];
    const { passed, held } = run(s, [...tsRequest, ...connectInitial, 0xff, 0x01, 0x02, ...clip], [2]);
    expect(held.map((f) => [...f])).toEqual([connectInitial]);
    expect(s.broken).toBe(true);
    expect(passed).toEqual([...tsRequest, 0xff, 0x01, 0x02, ...clip]);
  });

  it('knows the Early User Authorization Result a server sends after CredSSP (HYBRID_EX)', () => {
    const s = new FrameSplitter('server', (what) => what === 'connect');
    const tsRequest = [0x30, 0x03, 0x02, 0x01, 0x06];
    const { passed, held } = run(s, [...tsRequest, 0, 0, 0, 0, ...connectResponse], [6]);
    expect(held.map((f) => [...f])).toEqual([connectResponse]);
    expect(passed).toEqual([...tsRequest, 0, 0, 0, 0]);
    expect(s.broken).toBe(false);
  });
});

describe('channel frames', () => {
  it('cut a long message into chunks of 1600 bytes, first and last flagged, and read back', () => {
    const data = new Uint8Array(CHUNK_LENGTH * 2 + 10).map((_, i) => i & 0xff);
    const frames = encodeChannelMessage('client', 1007, 1004, data, 0x10);
    expect(frames).toHaveLength(3);
    const read = frames.map((f) => readChannelFrame(f)!);
    expect(read.map((r) => r.flags)).toEqual([0x10 | CHANNEL_FLAG_FIRST, 0x10, 0x10 | CHANNEL_FLAG_LAST]);
    expect(read.every((r) => r.channelId === 1004 && r.initiator === 1007 && r.totalLength === data.length)).toBe(true);
    expect(concat(read.map((r) => r.chunk))).toEqual(data);
    expect(frames[0][7]).toBe(0x64); // Send Data Request
    expect(encodeChannelMessage('server', 1002, 1004, data, 0)[0][7]).toBe(0x68); // Send Data Indication
  });

  it('refuse a frame whose lengths disagree', () => {
    const f = encodeChannelMessage('client', 1007, 1004, new Uint8Array(20), 0)[0];
    expect(readChannelFrame(f.subarray(0, f.length - 1))).toBeUndefined();
  });
});

describe('GCC channel list', () => {
  it('pairs the client’s channel names with the server’s ids', () => {
    expect(clientChannelNames(new Uint8Array(connectInitial))).toEqual(['rdpsnd', 'cliprdr', 'drdynvc']);
    expect(serverChannelIds(new Uint8Array(connectResponse))).toEqual([1004, 1005, 1006]);
    expect(clientChannelNames(new Uint8Array(connectResponse))).toBeUndefined();
    expect(serverChannelIds(new Uint8Array(x224([0x7f, 0x66, 0x00])))).toBeUndefined();
  });
});
