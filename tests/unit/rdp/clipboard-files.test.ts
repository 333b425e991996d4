// Files on RDP's clipboard channel: the link's file-transfer rule held by the proxy (file formats
// taken out of a list, requests for file lists and file contents failed, file bytes dropped, each in
// the forbidden way only), the files and bytes counted each way for the audit, and malformed
// CLIPRDR file messages (truncated, lengths past the end) that must neither crash nor count.
import { describe, expect, it } from 'vitest';
import { ClipboardFileCount } from '../../../proxy/rdp/clipboard-files.ts';
import { ClipboardRuleGuard, type ClipboardWays } from '../../../proxy/rdp/clipboard-rule.ts';
import {
  CB_ASCII_NAMES, CB_RESPONSE_FAIL, CB_RESPONSE_OK, MSG, encodeMessage, isFileFormat, readFileContentsRequest, readFileContentsResponse,
  readFormatList, readMessage, withoutFileFormats,
} from '../../../proxy/rdp/cliprdr.ts';
import { concatBytes as concat } from '../../../proxy/rdp/der.ts';
import { caps, clipboardChannel, messages, u32, utf16z } from './cliprdr-session.ts';

const CF_UNICODETEXT = 13;
const FILE_LIST = 0xc0bc; // as xrdp and Windows register "FileGroupDescriptorW": any id ≥ 0xC000
const FILE_CONTENTS = 0xc0bd;
const longEntry = (id: number, name = '') => concat([u32(id), utf16z(name)]);
const shortEntry = (id: number, name: string, ascii: boolean) => {
  const field = new Uint8Array(32);
  field.set(ascii ? [...name].map((c) => c.charCodeAt(0)) : utf16z(name).subarray(0, 32).slice(0, Math.min(32, name.length * 2)));
  return concat([u32(id), field]);
};
const filesList = () => encodeMessage(MSG.formatList, 0, concat([
  longEntry(CF_UNICODETEXT), longEntry(FILE_LIST, 'FileGroupDescriptorW'), longEntry(FILE_CONTENTS, 'FileContents'),
]));
const SIZE = 1;
const RANGE = 2;
const contentsRequest = (streamId: number, index: number, flags: number, size: number) =>
  encodeMessage(MSG.fileContentsRequest, 0, concat([u32(streamId), u32(index), u32(flags), u32(0), u32(0), u32(size), u32(0)]));
const contentsResponse = (streamId: number, data: Uint8Array, flags = CB_RESPONSE_OK) => encodeMessage(MSG.fileContentsResponse, flags, concat([u32(streamId), data]));
const FILE_BYTES = new TextEncoder().encode('payroll.csv contents');

const UPLOAD_ONLY: ClipboardWays = { to: true, from: false };
const DOWNLOAD_ONLY: ClipboardWays = { to: false, from: true };
const BOTH: ClipboardWays = { to: true, from: true };

