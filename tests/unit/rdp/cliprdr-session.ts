// A clipboard channel through the proxy's whole RDP filter, for unit tests: the connect frames already
// seen, the usual CLIPRDR start exchanged, and helpers to send whole messages each way and read back
// the messages the filter let out.
import { RdpChannelFilter } from '../../../proxy/rdp/channel-filter.ts';
import { ClipboardBridge } from '../../../proxy/rdp/clipboard-bridge.ts';
import type { ClipboardFileCount } from '../../../proxy/rdp/clipboard-files.ts';
import type { ClipboardRuleGuard } from '../../../proxy/rdp/clipboard-rule.ts';
import { MSG, encodeMessage, readMessage } from '../../../proxy/rdp/cliprdr.ts';
import { concatBytes as concat } from '../../../proxy/rdp/der.ts';
import { CHANNEL_FLAG_LAST, encodeChannelMessage, readChannelFrame } from '../../../proxy/rdp/frames.ts';
import { connectInitial, connectResponse } from './rdp-frames.ts';

export const u32 = (n: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b; };
export const utf16z = (s: string) => new Uint8Array([...s].flatMap((c) => [c.charCodeAt(0), 0]).concat([0, 0]));
/** Clipboard Capabilities with long format names and file-clip-no-file-paths, as IronRDP and xrdp send. */
export const caps = encodeMessage(MSG.clipCaps, 0, concat([new Uint8Array([1, 0, 0, 0, 1, 0, 12, 0]), u32(2), u32(0x02)]));

/** The filter on the clipboard channel (1005), with the machine's and the page's capabilities exchanged. */
export function clipboardChannel(guard?: ClipboardRuleGuard, count?: ClipboardFileCount) {
  const f = new RdpChannelFilter(new ClipboardBridge(true), undefined, guard, count);
  f.fromClient(new Uint8Array(connectInitial));
  f.fromServer(new Uint8Array(connectResponse));
  const fromServer = (m: Uint8Array) => f.fromServer(concat(encodeChannelMessage('server', 1002, 1005, m, 0)));
  const fromClient = (m: Uint8Array) => f.fromClient(concat(encodeChannelMessage('client', 1007, 1005, m, 0x10)));
  fromServer(caps);
  fromServer(encodeMessage(MSG.monitorReady, 0, new Uint8Array(0)));
  fromClient(caps);
  return { f, fromServer, fromClient };
}

/** The CLIPRDR messages inside frames the filter let out. */
export function messages(frames: Uint8Array[]): Array<ReturnType<typeof readMessage>> {
  const all = concat(frames);
  const chunks: Uint8Array[] = [];
  const out: Array<ReturnType<typeof readMessage>> = [];
  for (let at = 0; at < all.length;) {
    const len = (all[at + 2] << 8) | all[at + 3];
    const cf = readChannelFrame(all.subarray(at, at + len))!;
    chunks.push(cf.chunk);
    if (cf.flags & CHANNEL_FLAG_LAST) {
      out.push(readMessage(concat(chunks)));
      chunks.length = 0;
    }
    at += len;
  }
  return out;
}
