// Finds the CLIPRDR static virtual channel in the relayed RDP stream and hands each whole message on
// it to the clipboard bridge; every other byte passes through as it came. Static channel messages
// travel in chunks (MS-RDPBCGR 2.2.6.1, 3.1.5.2.2): the chunks of one message are held until the
// last one arrives, then forwarded unchanged, or re-chunked when the bridge rewrote the message.
//
// Optional tracing prints one line per CLIPRDR message: direction, type, format ids, sizes. Never
// contents (POSTERN_RDP_TRACE=cliprdr, see gateway.ts).
//
// With a link's clipboard rule (clipboard-rule.ts) each whole message is judged before the bridge sees
// it, and the filter fails closed: what it cannot read whole (compressed, oversized, torn or orphan
// chunks) is dropped instead of passed, a clipboard channel it cannot map ends the connection, and so
// does a stream whose framing it loses (throwing: endpoint.ts's guarded() closes both sides).

import { ClipboardBridge, type BridgeAction, type Side } from './clipboard-bridge.ts';
import type { ClipboardRuleGuard } from './clipboard-rule.ts';
import type { ClipboardFileCount } from './clipboard-files.ts';
import {
  CHANNEL_FLAG_FIRST, CHANNEL_FLAG_LAST, CHANNEL_PACKET_COMPRESSED, FrameSplitter, encodeChannelMessage, readChannelFrame,
} from './frames.ts';
import { clientChannelNames, serverChannelIds } from './gcc.ts';
import { concatBytes } from './der.ts';

export interface FilterOutput {
  /** Bytes to send on in the direction they were going. */
  forward: Uint8Array[];
  /** Bytes for the other direction: the bridge's own requests, or frames it held from that side. */
  back: Uint8Array[];
}

/** A message larger than this is passed through without being looked at (IronRDP's own bitmap cap). */
const MAX_MESSAGE = 64 * 1024 * 1024;

/** Thrown when a clipboard rule is in force and the filter can no longer tell what crosses. */
export class ClipboardRuleUnenforceable extends Error {}

/** 'cliprdr' in ASCII, as a client names the channel in MCS Connect Initial (any case). */
const CLIPRDR_NAME = [...'cliprdr'].map((c) => c.charCodeAt(0));

interface Pending {
  frames: Uint8Array[];
  chunks: Uint8Array[];
  size: number;
  total: number;
  flags: number;
}

export class RdpChannelFilter {
  private names: string[] | undefined;
  private cliprdrId = -1;
  private readonly connectSeen: Record<Side, boolean> = { client: false, server: false };
  private readonly initiator: Record<Side, number> = { client: -1, server: -1 };
  /** Chunk flags each side uses on this channel (e.g. CHANNEL_FLAG_SHOW_PROTOCOL), for messages we write. */
  private readonly channelFlags: Record<Side, number> = { client: 0, server: 0 };
  private readonly pending: Record<Side, Pending | undefined> = { client: undefined, server: undefined };
  private readonly splitters: Record<Side, FrameSplitter>;

  /** A clipboard rule is in force: fail closed rather than pass what cannot be judged. */
  private readonly strict: boolean;

  constructor(
    private readonly bridge: ClipboardBridge,
    private readonly trace?: (line: string) => void,
    private readonly guard?: ClipboardRuleGuard,
    /** Counts the files that cross (clipboard-files.ts), after the rules and the bridge. */
    private readonly files?: ClipboardFileCount,
  ) {
    this.strict = guard?.narrows ?? false;
    const wants = (what: number | 'connect') => what === 'connect' || what === this.cliprdrId;
    this.splitters = { client: new FrameSplitter('client', wants), server: new FrameSplitter('server', wants) };
  }

  fromClient(chunk: Uint8Array): FilterOutput {
    return this.push('client', chunk);
  }

  fromServer(chunk: Uint8Array): FilterOutput {
    return this.push('server', chunk);
  }

  private push(side: Side, chunk: Uint8Array): FilterOutput {
    const out: FilterOutput = { forward: [], back: [] };
    const splitter = this.splitters[side];
    const wasBroken = splitter.broken;
    for (const item of splitter.push(chunk)) {
      if (item instanceof Uint8Array) out.forward.push(item);
      else this.onFrame(side, item.frame, out);
    }
    if (splitter.broken && !wasBroken) {
      if (this.strict) throw new ClipboardRuleUnenforceable(`The ${side} stream's framing is not RDP as the proxy knows it.`);
      // The bridge needs both directions: without one, it stands aside for the rest of the session.
      this.trace?.(`rdp ${side} stream: unrecognised framing, passing both directions through unread from now on`);
      this.cliprdrId = -1;
      const mine = this.pending[side];
      const theirs = this.pending[side === 'client' ? 'server' : 'client'];
      this.pending.client = this.pending.server = undefined;
      if (mine) out.forward.unshift(...mine.frames);
      if (theirs) out.back.push(...theirs.frames);
    }
    return out;
  }