describe('file formats and file messages in cliprdr.ts', () => {
  it('knows file formats by name, in long and in short (ASCII or cut UTF-16) lists', () => {
    expect(isFileFormat({ id: FILE_LIST, name: 'FileGroupDescriptorW' })).toBe(true);
    expect(isFileFormat({ id: 0xc001, name: 'FileContents' })).toBe(true);
    expect(isFileFormat({ id: 15 })).toBe(true);
    expect(isFileFormat({ id: CF_UNICODETEXT })).toBe(false);
    expect(isFileFormat({ id: 0xc002, name: 'HTML Format' })).toBe(false);
    for (const ascii of [true, false]) {
      const data = concat([shortEntry(CF_UNICODETEXT, '', ascii), shortEntry(FILE_LIST, 'FileGroupDescriptorW', ascii)]);
      expect(readFormatList(data, false, ascii)!.map(isFileFormat)).toEqual([false, true]);
      const kept = withoutFileFormats(data, false, ascii)!;
      expect(kept.removed).toEqual([FILE_LIST]);
      expect(readFormatList(kept.data, false, ascii)!.map((f) => f.id)).toEqual([CF_UNICODETEXT]);
    }
  });

  it('takes file formats out of a long-name list and keeps the rest byte for byte', () => {
    const msg = readMessage(filesList())!;
    const kept = withoutFileFormats(msg.data, true, false)!;
    expect(kept.removed).toEqual([FILE_LIST, FILE_CONTENTS]);
    expect(kept.data).toEqual(longEntry(CF_UNICODETEXT));
    // A list without files comes back as it was; a list that does not parse gives undefined.
    expect(withoutFileFormats(longEntry(CF_UNICODETEXT), true, false)).toEqual({ data: longEntry(CF_UNICODETEXT), removed: [] });
    expect(withoutFileFormats(concat([u32(FILE_LIST), new Uint8Array([0x46, 0, 0x69])]), true, false)).toBeUndefined();
  });

  it('reads File Contents Requests and Responses, and refuses ones too short to hold their fields', () => {
    expect(readFileContentsRequest(readMessage(contentsRequest(9, 2, RANGE, 4096))!.data)).toEqual({ streamId: 9, index: 2, flags: RANGE, size: 4096 });
    expect(readFileContentsRequest(new Uint8Array(23))).toBeUndefined();
    expect(readFileContentsResponse(concat([u32(9), FILE_BYTES]))).toEqual({ streamId: 9, length: FILE_BYTES.length });
    expect(readFileContentsResponse(new Uint8Array(3))).toBeUndefined();
  });
});

