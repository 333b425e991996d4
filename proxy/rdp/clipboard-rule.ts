// Enforces a link's clipboard rule on RDP's clipboard channel (MS-RDPECLIP), whatever the page asks.
// "to" is page → machine (a paste into the machine), "from" is machine → page (a copy out).
//
// Content crosses CLIPRDR in answers to requests, announced by format lists:
//   sender's Format List          the receiver learns there is something to take          2.2.3.1
//   receiver's Format Data Request, sender's Format Data Response (the content)           2.2.5.1, 2.2.5.2
//   receiver's File Contents Request, sender's File Contents Response (the content)       2.2.5.3, 2.2.5.4
// For a forbidden direction the proxy stands in for the receiver and the sender never learns:
//   - the sender's Format List is dropped and answered with a Format List Response (OK), which the
//     sender waits for (3.1.5.2.3);
//   - a request for the sender's content is dropped and answered with a failed response;
//   - a response carrying content that way is dropped (every request for it was answered here, so
//     none is owed);
//   - unreadable messages and types this file does not know are dropped: under a rule, what cannot be
//     judged does not cross.
// The link's file-transfer rule narrows the same channel further: for a way files may not go,
//   - the sender's Format List crosses without its file formats (FileGroupDescriptorW and kin),
//     so the receiver never learns there are files (cliprdr.ts withoutFileFormats);
//   - a Format Data Request for a file format the sender listed, and every File Contents Request
//     for the sender's files, is dropped and answered with a failure;
//   - a File Contents Response carrying file bytes that way is dropped.
// Capabilities, Monitor Ready, Temporary Directory and Lock/Unlock (ids, no content) pass as they
// are: the rule governs the clipboard, not covert channels (a page can type, a machine can draw).
// Nothing here reads, keeps or logs clipboard content.

import type { BridgeAction, Side } from './clipboard-bridge.ts';
import {
  CB_ASCII_NAMES, CB_RESPONSE_FAIL, CB_RESPONSE_OK, CB_USE_LONG_FORMAT_NAMES, MSG, MSG_NAME, encodeMessage, readCapsFlags, readFormatList,
  readMessage, withoutFileFormats, isFileFormat,
} from './cliprdr.ts';

/** Which ways clipboard content may cross (src/shared/rules/policy.ts clipboardAllows). */
export interface ClipboardWays {
  to: boolean;
  from: boolean;
}

/** Where a blocked message would have taken content: 'to' the machine or 'from' it. */
export type BlockedWay = 'to' | 'from';
/** Which of the link's rules held a message back. */
export type BlockingRule = 'clipboard' | 'fileTransfer';

const BOTH: ClipboardWays = { to: true, from: true };
const other = (side: Side): Side => (side === 'client' ? 'server' : 'client');

export class ClipboardRuleGuard {
  private caps: Record<Side, number | undefined> = { client: undefined, server: undefined };
  /** The file formats each side listed last (ids), whichever way the list went. */
  private fileFormats: Record<Side, Set<number>> = { client: new Set(), server: new Set() };

  constructor(
    private readonly ways: ClipboardWays,
    /** Told of each message held back: which way, its type name (never its content), and which rule. */
    private readonly onBlocked?: (way: BlockedWay, message: string, rule: BlockingRule) => void,
    /** Which ways files may cross (src/shared/rules/policy.ts fileTransferAllows); left out: both. */
    private readonly files: ClipboardWays = BOTH,
  ) {}

  /** False for rules that allow both ways: the proxy then has nothing to enforce. */
  get narrows(): boolean {
    return !this.ways.to || !this.ways.from || !this.files.to || !this.files.from;
  }

  private get longNames(): boolean {
    const flag = (f: number | undefined) => f === undefined || (f & CB_USE_LONG_FORMAT_NAMES) !== 0;
    return flag(this.caps.client) && flag(this.caps.server);
  }

