// The SSH worker's shell output, gathered into messages for the page. A pty hands sshd about 4 KB at a
// time, so a fast command arrives as thousands of small packets; one postMessage and one terminal write
// per packet would cost more than decrypting them. Output goes out when 256 KB have gathered, or at the
// end of the current task. While the page is behind (it has not yet parsed BEHIND bytes of what it was
// sent), output is held until it catches up or MAX_HELD bytes have gathered: the page could not show it
// sooner, and every message costs it a wake-up. The packets' bytes are kept as they are (views of each
// decrypted packet) and copied once, into a buffer of exactly the batch's size that is transferred.

export class OutputBatcher {
  static readonly SIZE = 256 * 1024;
  static readonly BEHIND = 512 * 1024;
  static readonly MAX_HELD = 1024 * 1024;
  private parts: Uint8Array[] = [];
  private used = 0;
  /** Sent to the page and not yet acknowledged (parsed by its terminal). */
  private unacked = 0;
  private scheduled = false;
  private readonly channel = new MessageChannel();

  constructor(private readonly send: (data: ArrayBuffer) => void) {
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

  flush(): void {
    if (this.used === 0) return;
    const out = new Uint8Array(this.used);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    this.parts = [];
    this.used = 0;
    this.unacked += out.length;
    this.send(out.buffer);
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
