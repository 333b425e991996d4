// The connection protocol, server side (RFC 4254): session channels only, no forwarding.
//   CHANNEL_OPEN (90): string type, uint32 sender, uint32 initial window, uint32 max packet
//   CHANNEL_OPEN_CONFIRMATION (91): uint32 recipient, uint32 sender, uint32 window, uint32 max packet
//   CHANNEL_OPEN_FAILURE (92): uint32 recipient, uint32 reason, string description, string language
//   GLOBAL_REQUEST (80): string name, boolean want-reply, ... (keepalive@openssh.com gets FAILURE,
//   which is how OpenSSH answers it too: any answer proves we are alive)

import { Msg, SshReader, SshWriter, protocolError } from '../core/index';
import { SERVER_MAX_PACKET, SERVER_WINDOW, ServerChannel } from './channel';
import type { StartProgram } from './program';

/** RFC 4254 §5.1 reason codes. */
const OPEN_ADMINISTRATIVELY_PROHIBITED = 1;
const OPEN_UNKNOWN_CHANNEL_TYPE = 3;
const OPEN_RESOURCE_SHORTAGE = 4;

export const MAX_CHANNELS = 8;

export class ServerConnectionLayer {
  readonly channels = new Map<number, ServerChannel>();
  private nextId = 0;

  constructor(
    private readonly user: string,
    private readonly send: (payload: Uint8Array) => void,
    private readonly startProgram: StartProgram,
  ) {}

  /** Messages 80-127. False for numbers this layer does not know. */
  handle(payload: Uint8Array): boolean {
    const r = new SshReader(payload);
    const n = r.byte();
    switch (n) {
      case Msg.GLOBAL_REQUEST:
        r.string('the request name');
        if (r.boolean('want-reply')) this.send(Uint8Array.of(Msg.REQUEST_FAILURE));
        return true;
      case Msg.CHANNEL_OPEN:
        this.open(r);
        return true;
      case Msg.REQUEST_SUCCESS:
      case Msg.REQUEST_FAILURE:
        return true; // we send no global requests; stray replies are harmless
    }
    if (n < Msg.CHANNEL_WINDOW_ADJUST || n > Msg.CHANNEL_FAILURE) return false;
    const id = r.uint32('the channel id');
    const channel = this.channels.get(id);
    if (!channel) throw protocolError(`message ${n} for unknown channel ${id}`);
    channel.handle(n, r);
    if (n === Msg.CHANNEL_CLOSE) this.channels.delete(id);
    return true;
  }

  /** The connection ended: every program is hung up. */
  hangup(): void {
    for (const c of this.channels.values()) c.finish();
    this.channels.clear();
  }

  private open(r: SshReader): void {
    const type = r.string('the channel type');
    const sender = r.uint32('the channel id');
    const window = r.uint32('the window size');
    const maxPacket = r.uint32('the maximum packet size');
    const refuse = (code: number, why: string) =>
      this.send(new SshWriter().byte(Msg.CHANNEL_OPEN_FAILURE).uint32(sender).uint32(code).string(why).string('').finish());
    if (type === 'direct-tcpip' || type === 'x11' || type === 'auth-agent@openssh.com') {
      return refuse(OPEN_ADMINISTRATIVELY_PROHIBITED, 'this server does not forward connections');
    }
    if (type !== 'session') return refuse(OPEN_UNKNOWN_CHANNEL_TYPE, `unknown channel type ${type}`);
    if (this.channels.size >= MAX_CHANNELS) return refuse(OPEN_RESOURCE_SHORTAGE, `at most ${MAX_CHANNELS} sessions per connection`);
    const id = this.nextId++;
    const channel = new ServerChannel(id, sender, window, maxPacket, this.user, this.send, this.startProgram);
    this.channels.set(id, channel);
    this.send(
      new SshWriter().byte(Msg.CHANNEL_OPEN_CONFIRMATION).uint32(sender).uint32(id).uint32(SERVER_WINDOW).uint32(SERVER_MAX_PACKET).finish(),
    );
  }
}
