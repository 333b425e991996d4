// Ephemeral key-exchange keys made before they are needed. A post-quantum key pair costs
// milliseconds to make (sntrup761 the most); a client that makes one per method it offers while the
// network is still being dialled spends none of that after the server's KEXINIT arrives.
// Each key is handed out once and forgotten: no key serves two exchanges.

import { createAgreement, type KeyAgreement } from './agreement';

/** Names that run the same method (the @openssh.com alias and its standard name) share one key. */
function family(kex: string): string {
  return kex.replace(/@(openssh\.com|libssh\.org)$/, '');
}

export class KexKeyPool {
  private readonly ready = new Map<string, KeyAgreement>();

  /** Makes one key for each method in `kex` that has none waiting (synchronous: call it when the thread is idle). */
  prepare(kex: readonly string[]): void {
    for (const name of kex) {
      const f = family(name);
      if (!this.ready.has(f)) this.ready.set(f, createAgreement(name));
    }
  }

  /** The waiting key for `kex`, removed from the pool; undefined when none was made. */
  take(kex: string): KeyAgreement | undefined {
    const f = family(kex);
    const key = this.ready.get(f);
    this.ready.delete(f);
    return key;
  }

  /** Methods with a key waiting. */
  get size(): number {
    return this.ready.size;
  }
}
