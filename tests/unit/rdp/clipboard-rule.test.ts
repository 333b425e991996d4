// A link's clipboard rule on RDP's clipboard channel: the guard's verdict on each CLIPRDR message, and
// the whole filter on hand-built frames, where content must not cross a forbidden way even when the
// page (or the machine) sends what it should not, or sends it malformed.
import { describe, expect, it } from 'vitest';
import { ClipboardRuleUnenforceable, RdpChannelFilter } from '../../../proxy/rdp/channel-filter.ts';
import { ClipboardBridge } from '../../../proxy/rdp/clipboard-bridge.ts';
import { ClipboardRuleGuard, type ClipboardWays } from '../../../proxy/rdp/clipboard-rule.ts';
import { CB_RESPONSE_FAIL, CB_RESPONSE_OK, CF_DIB, CF_DIBV5, MSG, encodeMessage, readMessage } from '../../../proxy/rdp/cliprdr.ts';
import { concatBytes as concat } from '../../../proxy/rdp/der.ts';
import {
  CHANNEL_FLAG_FIRST, CHANNEL_FLAG_LAST, CHANNEL_PACKET_COMPRESSED, encodeChannelMessage, readChannelFrame,
} from '../../../proxy/rdp/frames.ts';
import { caps, clipboardChannel, messages, u32, utf16z } from './cliprdr-session.ts';
import { connectInitial, connectResponse, x224 } from './rdp-frames.ts';

const CF_UNICODETEXT = 13;
const list = (ids: number[]) => encodeMessage(MSG.formatList, 0, concat(ids.flatMap((id) => [u32(id), new Uint8Array(2)])));
const request = (format: number) => encodeMessage(MSG.formatDataRequest, 0, u32(format));
const ok = (data: Uint8Array) => encodeMessage(MSG.formatDataResponse, CB_RESPONSE_OK, data);
const SECRET = utf16z('hunter2-secret');

const WAYS: Record<string, ClipboardWays> = {
  off: { to: false, from: false },
  'to-machine': { to: true, from: false },
  'from-machine': { to: false, from: true },
};