  /**
   * Judges one whole CLIPRDR message from `from`. undefined: it may cross (the bitmap bridge sees it
   * next); otherwise it is held back, with perhaps a reply to its sender.
   */
  judge(from: Side, bytes: Uint8Array): BridgeAction | undefined {
    if (!this.narrows) return undefined;
    // The way the sender's own content would go, and the way content it asks for would come.
    const out: BlockedWay = from === 'client' ? 'to' : 'from';
    const back: BlockedWay = from === 'client' ? 'from' : 'to';
    const msg = readMessage(bytes);
    if (!msg) return this.block(out, 'unreadable message');
    const name = MSG_NAME[msg.type];
    switch (msg.type) {
      case MSG.clipCaps:
        this.caps[from] = readCapsFlags(msg.data);
        return undefined;
      case MSG.monitorReady:
      case MSG.tempDirectory:
      case MSG.lockClipData:
      case MSG.unlockClipData:
        return undefined;
      case MSG.formatList: {
        const answer = encodeMessage(MSG.formatListResponse, CB_RESPONSE_OK, new Uint8Array(0));
        this.fileFormats[from] = new Set();
        if (!this.ways[out]) return this.block(out, name, answer);
        const ascii = (msg.flags & CB_ASCII_NAMES) !== 0;
        if (this.files[out]) {
          const list = readFormatList(msg.data, this.longNames, ascii);
          this.fileFormats[from] = new Set(list?.filter(isFileFormat).map((f) => f.id));
          return undefined;
        }
        const kept = withoutFileFormats(msg.data, this.longNames, ascii);
        if (!kept) return this.block(out, `unreadable ${name}`, answer, 'fileTransfer');
        this.fileFormats[from] = new Set(kept.removed);
        if (!kept.removed.length) return undefined;
        this.onBlocked?.(out, `file formats in a ${name}`, 'fileTransfer');
        return { replace: encodeMessage(MSG.formatList, msg.flags, kept.data) };
      }
      case MSG.formatListResponse:
        // Answers a list from its peer, which this guard held back (and answered) when `back` is closed.
        return this.ways[back] ? undefined : this.block(back, name);
      case MSG.formatDataRequest: {
        const failed = encodeMessage(MSG.formatDataResponse, CB_RESPONSE_FAIL, new Uint8Array(0));
        if (!this.ways[back]) return this.block(back, name, failed);
        const asked = msg.data.length >= 4 ? new DataView(msg.data.buffer, msg.data.byteOffset, 4).getUint32(0, true) : undefined;
        if (asked === undefined) return this.block(back, `short ${name}`, failed);
        // A request for the peer's file list, which that peer listed (or the proxy removed from its list).
        if (!this.files[back] && this.fileFormats[other(from)].has(asked)) return this.block(back, `${name} for a file list`, failed, 'fileTransfer');
        return undefined;
      }
      case MSG.formatDataResponse:
        return this.ways[out] ? undefined : this.block(out, name);
      case MSG.fileContentsResponse:
        if (!this.ways[out]) return this.block(out, name);
        return this.files[out] ? undefined : this.block(out, name, undefined, 'fileTransfer');
      case MSG.fileContentsRequest: {
        // A failed File Contents Response still names the request's streamId (its first field).
        const streamId = msg.data.length >= 4 ? msg.data.slice(0, 4) : new Uint8Array(4);
        const failed = encodeMessage(MSG.fileContentsResponse, CB_RESPONSE_FAIL, streamId);
        if (!this.ways[back]) return this.block(back, name, failed);
        return this.files[back] ? undefined : this.block(back, name, failed, 'fileTransfer');
      }
      default:
        return this.block(out, `message of type ${msg.type}`);
    }
  }

  private block(way: BlockedWay, message: string, reply?: Uint8Array, rule: BlockingRule = 'clipboard'): BridgeAction {
    this.onBlocked?.(way, message, rule);
    return reply ? { replace: null, reply } : { replace: null };
  }
}
