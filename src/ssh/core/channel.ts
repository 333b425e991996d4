// A session channel (RFC 4254 §5-6): pty, shell or exec, data both ways under flow control,
// window-change, EOF/close, exit-status and exit-signal.
//   CHANNEL_DATA (94): uint32 recipient, string data
//   CHANNEL_EXTENDED_DATA (95): uint32 recipient, uint32 type (1 = stderr), string data
//   CHANNEL_WINDOW_ADJUST (93): uint32 recipient, uint32 bytes to add
//   CHANNEL_REQUEST (98): uint32 recipient, string type, boolean want-reply, type-specific data

import { utf8 } from './wire/bytes';
import { Emitter } from './emitter';
import { SshError, protocolError } from './wire/errors';
import { Msg } from './wire/messages';
import { SshReader, SshWriter } from './wire/wire';

/**
 * What the server may send before we acknowledge it. A terminal acknowledges output once it has parsed
 * it, and during a flood it parses once a frame: the window must cover a frame's worth and more on its
 * way, or the server waits for us. With OpenSSH's 2 MB the terminal took 29 MB/s and drew a frame per
 * MB; with 4 MB, 35 MB/s at 0.64 frames per MB (bench:ssh), and 41 MB/s once the browser's output
 * batcher held shares of it (src/ssh/browser/output-batcher.ts). Larger still is faster yet, but all
 * of it is drawn before the shell's answer to Ctrl+C: 8 MB took 160 ms to show that line, 4 MB 110,
 * 2 MB 90.
 */
export const LOCAL_WINDOW = 4 * 1024 * 1024;
export const LOCAL_MAX_PACKET = 32768;

export type ExitInfo = { code: number } | { signal: string; coreDumped: boolean; message: string };

export interface ChannelEvents extends Record<string, unknown> {
  data: Uint8Array;
  stderr: Uint8Array;
  exit: ExitInfo;
  eof: void;
  close: SshError | undefined;
}

export interface PtyOptions {
  term?: string;
  cols: number;
  rows: number;
  widthPx?: number;
  heightPx?: number;
  /** Environment for the session (RFC 4254 §6.4), such as LANG; servers take only the names they accept. */
  env?: Record<string, string>;
}

type ChannelState = 'opening' | 'open' | 'closing' | 'closed';

export class SshChannel extends Emitter<ChannelEvents> {
  state: ChannelState = 'opening';
  remoteId = -1;
  exit: ExitInfo | undefined;
  private remoteWindow = 0;
  private remoteMaxPacket = 0;
  private localWindow = LOCAL_WINDOW;
  private unacknowledged = 0;
  private queued: Uint8Array[] = [];
  private eofPending = false;
  private sentEof = false;
  private sentClose = false;
  private replies: Array<{ what: string; resolve(): void; reject(e: SshError): void }> = [];

  constructor(
    readonly localId: number,
    private readonly sendPayload: (payload: Uint8Array) => void,
    /** 'auto' acknowledges data as soon as it is delivered; 'manual' waits for consume(n). */
    private readonly flow: 'auto' | 'manual' = 'auto',
  ) {
    super();
  }

  /** Bytes the server may still send before we adjust the window. */
  get receiveWindow(): number {
    return this.localWindow;
  }

  /** Bytes waiting for the server to open its window. */
  get bufferedAmount(): number {
    return this.queued.reduce((n, c) => n + c.length, 0);
  }

  opened(remoteId: number, window: number, maxPacket: number): void {
    this.remoteId = remoteId;
    this.remoteWindow = window;
    this.remoteMaxPacket = Math.max(1, Math.min(maxPacket, LOCAL_MAX_PACKET));
    this.state = 'open';
  }

  write(data: Uint8Array | string): void {
    if (this.state !== 'open' || this.sentEof) throw new SshError('closed', 'The session is closed; nothing more can be sent.');
    const bytes = typeof data === 'string' ? utf8(data) : data;
    if (bytes.length) this.queued.push(bytes);
    this.flush();
  }

  /** pty-req (RFC 4254 §6.2) with the terminal's real size. */
  requestPty(p: PtyOptions): Promise<void> {
    // Encoded terminal modes (§8): VERASE=DEL as xterm.js sends it, IUTF8 on, TTY_OP_END.
    const modes = new SshWriter().byte(3).uint32(127).byte(42).uint32(1).byte(0).finish();
    return this.request('pty-req', (w) =>
      w.string(p.term ?? 'xterm-256color').uint32(p.cols).uint32(p.rows).uint32(p.widthPx ?? 0).uint32(p.heightPx ?? 0).bytes(modes),
    );
  }

  /** env (§6.4) without a reply, as OpenSSH's SendEnv: a server that does not accept a name ignores it. */
  setEnv(name: string, value: string): void {
    if (this.state !== 'open') return;
    this.sendPayload(this.header('env', false).string(name).string(value).finish());
  }

  requestShell(): Promise<void> {
    return this.request('shell', (w) => w);
  }

  requestExec(command: string): Promise<void> {
    return this.request('exec', (w) => w.string(command));
  }

  /** subsystem (§6.5), such as "sftp". */
  requestSubsystem(name: string): Promise<void> {
    return this.request('subsystem', (w) => w.string(name));
  }

  /** window-change (§6.7): no reply is requested. */
  resize(cols: number, rows: number, widthPx = 0, heightPx = 0): void {
    if (this.state !== 'open') return;
    this.sendPayload(this.header('window-change', false).uint32(cols).uint32(rows).uint32(widthPx).uint32(heightPx).finish());
  }

  /** Manual flow control: tell the channel that n delivered bytes were processed. */
  consume(n: number): void {
    if (this.flow === 'manual') this.acknowledge(n);
  }

