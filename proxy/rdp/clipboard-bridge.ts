// Lets bitmaps cross the clipboard between IronRDP's web client and servers that only speak CF_DIB,
// such as xrdp 0.9. The two disagree on formats, and neither can be changed from the page:
//
//   page → machine: IronRDP offers an image as CF_DIBV5, "PNG" and "image/png" and serves only those
//     (ironrdp-web src/clipboard.rs: handle_local_clipboard_changed, process_remote_data_request);
//     xrdp's chansrv offers X applications image/bmp only when CF_DIB is on the list, and asks for
//     CF_DIB alone (sesman/chansrv/clipboard.c: clipboard_event_selection_request).
//     So: CF_DIB is added to the page's list; a request for it is passed on as a request for
//     CF_DIBV5, and the answer is turned into a CF_DIB (cliprdr.ts dibV5ToDib).
//   machine → page: xrdp announces CF_DIB and CF_DIBV5 but serves only CF_DIB
//     (clipboard_process_data_request answers anything else with CB_RESPONSE_FAIL); IronRDP asks
//     for CF_DIBV5 whenever both are listed (process_remote_clipboard_changed).
//     So: when the machine refuses CF_DIBV5 but listed CF_DIB, the proxy asks it for CF_DIB itself
//     and answers the page's request with that bitmap as a CF_DIBV5 (cliprdr.ts dibToDibV5).
//
// A server that serves what it lists (Windows) never triggers either path: the page's list only
// gains a format, and requests for the formats IronRDP serves pass untouched. The bridge reads
// formats and headers, converts bitmaps in memory, and never logs anything but ids and sizes.

import {
  CB_RESPONSE_FAIL, CB_RESPONSE_OK, CB_USE_LONG_FORMAT_NAMES, CF_DIB, CF_DIBV5, MSG, MSG_NAME, appendFormat, dibToDibV5,
  dibV5ToDib, encodeMessage, readCapsFlags, readFormatList, readMessage,
} from './cliprdr.ts';

export type Side = 'client' | 'server';

/** What to do with one complete CLIPRDR message. */
export interface BridgeAction {
  /** undefined: forward the original bytes; null: drop them; bytes: forward these instead. */
  replace?: Uint8Array | null;
  /** A message to send back the way this one came (to its sender's peer's opposite). */
  reply?: Uint8Array;
}

/** Bytes xrdp 0.9.21 drops from the end of a pasted bitmap (see dibV5ToDib). */
const XRDP_SHORTFALL = 14;

const hex = (n: number) => `0x${n.toString(16)}`;

export class ClipboardBridge {
  private capsClient: number | undefined;
  private capsServer: number | undefined;
  /** The page's current list gained CF_DIB here. */
  private pageListWidened = false;
  /** The machine's current list, by format id. */
  private machineFormats = new Set<number>();
  /** Requests the machine sent to the page, oldest first, and whether the answer needs converting. */
  private machineAsked: Array<{ format: number; convert: boolean }> = [];
  /** The page's outstanding request to the machine, and whether the proxy retried it as CF_DIB. */
  private pageAsked: { format: number; retried: boolean } | undefined;

  constructor(
    private readonly enabled: boolean,
    private readonly trace?: (line: string) => void,
  ) {}

  private get longNames(): boolean {
    // Long names unless a side said otherwise (both must set the flag once capabilities are known).
    const flag = (f: number | undefined) => f === undefined || (f & CB_USE_LONG_FORMAT_NAMES) !== 0;
    return flag(this.capsClient) && flag(this.capsServer);
  }