describe('the file-transfer rule in ClipboardRuleGuard', () => {
  const guard = (files: ClipboardWays, clipboard: ClipboardWays = BOTH) => {
    const blocked: string[] = [];
    const g = new ClipboardRuleGuard(clipboard, (way, m, rule) => blocked.push(`${rule} ${way} ${m}`), files);
    g.judge('server', caps);
    g.judge('client', caps);
    return { g, blocked };
  };

  it('narrows when files are held either way, even with the clipboard open both ways', () => {
    expect(new ClipboardRuleGuard(BOTH, undefined, BOTH).narrows).toBe(false);
    expect(new ClipboardRuleGuard(BOTH, undefined, UPLOAD_ONLY).narrows).toBe(true);
  });

  it('upload only: the machine\'s list loses its file formats, and everything asking for its files fails', () => {
    const { g, blocked } = guard(UPLOAD_ONLY);
    const listed = g.judge('server', filesList())!;
    expect(readFormatList(readMessage(listed.replace!)!.data, true)!.map((f) => f.id)).toEqual([CF_UNICODETEXT]);
    expect(listed.reply).toBeUndefined();
    // Text still crosses from the machine.
    expect(g.judge('client', encodeMessage(MSG.formatDataRequest, 0, u32(CF_UNICODETEXT)))).toBeUndefined();
    // A page that asks for the file list anyway (it was taken out) gets a failure, and the machine never hears it.
    const askList = g.judge('client', encodeMessage(MSG.formatDataRequest, 0, u32(FILE_LIST)))!;
    expect(askList.replace).toBeNull();
    expect(readMessage(askList.reply!)).toMatchObject({ type: MSG.formatDataResponse, flags: CB_RESPONSE_FAIL });
    const askContents = g.judge('client', contentsRequest(5, 0, RANGE, 100))!;
    expect(askContents.replace).toBeNull();
    expect(readMessage(askContents.reply!)).toMatchObject({ type: MSG.fileContentsResponse, flags: CB_RESPONSE_FAIL, data: u32(5) });
    expect(g.judge('server', contentsResponse(5, FILE_BYTES))).toEqual({ replace: null });
    expect(blocked).toEqual([
      'fileTransfer from file formats in a formatList', 'fileTransfer from formatDataRequest for a file list',
      'fileTransfer from fileContentsRequest', 'fileTransfer from fileContentsResponse',
    ]);
    // The other way is open: the page's files cross untouched.
    expect(g.judge('client', filesList())).toBeUndefined();
    expect(g.judge('server', encodeMessage(MSG.formatDataRequest, 0, u32(FILE_LIST)))).toBeUndefined();
    expect(g.judge('server', contentsRequest(6, 0, RANGE, 100))).toBeUndefined();
    expect(g.judge('client', contentsResponse(6, FILE_BYTES))).toBeUndefined();
  });

  it('download only: the page\'s files are held, the machine\'s cross', () => {
    const { g } = guard(DOWNLOAD_ONLY);
    expect(readFormatList(readMessage(g.judge('client', filesList())!.replace!)!.data, true)!.map((f) => f.id)).toEqual([CF_UNICODETEXT]);
    expect(g.judge('server', contentsRequest(1, 0, RANGE, 10))!.replace).toBeNull();
    expect(g.judge('client', contentsResponse(1, FILE_BYTES))).toEqual({ replace: null });
    expect(g.judge('server', filesList())).toBeUndefined();
    expect(g.judge('client', contentsRequest(2, 0, SIZE, 8))).toBeUndefined();
  });

  it('a list it cannot read is held back under the file rule (answered, so the sender is not left waiting)', () => {
    const { g, blocked } = guard(UPLOAD_ONLY);
    const torn = encodeMessage(MSG.formatList, 0, concat([u32(FILE_LIST), new Uint8Array([0x46, 0, 0x69])]));
    const action = g.judge('server', torn)!;
    expect(action.replace).toBeNull();
    expect(readMessage(action.reply!)).toMatchObject({ type: MSG.formatListResponse, flags: CB_RESPONSE_OK });
    expect(blocked).toEqual(['fileTransfer from unreadable formatList']);
  });

  it('a short-name ASCII list loses its file format too', () => {
    const g2 = new ClipboardRuleGuard(BOTH, undefined, UPLOAD_ONLY);
    const shortCaps = encodeMessage(MSG.clipCaps, 0, concat([new Uint8Array([1, 0, 0, 0, 1, 0, 12, 0]), u32(2), u32(0)]));
    g2.judge('server', shortCaps);
    g2.judge('client', shortCaps);
    const list = encodeMessage(MSG.formatList, CB_ASCII_NAMES, concat([shortEntry(CF_UNICODETEXT, '', true), shortEntry(FILE_LIST, 'FileGroupDescriptorW', true)]));
    const out = readMessage(g2.judge('server', list)!.replace!)!;
    expect(out.flags).toBe(CB_ASCII_NAMES);
    expect(readFormatList(out.data, false, true)!.map((f) => f.id)).toEqual([CF_UNICODETEXT]);
  });
});

/** A relayed session through the whole filter, with the rules and the file count. */
function session(files: ClipboardWays, clipboard: ClipboardWays = BOTH) {
  const count = new ClipboardFileCount();
  const rules = new ClipboardRuleGuard(clipboard, undefined, files);
  return { count, ...clipboardChannel(rules.narrows ? rules : undefined, count) };
}


/** The page copies two files (5 + 3 bytes, and 4 bytes) and the machine pastes them: size, then ranges. */
function upload(s: ReturnType<typeof session>) {
  const forwarded: Uint8Array[] = [];
  const back: Uint8Array[] = [];
  const step = (r: { forward: Uint8Array[]; back: Uint8Array[] }) => {
    forwarded.push(...r.forward);
    back.push(...r.back);
  };
  step(s.fromClient(filesList()));
  step(s.fromServer(encodeMessage(MSG.formatDataRequest, 0, u32(FILE_LIST))));
  step(s.fromServer(contentsRequest(1, 0, SIZE, 8)));
  step(s.fromClient(contentsResponse(1, new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0]))));
  step(s.fromServer(contentsRequest(2, 0, RANGE, 5)));
  step(s.fromClient(contentsResponse(2, FILE_BYTES.subarray(0, 5))));
  step(s.fromServer(contentsRequest(3, 0, RANGE, 3)));
  step(s.fromClient(contentsResponse(3, FILE_BYTES.subarray(5, 8))));
  step(s.fromServer(contentsRequest(4, 1, RANGE, 4)));
  step(s.fromClient(contentsResponse(4, FILE_BYTES.subarray(0, 4))));
  return { forwarded, back };
}

