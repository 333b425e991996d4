// One session channel, server side (RFC 4254 §5-6): flow-control windows both ways, pty and
// window-change, shell or exec, then EOF, exit-status and CLOSE.
//   CHANNEL_DATA (94): uint32 recipient, string data
//   CHANNEL_WINDOW_ADJUST (93): uint32 recipient, uint32 bytes to add
//   CHANNEL_REQUEST (98): uint32 recipient, string type, boolean want-reply, type-specific data
//     pty-req: string TERM, uint32 cols, uint32 rows, uint32 width px, uint32 height px, string modes
//     window-change: uint32 cols, uint32 rows, uint32 width px, uint32 height px
//     exec: string command; subsystem: string name; exit-status: uint32 code

import { Msg, SshReader, SshWriter, protocolError, utf8 } from '../core/index';
import type { Program, ProgramIO, ProgramRequest, PtyInfo, StartProgram } from './program';

/** What we let the client send before it must wait for WINDOW_ADJUST. */
export const SERVER_WINDOW = 256 * 1024;
export const SERVER_MAX_PACKET = 32768;
/** Programs pause (drained()) while more than this much output is queued. */
export const OUTPUT_HIGH_WATER = 64 * 1024;

export class ServerChannel implements ProgramIO {
  pty: PtyInfo | undefined;
  private program: Program | undefined;
  private remoteWindow: number;
  private readonly remoteMaxPacket: number;
  private localWindow = SERVER_WINDOW;
  private unacknowledged = 0;
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private waiters: Array<() => void> = [];
  private exitCode: number | undefined;
  private sentEof = false;
  private sentClose = false;
  private ended = false;
  private holding = false;

  constructor(
    readonly localId: number,
    readonly remoteId: number,
    window: number,
    maxPacket: number,
    readonly user: string,
    private readonly send: (payload: Uint8Array) => void,
    private readonly startProgram: StartProgram,
  ) {
    this.remoteWindow = window;
    this.remoteMaxPacket = Math.max(1, Math.min(maxPacket, SERVER_MAX_PACKET));
  }

  get closed(): boolean {
    return this.ended || this.sentClose;
  }

  /** Output bytes waiting for the client's window (tests read it to check flow control). */
  get buffered(): number {
    return this.queuedBytes;
  }

  write(data: Uint8Array | string): void {
    if (this.closed || this.sentEof || this.exitCode !== undefined) return;
    const bytes = typeof data === 'string' ? utf8(data) : data;
    if (bytes.length === 0) return;
    this.queue.push(bytes);
    this.queuedBytes += bytes.length;
    this.flush();
  }

  drained(): Promise<void> {
    if (this.closed || this.queuedBytes < OUTPUT_HIGH_WATER) return Promise.resolve();
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  exit(code: number): void {
    if (this.closed || this.exitCode !== undefined) return;
    this.exitCode = code >>> 0;
    this.flush();
  }

  /** Messages 93-100 for this channel; the reader is past the recipient id. */
  handle(n: number, r: SshReader): void {
    switch (n) {
      case Msg.CHANNEL_DATA:
        return this.receive(r.bytes('channel data'), true);
      case Msg.CHANNEL_EXTENDED_DATA:
        r.uint32('the extended data type');
        return this.receive(r.bytes('channel data'), false);
      case Msg.CHANNEL_WINDOW_ADJUST:
        this.remoteWindow = Math.min(0xffffffff, this.remoteWindow + r.uint32('the window size'));
        return this.flush();
      case Msg.CHANNEL_EOF:
        return this.program?.endOfInput();
      case Msg.CHANNEL_CLOSE:
        if (!this.sentClose) {
          this.sentClose = true;
          this.send(new SshWriter().byte(Msg.CHANNEL_CLOSE).uint32(this.remoteId).finish());
        }
        return this.finish();
      case Msg.CHANNEL_REQUEST:
        return this.request(r);
      case Msg.CHANNEL_SUCCESS:
      case Msg.CHANNEL_FAILURE:
        return; // we never ask the client anything that wants a reply
    }
  }

  /** The channel or the connection is gone: stop the program and wake anyone waiting to write. */
  finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue = [];
    this.queuedBytes = 0;
    for (const w of this.waiters.splice(0)) w();
    this.program?.hangup();
  }