  /** A whole CLIPRDR message from `from`; says whether to forward, rewrite or drop it. */
  onMessage(from: Side, bytes: Uint8Array): BridgeAction {
    const msg = readMessage(bytes);
    const arrow = from === 'client' ? 'page→machine' : 'machine→page';
    if (!msg) {
      this.trace?.(`cliprdr ${arrow} unreadable message (${bytes.length} bytes)`);
      return {};
    }
    const name = MSG_NAME[msg.type] ?? `type ${msg.type}`;
    const flags = msg.flags & CB_RESPONSE_FAIL ? ' FAIL' : msg.flags & CB_RESPONSE_OK ? ' OK' : '';
    let detail = '';
    if (msg.type === MSG.formatList) {
      const list = readFormatList(msg.data, this.longNames);
      detail = list ? ` formats=[${list.map((f) => hex(f.id)).join(',')}]` : ' (unreadable list)';
    } else if (msg.type === MSG.formatDataRequest && msg.data.length >= 4) {
      detail = ` format=${hex(readU32(msg.data))}`;
    } else if (msg.type === MSG.formatDataResponse) {
      detail = ` ${msg.data.length} bytes`;
    }
    this.trace?.(`cliprdr ${arrow} ${name}${flags}${detail}`);
    if (msg.type === MSG.clipCaps) {
      if (from === 'client') this.capsClient = readCapsFlags(msg.data);
      else this.capsServer = readCapsFlags(msg.data);
      return {};
    }
    if (!this.enabled) return {};
    const action = from === 'client' ? this.fromPage(msg, bytes) : this.fromMachine(msg, bytes);
    if (action.replace !== undefined || action.reply) {
      this.trace?.(`cliprdr bridge: ${action.replace === null ? 'held back' : action.replace ? 'rewrote' : 'passed'} ${name}` +
        (action.reply ? `, asked the machine for ${hex(CF_DIB)}` : ''));
    }
    return action;
  }

  private fromPage(msg: ReturnType<typeof readMessage> & object, bytes: Uint8Array): BridgeAction {
    switch (msg.type) {
      case MSG.formatList: {
        const list = readFormatList(msg.data, this.longNames);
        const ids = new Set(list?.map((f) => f.id));
        this.pageListWidened = !!list && ids.has(CF_DIBV5) && !ids.has(CF_DIB);
        if (!this.pageListWidened) return {};
        return { replace: rebuild(msg, bytes, appendFormat(msg.data, CF_DIB, this.longNames)) };
      }
      case MSG.formatDataRequest:
        this.pageAsked = msg.data.length >= 4 ? { format: readU32(msg.data), retried: false } : undefined;
        return {};
      case MSG.formatDataResponse: {
        const asked = this.machineAsked.shift();
        if (!asked?.convert || !(msg.flags & CB_RESPONSE_OK)) return {};
        const dib = dibV5ToDib(msg.data, XRDP_SHORTFALL);
        return { replace: dib ? rebuild(msg, bytes, dib) : failure() };
      }
      default:
        return {};
    }
  }

  private fromMachine(msg: ReturnType<typeof readMessage> & object, bytes: Uint8Array): BridgeAction {
    switch (msg.type) {
      case MSG.formatList: {
        const list = readFormatList(msg.data, this.longNames);
        this.machineFormats = new Set(list?.map((f) => f.id));
        this.pageAsked = undefined;
        return {};
      }
      case MSG.formatDataRequest: {
        const format = msg.data.length >= 4 ? readU32(msg.data) : -1;
        const convert = format === CF_DIB && this.pageListWidened;
        this.machineAsked.push({ format, convert });
        if (this.machineAsked.length > 16) this.machineAsked.shift(); // a peer that never answers
        if (!convert) return {};
        const data = new Uint8Array(4);
        new DataView(data.buffer).setUint32(0, CF_DIBV5, true);
        return { replace: rebuild(msg, bytes, data) };
      }
      case MSG.formatDataResponse: {
        const asked = this.pageAsked;
        if (!asked || asked.format !== CF_DIBV5) return {};
        if (!asked.retried) {
          if (!(msg.flags & CB_RESPONSE_FAIL) || !this.machineFormats.has(CF_DIB)) {
            this.pageAsked = undefined;
            return {};
          }
          asked.retried = true;
          const data = new Uint8Array(4);
          new DataView(data.buffer).setUint32(0, CF_DIB, true);
          return { replace: null, reply: encodeMessage(MSG.formatDataRequest, 0, data) };
        }
        this.pageAsked = undefined;
        if (!(msg.flags & CB_RESPONSE_OK)) return {};
        const v5 = dibToDibV5(msg.data);
        return { replace: v5 ? rebuild(msg, bytes, v5) : failure() };
      }
      default:
        return {};
    }
  }
}

/** The message with new data, keeping whatever padding its sender put after the data. */
function rebuild(msg: { type: number; flags: number; data: Uint8Array }, bytes: Uint8Array, data: Uint8Array): Uint8Array {
  const padding = bytes.length - 8 - msg.data.length;
  const out = encodeMessage(msg.type, msg.flags, data);
  if (padding <= 0) return out;
  const padded = new Uint8Array(out.length + padding);
  padded.set(out, 0);
  return padded;
}

function failure(): Uint8Array {
  return encodeMessage(MSG.formatDataResponse, CB_RESPONSE_FAIL, new Uint8Array(0));
}

function readU32(b: Uint8Array): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0, true);
}