describe('files through the whole filter, counted', () => {
  it('both ways: an upload crosses whole and is counted as files and bytes, a size answer is not file data', () => {
    const s = session(BOTH);
    const { forwarded } = upload(s);
    expect(messages(forwarded).filter((m) => m!.type === MSG.fileContentsResponse)).toHaveLength(4);
    expect(s.count.to).toEqual({ files: 2, bytes: 12 });
    expect(s.count.from).toEqual({ files: 0, bytes: 0 });
    expect(s.count.counts()).toEqual({ up: 2, down: 0, bytesUp: 12, bytesDown: 0, countedBy: 'proxy' });
  });

  it('download only: no file byte of an upload reaches the machine, the page is answered with failures, nothing counts', () => {
    const s = session(DOWNLOAD_ONLY);
    const { forwarded, back } = upload(s);
    const crossed = messages(forwarded);
    expect(crossed.some((m) => m!.type === MSG.fileContentsResponse || m!.type === MSG.fileContentsRequest)).toBe(false);
    const list = crossed.find((m) => m!.type === MSG.formatList)!;
    expect(readFormatList(list.data, true)!.map((f) => f.id)).toEqual([CF_UNICODETEXT]);
    expect(messages(back).filter((m) => m!.type === MSG.fileContentsResponse).every((m) => m!.flags === CB_RESPONSE_FAIL)).toBe(true);
    expect(s.count.to).toEqual({ files: 0, bytes: 0 });
    expect(s.count.counts()).toEqual({ up: 0, down: 0, bytesUp: 0, bytesDown: 0, countedBy: 'proxy' });
    // The machine's files still come down, counted the other way.
    s.fromServer(filesList());
    s.fromClient(contentsRequest(7, 0, RANGE, 20));
    const down = s.fromServer(contentsResponse(7, FILE_BYTES));
    expect(messages(down.forward)[0]).toMatchObject({ type: MSG.fileContentsResponse, flags: CB_RESPONSE_OK });
    expect(s.count.from).toEqual({ files: 1, bytes: FILE_BYTES.length });
    expect(s.count.counts()).toEqual({ up: 0, down: 1, bytesUp: 0, bytesDown: FILE_BYTES.length, countedBy: 'proxy' });
  });

  it('a clipboard rule that is off holds files too, whatever the file rule says', () => {
    const s = session(BOTH, { to: false, from: false });
    upload(s);
    expect(s.count.to).toEqual({ files: 0, bytes: 0 });
  });

  it('a file offered in a new list counts again; a failed answer or one to no request counts nothing', () => {
    const s = session(BOTH);
    upload(s);
    s.fromClient(filesList());
    s.fromServer(contentsRequest(9, 0, RANGE, 5));
    s.fromClient(contentsResponse(9, FILE_BYTES.subarray(0, 5)));
    expect(s.count.to).toEqual({ files: 3, bytes: 17 });
    s.fromServer(contentsRequest(10, 1, RANGE, 5));
    s.fromClient(contentsResponse(10, new Uint8Array(0), CB_RESPONSE_FAIL));
    s.fromClient(contentsResponse(11, FILE_BYTES)); // nobody asked for stream 11
    s.fromClient(contentsResponse(9, FILE_BYTES)); // stream 9 was answered already
    expect(s.count.to).toEqual({ files: 3, bytes: 17 });
  });

  it('a machine that never answers cannot grow the proxy\'s memory of requests', () => {
    const count = new ClipboardFileCount();
    for (let i = 0; i < 10_000; i++) count.see('server', contentsRequest(i, 0, RANGE, 10));
    // Only the latest requests are remembered: an answer to an early one counts nothing, a late one counts.
    count.see('client', contentsResponse(0, FILE_BYTES));
    count.see('client', contentsResponse(9_999, FILE_BYTES));
    expect(count.to).toEqual({ files: 1, bytes: FILE_BYTES.length });
    expect((count as unknown as { asked: Record<string, Map<number, unknown>> }).asked.server.size).toBeLessThanOrEqual(256);
  });
});

