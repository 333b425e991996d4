// The SSH worker's shell output, gathered into messages for the page. A pty hands sshd about 4 KB at a
// time, so a fast command arrives as thousands of small packets; one postMessage and one terminal write
// per packet would cost more than decrypting them. Output goes out when 256 KB have gathered, or at the
// end of the current task. While the page is behind (it has not yet parsed BEHIND bytes of what it was
// sent), output is held until it catches up or MAX_HELD bytes have gathered: the page could not show it
// sooner, and every message costs it a wake-up. Both are shares of the SSH window, which bounds what is
// unacknowledged: held to a quarter and a half of it, a flood reached 41 MB/s (bench:ssh), against 37
// with half and half, 36 with an eighth and a quarter, and 34 with no holding. The packets' bytes are
// kept as they are (views of each decrypted packet) and copied once, into a buffer that is transferred
// with the batch's length. The page transfers a large buffer back once its terminal has parsed it
// (recycle), and the next batch that fits is copied into it: a flood then allocates no new buffers on
// either side, which would each be garbage for the page's collector soon after (it walks the page's
// whole heap, the terminal's scrollback too).

import { LOCAL_WINDOW } from '../core/index';

export class OutputBatcher {
  static readonly SIZE = 256 * 1024;
  static readonly BEHIND = LOCAL_WINDOW / 4;
  static readonly MAX_HELD = LOCAL_WINDOW / 2;
  /** Buffers given back and kept for the next batches; smaller ones are left to the collector. */
  static readonly SPARES = 2;
  private parts: Uint8Array[] = [];
  private readonly spares: ArrayBuffer[] = [];
  private used = 0;
  /** Sent to the page and not yet acknowledged (parsed by its terminal). */
  private unacked = 0;
  private scheduled = false;
  private readonly channel = new MessageChannel();

  /** `send` transfers `data`, whose first `length` bytes are the batch. */
  constructor(private readonly send: (data: ArrayBuffer, length: number) => void) {
    this.channel.port1.onmessage = () => {
      this.scheduled = false;
      if (!this.behind()) this.flush();
    };
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.parts.push(bytes);
    this.used += bytes.length;
    if (this.used >= (this.behind() ? OutputBatcher.MAX_HELD : OutputBatcher.SIZE)) this.flush();
    else this.schedule();
  }

  /** The page parsed `n` bytes: if it caught up, what was held goes out. */
  acked(n: number): void {
    this.unacked = Math.max(0, this.unacked - n);
    if (this.used > 0 && !this.behind()) this.schedule();
  }

  /** A buffer the page has parsed and given back. */
  recycle(buffer: ArrayBuffer): void {
    if (buffer.byteLength >= OutputBatcher.SIZE && this.spares.length < OutputBatcher.SPARES) this.spares.push(buffer);
  }

  flush(): void {
    if (this.used === 0) return;
    const spare = this.spares.findIndex((b) => b.byteLength >= this.used);
    // A large batch gets a buffer worth recycling; a small one (an echo, a prompt) exactly its size.
    const fresh = () => new ArrayBuffer(this.used >= OutputBatcher.SIZE / 4 ? Math.max(this.used, OutputBatcher.SIZE) : this.used);
    const out = new Uint8Array(spare >= 0 ? this.spares.splice(spare, 1)[0] : fresh(), 0, this.used);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    this.parts = [];
    this.used = 0;
    this.unacked += out.length;
    this.send(out.buffer as ArrayBuffer, out.length);
  }

  private behind(): boolean {
    return this.unacked >= OutputBatcher.BEHIND;
  }

  /** A task after this one: everything decrypted meanwhile joins the batch. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.channel.port2.postMessage(null);
  }
}
