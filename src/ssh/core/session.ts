// What a session of either role is on top of its transport (the client's SshClient, the server's
// ServerSession in src/ssh/server): how far key exchange got, and when what it wrote is out.

import { Emitter } from './emitter';
import type { PacketPump } from './packet-pump';

export abstract class SessionBase<Events extends Record<string, unknown>> extends Emitter<Events> {
  protected abstract readonly transport: PacketPump<{ readonly ourInit: Uint8Array }>;

  /** Strict key exchange (the Terrapin fix) was agreed in the first exchange. */
  get strictKex(): boolean {
    return this.transport.strictKex;
  }

  /** Completed key exchanges, the first one included. */
  get kexCount(): number {
    return this.transport.kexCount;
  }

  /** Resolves once every byte queued so far has been passed to `output` (before closing a socket). */
  flushed(): Promise<void> {
    return this.transport.flushed();
  }
}
