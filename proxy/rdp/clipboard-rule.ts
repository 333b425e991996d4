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
// Capabilities, Monitor Ready, Temporary Directory and Lock/Unlock (ids, no content) pass as they
// are: the rule governs the clipboard, not covert channels (a page can type, a machine can draw).
// Nothing here reads, keeps or logs clipboard content.

import type { BridgeAction, Side } from './clipboard-bridge.ts';
import { CB_RESPONSE_FAIL, CB_RESPONSE_OK, MSG, MSG_NAME, encodeMessage, readMessage } from './cliprdr.ts';

/** Which ways clipboard content may cross (src/shared/rules/policy.ts clipboardAllows). */
export interface ClipboardWays {
  to: boolean;
  from: boolean;
}

/** Where a blocked message would have taken content: 'to' the machine or 'from' it. */
export type BlockedWay = 'to' | 'from';

export class ClipboardRuleGuard {
  constructor(
    private readonly ways: ClipboardWays,
    /** Told of each message held back: which way, and its type name (never its content). */
    private readonly onBlocked?: (way: BlockedWay, message: string) => void,
  ) {}

  /** False for a rule that allows both ways: the proxy then has nothing to enforce. */
  get narrows(): boolean {
    return !this.ways.to || !this.ways.from;
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
      case MSG.monitorReady:
      case MSG.tempDirectory:
      case MSG.lockClipData:
      case MSG.unlockClipData:
        return undefined;
      case MSG.formatList:
        return this.ways[out] ? undefined : this.block(out, name, encodeMessage(MSG.formatListResponse, CB_RESPONSE_OK, new Uint8Array(0)));
      case MSG.formatListResponse:
        // Answers a list from its peer, which this guard held back (and answered) when `back` is closed.
        return this.ways[back] ? undefined : this.block(back, name);
      case MSG.formatDataRequest:
        return this.ways[back] ? undefined : this.block(back, name, encodeMessage(MSG.formatDataResponse, CB_RESPONSE_FAIL, new Uint8Array(0)));
      case MSG.formatDataResponse:
      case MSG.fileContentsResponse:
        return this.ways[out] ? undefined : this.block(out, name);
      case MSG.fileContentsRequest: {
        // A failed File Contents Response still names the request's streamId (its first field).
        const streamId = msg.data.length >= 4 ? msg.data.slice(0, 4) : new Uint8Array(4);
        return this.ways[back] ? undefined : this.block(back, name, encodeMessage(MSG.fileContentsResponse, CB_RESPONSE_FAIL, streamId));
      }
      default:
        return this.block(out, `message of type ${msg.type}`);
    }
  }

  private block(way: BlockedWay, message: string, reply?: Uint8Array): BridgeAction {
    this.onBlocked?.(way, message);
    return reply ? { replace: null, reply } : { replace: null };
  }
}
