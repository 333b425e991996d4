// The clipboard bitmap bridge between IronRDP's web client and CF_DIB-only servers (xrdp 0.9): the
// DIB conversions, the format-list and request rewriting, the retry as CF_DIB, and the whole filter
// on hand-built RDP frames. Peers that serve what they list (Windows) pass untouched.
import { describe, expect, it } from 'vitest';
import { RdpChannelFilter } from '../../../proxy/rdp/channel-filter.ts';
import { ClipboardBridge } from '../../../proxy/rdp/clipboard-bridge.ts';
import {
  CB_RESPONSE_FAIL, CB_RESPONSE_OK, CF_DIB, CF_DIBV5, MSG, appendFormat, dibToDibV5, dibV5ToDib, encodeMessage, readFormatList, readMessage,
} from '../../../proxy/rdp/cliprdr.ts';
import { concatBytes as concat } from '../../../proxy/rdp/der.ts';
import { encodeChannelMessage, readChannelFrame } from '../../../proxy/rdp/frames.ts';
import { connectInitial, connectResponse } from './rdp-frames.ts';

const u32 = (n: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b; };
const utf16z = (s: string) => new Uint8Array([...s].flatMap((c) => [c.charCodeAt(0), 0]).concat([0, 0]));
const longList = (formats: Array<[number, string]>) => concat(formats.flatMap(([id, name]) => [u32(id), utf16z(name)]));
const request = (format: number) => encodeMessage(MSG.formatDataRequest, 0, u32(format));
const response = (data: Uint8Array | null) => encodeMessage(MSG.formatDataResponse, data ? CB_RESPONSE_OK : CB_RESPONSE_FAIL, data ?? new Uint8Array(0));

/** A DIB: header of `size` bytes (40, 108 or 124) with 32-bit BI_RGB pixels `w`×`h`, each pixel BGRA = [i, i, i, alpha]. */
function dib(size: number, w: number, h: number, bits = 32, alpha = 0): Uint8Array {
  const stride = Math.ceil((w * bits) / 32) * 4;
  const b = new Uint8Array(size + stride * h);
  const v = new DataView(b.buffer);
  v.setUint32(0, size, true);
  v.setInt32(4, w, true);
  v.setInt32(8, h, true);
  v.setUint16(12, 1, true);
  v.setUint16(14, bits, true);
  v.setUint32(20, stride * h, true);
  for (let i = 0; i < w * h && bits === 32; i++) b.set([i, i, i, alpha], size + i * 4);
  return b;
}

describe('DIB conversions', () => {
  it('CF_DIBV5 (IronRDP) to CF_DIB with the pixels right after a 40-byte header, plus a tail', () => {
    const v5 = dib(124, 3, 2, 32, 0xff);
    const out = dibV5ToDib(v5, 14)!;
    const v = new DataView(out.buffer);
    expect(v.getUint32(0, true)).toBe(40);
    expect([v.getInt32(4, true), v.getInt32(8, true), v.getUint16(14, true), v.getUint32(16, true)]).toEqual([3, 2, 32, 0]);
    expect(out.subarray(40, 40 + 24)).toEqual(v5.subarray(124));
    expect(out.length).toBe(40 + 24 + 14);
    expect(out.subarray(64).every((x) => x === 0)).toBe(true);
  });

  it('CF_DIB (xrdp) to CF_DIBV5 in sRGB, making a 32-bit bitmap opaque', () => {
    const v1 = dib(40, 2, 2, 32, 0);
    const out = dibToDibV5(v1)!;
    const v = new DataView(out.buffer);
    expect(v.getUint32(0, true)).toBe(124);
    expect(v.getUint32(56, true)).toBe(0x73524742); // 'sRGB'
    expect([...out.subarray(124)]).toEqual([0, 0, 0, 255, 1, 1, 1, 255, 2, 2, 2, 255, 3, 3, 3, 255]);
    // 24-bit pixels are copied as they are.
    const rgb = dib(40, 3, 1, 24);
    rgb.fill(7, 40);
    expect(dibToDibV5(rgb)!.subarray(124)).toEqual(rgb.subarray(40));
  });

  it('refuses what neither side can draw: palettes, compression, foreign masks', () => {
    expect(dibToDibV5(dib(40, 4, 4, 8))).toBeUndefined();
    const rle = dib(40, 2, 2);
    new DataView(rle.buffer).setUint32(16, 1, true);
    expect(dibToDibV5(rle)).toBeUndefined();
    const masks = dib(124, 2, 2);
    new DataView(masks.buffer).setUint32(16, 3, true);
    new DataView(masks.buffer).setUint32(40, 0xff, true);
    expect(dibV5ToDib(masks)).toBeUndefined();
    expect(dibV5ToDib(dib(40, 2, 2))).toBeUndefined();
    expect(dibToDibV5(new Uint8Array(10))).toBeUndefined();
  });
});

