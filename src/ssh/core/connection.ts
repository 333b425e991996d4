// The connection protocol (RFC 4254): channel bookkeeping, global requests, keepalive.
//   CHANNEL_OPEN (90): string type, uint32 sender, uint32 initial window, uint32 max packet
//   CHANNEL_OPEN_CONFIRMATION (91): uint32 recipient, uint32 sender, uint32 window, uint32 max packet
//   CHANNEL_OPEN_FAILURE (92): uint32 recipient, uint32 reason, string description, string language
//   GLOBAL_REQUEST (80): string name, boolean want-reply, ...; replies 81/82 come in request order

import { LOCAL_MAX_PACKET, LOCAL_WINDOW, SshChannel } from './channel';
import { SshError, protocolError } from './wire/errors';
import { Msg } from './wire/messages';
import { SshReader, SshWriter } from './wire/wire';

const OPEN_FAILURES: Record<number, string> = {
  1: 'administratively prohibited',
  2: 'connect failed',
  3: 'unknown channel type',
  4: 'resource shortage',
};

interface PendingOpen {
  channel: SshChannel;
  resolve(channel: SshChannel): void;
  reject(error: SshError): void;
}

export class Connection {
  private channels = new Map<number, SshChannel>();
  private opening = new Map<number, PendingOpen>();
  private nextId = 0;
  private globalReplies: Array<(ok: boolean) => void> = [];
  /** Keepalives sent since the server last answered anything. */
  unansweredKeepalives = 0;

  constructor(private readonly send: (payload: Uint8Array) => void) {}

  openSession(flow: 'auto' | 'manual' = 'auto'): Promise<SshChannel> {
    const id = this.nextId++;
    const channel = new SshChannel(id, this.send, flow);
    return new Promise<SshChannel>((resolve, reject) => {
      this.opening.set(id, { channel, resolve, reject });
      this.send(new SshWriter().byte(Msg.CHANNEL_OPEN).string('session').uint32(id).uint32(LOCAL_WINDOW).uint32(LOCAL_MAX_PACKET).finish());
    });
  }

  /** keepalive@openssh.com with want-reply; any answer (usually FAILURE) proves the server alive. */
  keepalive(onReply?: () => void): void {
    this.unansweredKeepalives++;
    this.globalRequest('keepalive@openssh.com', () => {
      this.unansweredKeepalives = 0;
      onReply?.();
    });
  }

  private globalRequest(name: string, onReply: (ok: boolean) => void): void {
    this.globalReplies.push(onReply);
    this.send(new SshWriter().byte(Msg.GLOBAL_REQUEST).string(name).boolean(true).finish());
  }

  /** Messages 80-127. Returns false for numbers this layer does not know. */
  handle(payload: Uint8Array): boolean {
    const r = new SshReader(payload);
    const n = r.byte();
    switch (n) {
      case Msg.GLOBAL_REQUEST: {
        // hostkeys-00@openssh.com and friends: we want none of them.
        r.string('the request name');
        if (r.boolean('want-reply')) this.send(Uint8Array.of(Msg.REQUEST_FAILURE));
        return true;
      }
      case Msg.REQUEST_SUCCESS:
      case Msg.REQUEST_FAILURE: {
        const waiting = this.globalReplies.shift();
        if (!waiting) throw protocolError('a global request reply nobody asked for');
        waiting(n === Msg.REQUEST_SUCCESS);
        return true;
      }
      case Msg.CHANNEL_OPEN: {
        // The server may offer x11/agent/forwarded channels; we asked for none, so refuse.
        const type = r.string('the channel type');
        const sender = r.uint32('the channel id');
        this.send(
          new SshWriter().byte(Msg.CHANNEL_OPEN_FAILURE).uint32(sender).uint32(1).string(`${type} channels are not accepted`).string('').finish(),
        );
        return true;
      }
      case Msg.CHANNEL_OPEN_CONFIRMATION:
      case Msg.CHANNEL_OPEN_FAILURE:
        this.onOpenAnswer(n, r);
        return true;
    }
    if (n < Msg.CHANNEL_WINDOW_ADJUST || n > Msg.CHANNEL_FAILURE) return false;
    const id = r.uint32('the channel id');
    const channel = this.channels.get(id);
    if (!channel) throw protocolError(`message ${n} for unknown channel ${id}`);
    channel.handle(n, r);
    if (channel.state === 'closed') this.channels.delete(id);
    return true;
  }

  private onOpenAnswer(n: number, r: SshReader): void {
    const id = r.uint32('the channel id');
    const pending = this.opening.get(id);
    if (!pending) throw protocolError(`an open answer for unknown channel ${id}`);
    this.opening.delete(id);
    if (n === Msg.CHANNEL_OPEN_FAILURE) {
      const code = r.uint32('the failure reason');
      const description = r.string('the failure description');
      pending.reject(
        new SshError('channel-open-failed', `The server refused to open a session (${OPEN_FAILURES[code] ?? `reason ${code}`}${description ? `: ${description}` : ''}).`),
      );
      return;
    }
    const remoteId = r.uint32('the server channel id');
    const window = r.uint32('the window size');
    const maxPacket = r.uint32('the maximum packet size');
    pending.channel.opened(remoteId, window, maxPacket);
    this.channels.set(id, pending.channel);
    pending.resolve(pending.channel);
  }

  /** The connection died: fail everything that is waiting and close every channel. */
  abort(error: SshError): void {
    for (const p of this.opening.values()) p.reject(error);
    this.opening.clear();
    for (const c of this.channels.values()) c.finish(error);
    this.channels.clear();
    this.globalReplies = [];
  }
}