describe('ClipboardRuleGuard', () => {
  it('has nothing to do when both ways are open', () => {
    const g = new ClipboardRuleGuard({ to: true, from: true });
    expect(g.narrows).toBe(false);
    expect(g.judge('client', list([CF_UNICODETEXT]))).toBeUndefined();
    expect(g.judge('server', new Uint8Array([1, 2, 3]))).toBeUndefined();
  });

  it('off: holds back both lists, answering each sender with a Format List Response', () => {
    const seen: string[] = [];
    const g = new ClipboardRuleGuard(WAYS.off, (way, m) => seen.push(`${way} ${m}`));
    for (const side of ['client', 'server'] as const) {
      const action = g.judge(side, list([CF_UNICODETEXT]))!;
      expect(action.replace).toBeNull();
      expect(readMessage(action.reply!)).toMatchObject({ type: MSG.formatListResponse, flags: CB_RESPONSE_OK });
    }
    expect(seen).toEqual(['to formatList', 'from formatList']);
  });

  it('off: requests are answered with a failure, responses with content are dropped', () => {
    const g = new ClipboardRuleGuard(WAYS.off);
    for (const side of ['client', 'server'] as const) {
      const asked = g.judge(side, request(CF_UNICODETEXT))!;
      expect(asked.replace).toBeNull();
      expect(readMessage(asked.reply!)).toMatchObject({ type: MSG.formatDataResponse, flags: CB_RESPONSE_FAIL, data: new Uint8Array(0) });
      expect(g.judge(side, ok(SECRET))).toEqual({ replace: null });
      expect(g.judge(side, encodeMessage(MSG.fileContentsResponse, CB_RESPONSE_OK, concat([u32(7), SECRET])))).toEqual({ replace: null });
      const files = g.judge(side, encodeMessage(MSG.fileContentsRequest, 0, concat([u32(7), u32(0), u32(2), u32(0), u32(0), u32(100)])))!;
      expect(readMessage(files.reply!)).toMatchObject({ type: MSG.fileContentsResponse, flags: CB_RESPONSE_FAIL, data: u32(7) });
    }
  });

  it('lets the set-up messages and content-free messages pass', () => {
    const g = new ClipboardRuleGuard(WAYS.off);
    expect(g.judge('server', caps)).toBeUndefined();
    expect(g.judge('client', caps)).toBeUndefined();
    expect(g.judge('server', encodeMessage(MSG.monitorReady, 0, new Uint8Array(0)))).toBeUndefined();
    expect(g.judge('client', encodeMessage(MSG.tempDirectory, 0, new Uint8Array(520)))).toBeUndefined();
    expect(g.judge('client', encodeMessage(MSG.lockClipData, 0, u32(1)))).toBeUndefined();
  });

  it('to-machine: the page may paste, the machine may not be copied from', () => {
    const g = new ClipboardRuleGuard(WAYS['to-machine']);
    // page → machine, allowed
    expect(g.judge('client', list([CF_UNICODETEXT]))).toBeUndefined();
    expect(g.judge('server', request(CF_UNICODETEXT))).toBeUndefined();
    expect(g.judge('client', ok(SECRET))).toBeUndefined();
    expect(g.judge('server', encodeMessage(MSG.formatListResponse, CB_RESPONSE_OK, new Uint8Array(0)))).toBeUndefined();
    // machine → page, refused
    expect(g.judge('server', list([CF_UNICODETEXT]))?.replace).toBeNull();
    expect(g.judge('client', request(CF_UNICODETEXT))?.replace).toBeNull();
    expect(g.judge('server', ok(SECRET))).toEqual({ replace: null });
    // The page answering a list it never saw is held back too.
    expect(g.judge('client', encodeMessage(MSG.formatListResponse, CB_RESPONSE_OK, new Uint8Array(0)))).toEqual({ replace: null });
  });

  it('from-machine: the machine may be copied from, the page may not paste', () => {
    const g = new ClipboardRuleGuard(WAYS['from-machine']);
    expect(g.judge('server', list([CF_UNICODETEXT]))).toBeUndefined();
    expect(g.judge('client', request(CF_UNICODETEXT))).toBeUndefined();
    expect(g.judge('server', ok(SECRET))).toBeUndefined();
    expect(g.judge('client', list([CF_UNICODETEXT]))?.replace).toBeNull();
    expect(g.judge('server', request(CF_UNICODETEXT))?.replace).toBeNull();
    // Unasked-for content from the page (no request ever reached it) still does not cross.
    expect(g.judge('client', ok(SECRET))).toEqual({ replace: null });
  });

  it('drops what it cannot read or does not know, under any narrowing rule', () => {
    for (const ways of Object.values(WAYS)) {
      const g = new ClipboardRuleGuard(ways);
      for (const side of ['client', 'server'] as const) {
        expect(g.judge(side, new Uint8Array(0))).toEqual({ replace: null });
        expect(g.judge(side, new Uint8Array([5, 0, 1, 0]))).toEqual({ replace: null });
        // A header that claims more data than there is.
        const short = ok(SECRET).subarray(0, 12);
        expect(g.judge(side, short)).toEqual({ replace: null });
        expect(g.judge(side, encodeMessage(0x63, 0, SECRET))).toEqual({ replace: null });
      }
    }
  });
});

/** A filter that has seen the connect frames and the CLIPRDR start, with the guard's blocked messages. */
function session(ways: ClipboardWays) {
  const blocked: string[] = [];
  const guard = new ClipboardRuleGuard(ways, (way, m) => blocked.push(`${way} ${m}`));
  return { blocked, ...clipboardChannel(guard) };
}


/** Whether `needle` occurs in any of `frames` (content must never leak, in any framing). */
const carries = (frames: Uint8Array[], needle: Uint8Array) => {
  const hay = concat(frames);
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
};