describe('format lists', () => {
  it('are read in long and short form, and gain a format', () => {
    const list = longList([[CF_DIBV5, ''], [0xc003, 'PNG']]);
    expect(readFormatList(list, true)).toEqual([{ id: CF_DIBV5, name: '' }, { id: 0xc003, name: 'PNG' }]);
    expect(readFormatList(appendFormat(list, CF_DIB, true), true)?.map((f) => f.id)).toEqual([CF_DIBV5, 0xc003, CF_DIB]);
    const short = concat([u32(13), new Uint8Array(32)]);
    expect(readFormatList(appendFormat(short, CF_DIB, false), false)).toEqual([{ id: 13 }, { id: CF_DIB }]);
    expect(readFormatList(list.subarray(0, list.length - 1), true)).toBeUndefined();
  });
});

describe('ClipboardBridge', () => {
  const page = (b: ClipboardBridge, m: Uint8Array) => b.onMessage('client', m);
  const machine = (b: ClipboardBridge, m: Uint8Array) => b.onMessage('server', m);

  it('page → machine: CF_DIB joins the page’s list, and is served from the page’s CF_DIBV5', () => {
    const lines: string[] = [];
    const b = new ClipboardBridge(true, (l) => lines.push(l));
    const list = page(b, encodeMessage(MSG.formatList, 0, longList([[CF_DIBV5, ''], [0xc003, 'PNG'], [0xc004, 'image/png']])));
    expect(readFormatList(readMessage(list.replace!)!.data, true)?.map((f) => f.id)).toEqual([CF_DIBV5, 0xc003, 0xc004, CF_DIB]);
    const asked = machine(b, request(CF_DIB));
    expect(readMessage(asked.replace!)!.data).toEqual(u32(CF_DIBV5));
    const answer = page(b, response(dib(124, 2, 2, 32, 0xff)));
    const converted = readMessage(answer.replace!)!;
    expect(converted.flags).toBe(CB_RESPONSE_OK);
    expect(new DataView(converted.data.buffer, converted.data.byteOffset).getUint32(0, true)).toBe(40);
    // Text requests are the page's business.
    expect(machine(b, request(13))).toEqual({});
    expect(page(b, response(new Uint8Array([104, 0, 0, 0])))).toEqual({});
    expect(lines.join('\n')).toContain('formatDataRequest format=0x8');
    expect(lines.join('\n')).not.toMatch(/\b104\b/);
  });

  it('machine → page: a refused CF_DIBV5 is asked again as CF_DIB and answered as CF_DIBV5', () => {
    const b = new ClipboardBridge(true);
    // xrdp 0.9.21's list for a bitmap (clipboard_send_format_announce, XRDP_CB_BITMAP).
    expect(machine(b, encodeMessage(MSG.formatList, 0, longList([[0xc004, 'Native'], [3, ''], [CF_DIB, ''], [CF_DIBV5, '']])))).toEqual({});
    expect(page(b, request(CF_DIBV5))).toEqual({});
    const refused = machine(b, response(null));
    expect(refused.replace).toBeNull();
    expect(readMessage(refused.reply!)).toMatchObject({ type: MSG.formatDataRequest, data: u32(CF_DIB) });
    const answer = machine(b, response(dib(40, 2, 2, 24)));
    expect(new DataView(readMessage(answer.replace!)!.data.buffer).getUint32(8, true)).toBe(124);
    // An answer that cannot be converted becomes a refusal, never garbage.
    page(b, request(CF_DIBV5));
    machine(b, response(null));
    expect(readMessage(machine(b, response(dib(40, 4, 4, 8))).replace!)!.flags).toBe(CB_RESPONSE_FAIL);
  });

  it('leaves a server that serves what it lists alone, and does nothing when turned off', () => {
    const b = new ClipboardBridge(true);
    machine(b, encodeMessage(MSG.formatList, 0, longList([[CF_DIB, ''], [CF_DIBV5, '']])));
    page(b, request(CF_DIBV5));
    expect(machine(b, response(dib(124, 1, 1)))).toEqual({});
    const off = new ClipboardBridge(false);
    expect(page(off, encodeMessage(MSG.formatList, 0, longList([[CF_DIBV5, '']])))).toEqual({});
    expect(machine(off, request(CF_DIB))).toEqual({});
  });
});