  private receive(data: Uint8Array, stdin: boolean): void {
    if (data.length > this.localWindow) throw protocolError(`the client sent ${data.length} bytes into a window of ${this.localWindow}`);
    this.localWindow -= data.length;
    if (stdin && !this.closed) this.program?.input(data);
    // The shell consumes input at once, so acknowledge on delivery, in large steps like OpenSSH.
    this.unacknowledged += data.length;
    if (this.unacknowledged >= SERVER_WINDOW / 2 && !this.closed) {
      this.localWindow += this.unacknowledged;
      this.send(new SshWriter().byte(Msg.CHANNEL_WINDOW_ADJUST).uint32(this.remoteId).uint32(this.unacknowledged).finish());
      this.unacknowledged = 0;
    }
  }

  private request(r: SshReader): void {
    const type = r.string('the request type');
    const wantReply = r.boolean('want-reply');
    let ok = false;
    let start: ProgramRequest | undefined;
    switch (type) {
      case 'pty-req':
        if (!this.program) {
          const term = r.string('the terminal type');
          const cols = r.uint32('the terminal width');
          const rows = r.uint32('the terminal height');
          this.pty = { term, cols: clampSize(cols, 80), rows: clampSize(rows, 24) };
          ok = true;
        }
        break;
      case 'window-change':
        if (this.pty) {
          this.pty.cols = clampSize(r.uint32('the terminal width'), this.pty.cols);
          this.pty.rows = clampSize(r.uint32('the terminal height'), this.pty.rows);
          this.program?.resize({ cols: this.pty.cols, rows: this.pty.rows });
        }
        return; // no reply, whatever the flag says (RFC 4254 §6.7)
      case 'shell':
        start = { kind: 'shell' };
        break;
      case 'exec':
        start = { kind: 'exec', command: r.string('the command') };
        break;
      case 'subsystem':
        start = { kind: 'subsystem', name: r.string('the subsystem name') };
        break;
    }
    if (start && !this.program) {
      // Output the program makes as it starts waits until the reply has gone, so the client sees
      // SUCCESS ahead of the first output; a program that refuses (an unknown subsystem) is FAILURE.
      this.holding = true;
      this.program = this.startProgram(this, start);
      this.holding = false;
      ok = this.program !== undefined;
    }
    if (wantReply) this.send(new SshWriter().byte(ok ? Msg.CHANNEL_SUCCESS : Msg.CHANNEL_FAILURE).uint32(this.remoteId).finish());
    this.flush();
  }

  private flush(): void {
    if (this.holding) return;
    while (this.queue.length && this.remoteWindow > 0 && !this.closed) {
      const head = this.queue[0];
      const n = Math.min(head.length, this.remoteWindow, this.remoteMaxPacket);
      if (n === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(n);
      this.queuedBytes -= n;
      this.remoteWindow -= n;
      this.send(new SshWriter().byte(Msg.CHANNEL_DATA).uint32(this.remoteId).bytes(head.subarray(0, n)).finish());
    }
    if (this.queuedBytes < OUTPUT_HIGH_WATER) for (const w of this.waiters.splice(0)) w();
    if (this.exitCode !== undefined && this.queue.length === 0 && !this.closed) {
      // OpenSSH's order: EOF, exit-status, CLOSE.
      this.sentEof = true;
      this.send(new SshWriter().byte(Msg.CHANNEL_EOF).uint32(this.remoteId).finish());
      this.send(new SshWriter().byte(Msg.CHANNEL_REQUEST).uint32(this.remoteId).string('exit-status').boolean(false).uint32(this.exitCode).finish());
      this.sentClose = true;
      this.send(new SshWriter().byte(Msg.CHANNEL_CLOSE).uint32(this.remoteId).finish());
    }
  }
}

/** A zero or absurd size means "unknown" (RFC 4254 §6.2); keep the previous or a default. */
function clampSize(value: number, fallback: number): number {
  return value > 0 && value <= 10_000 ? value : fallback;
}