describe('RdpChannelFilter with a clipboard rule', () => {
  it('off: a page that offers and pushes text reaches nothing; it is answered so it never waits', () => {
    const s = session(WAYS.off);
    const offered = s.fromClient(list([CF_UNICODETEXT]));
    expect(offered.forward).toEqual([]);
    expect(messages(offered.back)).toMatchObject([{ type: MSG.formatListResponse, flags: CB_RESPONSE_OK }]);
    // The answer to the page is written as the machine writes (SDin, its initiator).
    expect(readChannelFrame(offered.back[0])).toMatchObject({ channelId: 1005, initiator: 1002 });
    const pushed = s.fromClient(ok(SECRET));
    expect(carries(pushed.forward, SECRET)).toBe(false);
    expect(pushed.forward).toEqual([]);
    // The machine's offer and content do not reach the page either.
    const machine = s.fromServer(list([CF_UNICODETEXT]));
    expect(machine.forward).toEqual([]);
    expect(messages(machine.back)).toMatchObject([{ type: MSG.formatListResponse }]);
    expect(readChannelFrame(machine.back[0])).toMatchObject({ initiator: 1007 });
    const asked = s.fromClient(request(CF_UNICODETEXT));
    expect(asked.forward).toEqual([]);
    expect(messages(asked.back)).toMatchObject([{ type: MSG.formatDataResponse, flags: CB_RESPONSE_FAIL }]);
    expect(s.fromServer(ok(SECRET)).forward).toEqual([]);
    expect(s.blocked).toEqual(['to formatList', 'to formatDataResponse', 'from formatList', 'from formatDataRequest', 'from formatDataResponse']);
  });

  it('from-machine: the machine’s text reaches the page; the page’s text never reaches the machine', () => {
    const s = session(WAYS['from-machine']);
    const machineList = s.fromServer(list([CF_UNICODETEXT]));
    expect(messages(machineList.forward)).toMatchObject([{ type: MSG.formatList }]);
    expect(messages(s.fromClient(request(CF_UNICODETEXT)).forward)).toMatchObject([{ type: MSG.formatDataRequest }]);
    const copied = s.fromServer(ok(SECRET));
    expect(carries(copied.forward, SECRET)).toBe(true);
    // The page offers, the machine asks anyway (it never saw the list): answered with a failure.
    expect(s.fromClient(list([CF_UNICODETEXT])).forward).toEqual([]);
    const asked = s.fromServer(request(CF_UNICODETEXT));
    expect(asked.forward).toEqual([]);
    expect(messages(asked.back)).toMatchObject([{ type: MSG.formatDataResponse, flags: CB_RESPONSE_FAIL }]);
    expect(carries(s.fromClient(ok(SECRET)).forward, SECRET)).toBe(false);
  });

  it('to-machine: a bitmap paste still goes through the CF_DIB bridge; copies out do not', () => {
    const s = session(WAYS['to-machine']);
    const offered = s.fromClient(list([CF_DIBV5]));
    expect(messages(offered.forward)[0]).toMatchObject({ type: MSG.formatList });
    const asked = s.fromServer(request(CF_DIB));
    expect(messages(asked.forward)[0]!.data).toEqual(u32(CF_DIBV5)); // rewritten by the bridge
    expect(s.fromServer(list([CF_UNICODETEXT])).forward).toEqual([]);
    expect(s.fromServer(ok(SECRET)).forward).toEqual([]);
  });

  it('drops malformed, torn, compressed and orphan chunks instead of passing them', () => {
    const s = session(WAYS.off);
    const secretMsg = ok(SECRET);
    // An orphan chunk (no FIRST flag) and a chunk marked compressed.
    const orphan = encodeChannelMessage('client', 1007, 1005, secretMsg, 0x10)[0];
    new DataView(orphan.buffer).setUint32(orphan.length - secretMsg.length - 4, 0x10 | CHANNEL_FLAG_LAST, true);
    expect(s.f.fromClient(orphan).forward).toEqual([]);
    const compressed = concat(encodeChannelMessage('client', 1007, 1005, secretMsg, 0x10 | CHANNEL_PACKET_COMPRESSED));
    expect(s.f.fromClient(compressed).forward).toEqual([]);
    // A message whose chunks add up to less than it declared.
    const torn = encodeChannelMessage('client', 1007, 1005, secretMsg, 0x10)[0];
    new DataView(torn.buffer).setUint32(torn.length - secretMsg.length - 8, secretMsg.length + 50, true);
    expect(s.f.fromClient(torn).forward).toEqual([]);
    // A FIRST chunk then a new FIRST chunk: the unfinished one is dropped, not forwarded.
    const first = concat(encodeChannelMessage('client', 1007, 1005, secretMsg, 0x10));
    new DataView(first.buffer).setUint32(first.length - secretMsg.length - 4, 0x10 | CHANNEL_FLAG_FIRST, true);
    expect(s.f.fromClient(first).forward).toEqual([]);
    expect(s.f.fromClient(concat(encodeChannelMessage('client', 1007, 1005, caps, 0x10))).forward).toHaveLength(1);
    // An unreadable CLIPRDR header, and a header that claims more than it carries.
    expect(s.fromClient(new Uint8Array([2, 0])).forward).toEqual([]);
    expect(s.fromClient(secretMsg.subarray(0, 20)).forward).toEqual([]);
    // Other channels and fast-path frames still pass as they came.
    const other = new Uint8Array([0x00, 0x05, 1, 2, 3]);
    expect(s.f.fromServer(other).forward).toEqual([other]);
  });

  it('random garbage on the clipboard channel never throws and never carries the secret across', () => {
    let x = 12345;
    const rand = (n: number) => {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      return (x >>> 0) % n;
    };
    for (let round = 0; round < 300; round++) {
      const s = session(WAYS.off);
      const base = [ok(SECRET), list([CF_UNICODETEXT]), request(CF_UNICODETEXT), encodeMessage(MSG.fileContentsResponse, 1, concat([u32(1), SECRET]))][rand(4)];
      const m = base.slice();
      for (let k = rand(4); k > 0; k--) m[rand(8)] = rand(256); // corrupt the header only: the secret stays intact
      const frames = concat(encodeChannelMessage('client', 1007, 1005, m, 0x10 | (rand(4) === 0 ? CHANNEL_PACKET_COMPRESSED : 0)));
      const forwarded: Uint8Array[] = [];
      for (let at = 0; at < frames.length;) {
        const n = 1 + rand(40);
        forwarded.push(...s.f.fromClient(frames.subarray(at, at + n)).forward);
        at += n;
      }
      // Whatever crossed is one of the content-free messages (a corrupted type may turn into one),
      // never a list, a request or a response that the machine would take as clipboard content.
      for (const m of forwarded.length ? messages(forwarded) : []) {
        expect([MSG.clipCaps, MSG.monitorReady, MSG.tempDirectory, MSG.lockClipData, MSG.unlockClipData]).toContain(m?.type);
      }
      if (forwarded.length === 0) expect(carries(forwarded, SECRET)).toBe(false);
    }
  });

  it('ends the connection rather than pass a stream it cannot follow', () => {
    const s = session(WAYS.off);
    expect(() => s.f.fromClient(new Uint8Array([0x07, 1, 2, 3, 4, 5]))).toThrow(ClipboardRuleUnenforceable);
    // Without a rule the same stream passes through unread (as before).
    const plain = new RdpChannelFilter(new ClipboardBridge(true));
    plain.fromClient(new Uint8Array(connectInitial));
    plain.fromServer(new Uint8Array(connectResponse));
    expect(plain.fromClient(new Uint8Array([0x07, 1, 2, 3, 4, 5])).forward).toHaveLength(1);
  });

  it('ends the connection when the page names a clipboard channel the proxy cannot place', () => {
    const f = new RdpChannelFilter(new ClipboardBridge(true), undefined, new ClipboardRuleGuard(WAYS.off));
    // Connect Initial-shaped, 'CLIPRDR' in it, but no Client Network Data block the proxy can read.
    const odd = new Uint8Array(x224([0x7f, 0x65, 0x82, 0x00, 0x00, ...[...'Duca'].map((c) => c.charCodeAt(0)), 0x0c, ...[...'CLIPRDR'].map((c) => c.charCodeAt(0)), 0, 0, 0, 0, 0]));
    expect(() => f.fromClient(odd)).toThrow(ClipboardRuleUnenforceable);
    // A connect without any clipboard channel is fine.
    const none = new RdpChannelFilter(new ClipboardBridge(true), undefined, new ClipboardRuleGuard(WAYS.off));
    expect(none.fromClient(new Uint8Array(x224([0x7f, 0x65, 0x82, 0x00, 0x00]))).forward).toHaveLength(1);
  });
});