describe('malformed file messages', () => {
  const MALFORMED: [string, Uint8Array][] = [
    ['a File Contents Request cut after its stream id', encodeMessage(MSG.fileContentsRequest, 0, u32(3))],
    ['a File Contents Request of 23 bytes', encodeMessage(MSG.fileContentsRequest, 0, new Uint8Array(23))],
    ['a File Contents Response without a stream id', encodeMessage(MSG.fileContentsResponse, CB_RESPONSE_OK, new Uint8Array(2))],
    ['a File Contents Request whose length runs past the end', (() => {
      const m = contentsRequest(3, 0, RANGE, 5);
      new DataView(m.buffer).setUint32(4, 0xffffff00, true);
      return m;
    })()],
    ['a File Contents Response whose length runs past the end', (() => {
      const m = contentsResponse(3, FILE_BYTES);
      new DataView(m.buffer).setUint32(4, FILE_BYTES.length + 100, true);
      return m;
    })()],
    ['a header alone, cut short', new Uint8Array([MSG.fileContentsResponse, 0, 1, 0, 8])],
    ['a Format List whose file name is not terminated', encodeMessage(MSG.formatList, 0, concat([u32(FILE_LIST), new Uint8Array([0x46, 0])]))],
    ['a Format Data Request without a format id', encodeMessage(MSG.formatDataRequest, 0, new Uint8Array(2))],
  ];

  for (const [what, bytes] of MALFORMED) {
    it(`${what}: never crashes, never counts, and under a file rule never crosses`, () => {
      for (const files of [UPLOAD_ONLY, DOWNLOAD_ONLY, { to: false, from: false }]) {
        const s = session(files);
        s.fromServer(contentsRequest(3, 0, RANGE, 5));
        s.fromClient(contentsRequest(3, 0, RANGE, 5));
        for (const send of [s.fromClient, s.fromServer]) {
          const out = send(bytes);
          // Either dropped or answered: a message that cannot be read whole never crosses under a rule,
          // and a readable one crosses only where the rule allows it.
          if (!readMessage(bytes)) expect(out.forward).toEqual([]);
          for (const m of messages(out.forward)) expect(m === undefined || m.type !== MSG.fileContentsResponse || m.data.length < 4).toBe(true);
        }
        expect(s.count.to).toEqual({ files: 0, bytes: 0 });
        expect(s.count.from).toEqual({ files: 0, bytes: 0 });
      }
      // Without any rule the count alone sees it, and neither crashes nor counts.
      const plain = session(BOTH);
      expect(() => plain.fromClient(bytes)).not.toThrow();
      expect(() => plain.fromServer(bytes)).not.toThrow();
      expect(plain.count.counts()).toMatchObject({ up: 0, down: 0, bytesUp: 0, bytesDown: 0 });
    });
  }

  it('random bytes on the channel, under each rule, never throw and never count', () => {
    let seed = 0x5eed;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (const files of [BOTH, UPLOAD_ONLY, DOWNLOAD_ONLY]) {
      const s = session(files);
      for (let i = 0; i < 2000; i++) {
        const len = 4 + (random() % 40);
        const body = new Uint8Array(len).map(random);
        // Mostly file messages with a header whose length may or may not fit.
        const m = concat([new Uint8Array([[MSG.fileContentsRequest, MSG.fileContentsResponse, MSG.formatList, MSG.formatDataRequest][i % 4], 0, random() & 3, 0]), u32(random() % 48), body]);
        expect(() => (i % 2 ? s.fromClient(m) : s.fromServer(m))).not.toThrow();
      }
      expect(s.count.to.files + s.count.from.files).toBeLessThan(2000);
    }
  });
});