describe('RdpChannelFilter', () => {
  it('finds CLIPRDR from the connect frames and rewrites its chunked messages on the wire', () => {
    const lines: string[] = [];
    const f = new RdpChannelFilter(new ClipboardBridge(true, (l) => lines.push(l)), (l) => lines.push(l));
    expect(f.fromClient(new Uint8Array(connectInitial)).forward).toHaveLength(1);
    expect(f.fromServer(new Uint8Array(connectResponse)).forward).toHaveLength(1);
    expect(lines).toContain('rdp channels: cliprdr is MCS channel 1005');

    // The page offers an image; its list reaches the machine with CF_DIB added.
    const list = encodeMessage(MSG.formatList, 0, longList([[CF_DIBV5, ''], [0xc003, 'PNG']]));
    const out = f.fromClient(concat(encodeChannelMessage('client', 1007, 1005, list, 0x10)));
    const sent = readChannelFrame(concat(out.forward))!;
    expect(sent).toMatchObject({ channelId: 1005, initiator: 1007, flags: 0x13 });
    expect(readFormatList(readMessage(sent.chunk)!.data, true)?.map((x) => x.id)).toEqual([CF_DIBV5, 0xc003, CF_DIB]);

    // A large bitmap in many chunks, cut into odd pieces on the way: converted once it is whole.
    f.fromServer(concat(encodeChannelMessage('server', 1002, 1005, request(CF_DIB), 0)));
    const big = dib(124, 100, 50, 32, 0xff);
    const frames = concat(encodeChannelMessage('client', 1007, 1005, response(big), 0x10));
    const forwarded: Uint8Array[] = [];
    for (let at = 0; at < frames.length; at += 999) forwarded.push(...f.fromClient(frames.subarray(at, at + 999)).forward);
    const chunks: Uint8Array[] = [];
    for (let at = 0, all = concat(forwarded); at < all.length;) {
      const len = (all[at + 2] << 8) | all[at + 3];
      chunks.push(readChannelFrame(all.subarray(at, at + len))!.chunk);
      at += len;
    }
    const msg = readMessage(concat(chunks))!;
    expect(new DataView(msg.data.buffer, msg.data.byteOffset).getUint32(0, true)).toBe(40);
    expect(msg.data.subarray(40, 40 + 20000)).toEqual(big.subarray(124));

    // Other channels and fast-path frames pass as they came.
    const other = new Uint8Array([0x00, 0x05, 1, 2, 3]);
    expect(f.fromServer(other).forward).toEqual([other]);
  });
});