  private onFrame(side: Side, frame: Uint8Array, out: FilterOutput): void {
    if (!this.connectSeen[side]) {
      this.connectSeen[side] = true;
      this.learnChannels(side, frame);
      out.forward.push(frame);
      return;
    }
    const cf = readChannelFrame(frame);
    if (!cf || cf.channelId !== this.cliprdrId) {
      out.forward.push(frame);
      return;
    }
    this.initiator[side] = cf.initiator;
    this.channelFlags[side] = cf.flags & ~(CHANNEL_FLAG_FIRST | CHANNEL_FLAG_LAST);
    let p = this.pending[side];
    if (cf.flags & CHANNEL_FLAG_FIRST) {
      if (p) this.passUnjudged(side, p.frames, out, 'an unfinished message'); // without a rule, the peer judges it
      p = this.pending[side] = { frames: [], chunks: [], size: 0, total: cf.totalLength, flags: cf.flags };
    }
    if (!p || cf.flags & CHANNEL_PACKET_COMPRESSED || cf.totalLength > MAX_MESSAGE) {
      if (p) this.passUnjudged(side, p.frames, out, 'a compressed or oversized message');
      this.pending[side] = undefined;
      this.passUnjudged(side, [frame], out, p ? 'a compressed or oversized message' : 'a chunk of no message');
      return;
    }
    p.frames.push(frame);
    p.chunks.push(cf.chunk);
    p.size += cf.chunk.length;
    if (!(cf.flags & CHANNEL_FLAG_LAST)) return;
    this.pending[side] = undefined;
    if (p.size !== p.total) {
      this.passUnjudged(side, p.frames, out, 'a message whose chunks do not add up');
      return;
    }
    const whole = concatBytes(p.chunks);
    const action = this.judge(side, whole);
    if (action.replace !== null) this.files?.see(side, action.replace ?? whole);
    if (action.replace === undefined) out.forward.push(...p.frames);
    else if (action.replace) out.forward.push(...encodeChannelMessage(side, this.initiator[side], this.cliprdrId, action.replace, p.flags));
    if (action.reply) {
      // The bridge's request back to the machine, or the rule's answer to a sender: written as its peer would write it.
      const other: Side = side === 'client' ? 'server' : 'client';
      if (this.initiator[other] >= 0) {
        out.back.push(...encodeChannelMessage(other, this.initiator[other], this.cliprdrId, action.reply, this.channelFlags[other]));
      }
    }
  }

  /** The rules first; what they let cross (perhaps rewritten, e.g. a list without its files) goes to the bridge. */
  private judge(side: Side, whole: Uint8Array): BridgeAction {
    const ruled = this.guard?.judge(side, whole);
    if (ruled && (ruled.replace === null || ruled.reply)) return ruled;
    const bridged = this.bridge.onMessage(side, ruled?.replace ?? whole);
    return bridged.replace !== undefined || bridged.reply ? bridged : { replace: ruled?.replace };
  }

  /** Frames the filter could not judge: passed as they came, or under a rule dropped. */
  private passUnjudged(side: Side, frames: Uint8Array[], out: FilterOutput, what: string): void {
    if (!this.strict) {
      out.forward.push(...frames);
      return;
    }
    this.trace?.(`cliprdr ${side === 'client' ? 'page→machine' : 'machine→page'}: dropped ${what} (clipboard rule)`);
  }

  private learnChannels(side: Side, frame: Uint8Array): void {
    if (side === 'client') {
      this.names = clientChannelNames(frame);
      if (this.strict && !this.names && containsName(frame)) {
        throw new ClipboardRuleUnenforceable('The page asked for a clipboard channel the proxy cannot place.');
      }
      return;
    }
    const ids = serverChannelIds(frame);
    const index = this.names?.indexOf('cliprdr') ?? -1;
    if (ids && index >= 0 && index < ids.length) this.cliprdrId = ids[index];
    else if (this.strict && index >= 0) throw new ClipboardRuleUnenforceable('The machine opened a clipboard channel the proxy cannot place.');
    this.trace?.(this.cliprdrId >= 0 ? `rdp channels: cliprdr is MCS channel ${this.cliprdrId}` : 'rdp channels: no cliprdr channel');
  }
}

/** Whether `frame` holds the name 'cliprdr' anywhere, in any case: a channel a server could open. */
function containsName(frame: Uint8Array): boolean {
  outer: for (let i = 0; i + CLIPRDR_NAME.length <= frame.length; i++) {
    for (let j = 0; j < CLIPRDR_NAME.length; j++) {
      if ((frame[i + j] | 0x20) !== CLIPRDR_NAME[j]) continue outer;
    }
    return true;
  }
  return false;
}