  /** Sends EOF once queued data has gone out. */
  eof(): void {
    if (this.state !== 'open' || this.sentEof) return;
    this.eofPending = true;
    this.flush();
  }

  close(): void {
    if (this.state === 'closed' || this.sentClose) return;
    if (this.state === 'opening') return; // closed when the open answer arrives (connection.ts)
    this.sentClose = true;
    this.state = 'closing';
    this.sendPayload(new SshWriter().byte(Msg.CHANNEL_CLOSE).uint32(this.remoteId).finish());
  }

  private header(type: string, wantReply: boolean): SshWriter {
    return new SshWriter().byte(Msg.CHANNEL_REQUEST).uint32(this.remoteId).string(type).boolean(wantReply);
  }

  private request(type: string, body: (w: SshWriter) => SshWriter): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new SshError('closed', 'The session is closed.'));
    return new Promise<void>((resolve, reject) => {
      this.replies.push({ what: type, resolve, reject });
      this.sendPayload(body(this.header(type, true)).finish());
    });
  }

  private flush(): void {
    while (this.queued.length && this.remoteWindow > 0 && this.state === 'open') {
      const head = this.queued[0];
      const n = Math.min(head.length, this.remoteWindow, this.remoteMaxPacket);
      const chunk = head.subarray(0, n);
      if (n === head.length) this.queued.shift();
      else this.queued[0] = head.subarray(n);
      this.remoteWindow -= n;
      this.sendPayload(new SshWriter().byte(Msg.CHANNEL_DATA).uint32(this.remoteId).bytes(chunk).finish());
    }
    if (this.eofPending && !this.queued.length && this.state === 'open') {
      this.eofPending = false;
      this.sentEof = true;
      this.sendPayload(new SshWriter().byte(Msg.CHANNEL_EOF).uint32(this.remoteId).finish());
    }
  }

  private acknowledge(n: number): void {
    this.unacknowledged += n;
    // Adjust in steps of an eighth of the window rather than one WINDOW_ADJUST per packet, yet often
    // enough that the server rarely finds the window closed while the reply is on its way (OpenSSH
    // adjusts after three maximum packets).
    if (this.unacknowledged >= LOCAL_WINDOW / 8 && this.state === 'open') {
      this.localWindow += this.unacknowledged;
      this.sendPayload(new SshWriter().byte(Msg.CHANNEL_WINDOW_ADJUST).uint32(this.remoteId).uint32(this.unacknowledged).finish());
      this.unacknowledged = 0;
    }
  }

  private receiveData(data: Uint8Array, event: 'data' | 'stderr'): void {
    if (data.length > this.localWindow) throw protocolError(`the server sent ${data.length} bytes into a window of ${this.localWindow}`);
    this.localWindow -= data.length;
    this.emit(event, data);
    if (this.flow === 'auto') this.acknowledge(data.length);
  }

  /** Called by the connection layer with a message for this channel (reader past recipient id). */
  handle(n: number, r: SshReader): void {
    switch (n) {
      case Msg.CHANNEL_DATA:
        return this.receiveData(r.bytes('channel data'), 'data');
      case Msg.CHANNEL_EXTENDED_DATA: {
        const type = r.uint32('the extended data type');
        const data = r.bytes('channel data');
        return this.receiveData(data, type === 1 ? 'stderr' : 'data');
      }
      case Msg.CHANNEL_WINDOW_ADJUST:
        // The window may not exceed 2^32-1 (RFC 4254 §5.2).
        this.remoteWindow = Math.min(0xffffffff, this.remoteWindow + r.uint32('the window size'));
        return this.flush();
      case Msg.CHANNEL_EOF:
        return this.emit('eof', undefined);
      case Msg.CHANNEL_CLOSE:
        if (!this.sentClose) {
          this.sentClose = true;
          this.sendPayload(new SshWriter().byte(Msg.CHANNEL_CLOSE).uint32(this.remoteId).finish());
        }
        return this.finish(undefined);
      case Msg.CHANNEL_REQUEST:
        return this.onRequest(r);
      case Msg.CHANNEL_SUCCESS:
      case Msg.CHANNEL_FAILURE: {
        const waiting = this.replies.shift();
        if (!waiting) throw protocolError('a channel request reply nobody asked for');
        if (n === Msg.CHANNEL_SUCCESS) waiting.resolve();
        else waiting.reject(new SshError('request-refused', `The server refused the ${waiting.what} request.`));
        return;
      }
    }
  }

  private onRequest(r: SshReader): void {
    const type = r.string('the request type');
    const wantReply = r.boolean('want-reply');
    if (type === 'exit-status') {
      this.exit = { code: r.uint32('the exit status') };
      this.emit('exit', this.exit);
    } else if (type === 'exit-signal') {
      // string signal name without "SIG", boolean core dumped, string error message, string language
      this.exit = { signal: r.string('the signal name'), coreDumped: r.boolean('core dumped'), message: r.string('the error message') };
      this.emit('exit', this.exit);
    }
    // Everything else (keepalive@openssh.com, eow@openssh.com, ...) gets FAILURE if a reply is wanted.
    if (wantReply && this.state !== 'closed') this.sendPayload(new SshWriter().byte(Msg.CHANNEL_FAILURE).uint32(this.remoteId).finish());
  }

  /** Ends the channel: after CLOSE both ways, or when the connection dies (error set). */
  finish(error: SshError | undefined): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const pending = this.replies;
    this.replies = [];
    for (const p of pending) p.reject(error ?? new SshError('closed', `The session closed before the ${p.what} request was answered.`));
    this.queued = [];
    this.emit('close', error);
  }
}
