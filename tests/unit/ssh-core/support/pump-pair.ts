// Two PacketPumps talking to each other, for testing the pump on its own. The key exchange is a
// toy (each side switches keys on seeing the other's KEXINIT) and so is the cipher: a keyed XOR
// with a one-byte tag over key, sequence number and plaintext. That is enough to catch what
// matters here: a packet sealed or opened with the wrong keys or the wrong sequence number fails
// its tag, so any reordering or a missed strict-kex reset shows up as an integrity failure.
// Sealing and opening pass through Gates, which the tests hold and release in reverse order.

import { concat, readUint32 } from '../../../../src/ssh/core/wire/bytes';
import { IntegrityError, type Opener, type Sealer } from '../../../../src/ssh/core/cipher/types';
import { SshError, type SshErrorKind, type Voice } from '../../../../src/ssh/core/wire/errors';
import { Msg } from '../../../../src/ssh/core/wire/messages';
import { PacketPump } from '../../../../src/ssh/core/packet-pump';
import { memoryPipe } from '../../../../src/ssh/core/stream';

/** Holds asynchronous work while `held`; release() lets it all through, last first. */
export class Gate {
  held = false;
  private waiting: Array<() => void> = [];

  get pending(): number {
    return this.waiting.length;
  }

  pass<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const run = () => {
        try {
          resolve(work());
        } catch (e) {
          reject(e);
        }
      };
      if (this.held) this.waiting.push(run);
      else queueMicrotask(run);
    });
  }

  releaseReversed(): void {
    this.held = false;
    for (const run of this.waiting.splice(0).reverse()) run();
  }
}

function tag(key: number, seq: number, plain: Uint8Array): number {
  let sum = key + seq;
  for (const b of plain) sum += b;
  return sum & 0xff;
}

export function toySealer(key: number, gate: Gate): Sealer {
  return {
    name: `toy-${key}`,
    blockSize: 8,
    lengthExcluded: false,
    seal: (seq, packet) =>
      gate.pass(() => {
        const body = packet.subarray(4).map((b) => b ^ key);
        return concat(packet.subarray(0, 4), body, Uint8Array.of(tag(key, seq, packet.subarray(4))));
      }),
  };
}

export function toyOpener(key: number, gate: Gate): Opener {
  return {
    name: `toy-${key}`,
    blockSize: 8,
    lengthExcluded: false,
    macLength: 1,
    prefixLength: 4,
    concurrent: true, // so the decoder reads ahead, as it does with AES-GCM
    decryptLength: (_seq, prefix) => readUint32(prefix, 0),
    open: (seq, wire) =>
      gate.pass(() => {
        const plain = wire.subarray(4, wire.length - 1).map((b) => b ^ key);
        if (wire[wire.length - 1] !== tag(key, seq, plain)) throw new IntegrityError(`toy tag mismatch at seq ${seq}`);
        return plain;
      }),
  };
}

export interface End {
  kind: string;
  message: string;
}

/** Plain words: the toy peer reports what the pump found, without a role's sentences around it. */
const TOY_VOICE: Voice = {
  peer: 'peer',
  protocol: (detail) => detail,
  malformed: (detail) => detail,
  noCommon: (category) => `no ${category} in common`,
  notSsh: (sample) => `not SSH: ${sample}`,
  otherVersion: (line) => `not SSH-2: ${line}`,
  internal: (detail) => detail,
};

/** An End as the pump's error: its kind as is, and the toy's reason code (MAC_ERROR for integrity, else PROTOCOL_ERROR). */
function toyError(end: End): SshError {
  return new SshError(end.kind as SshErrorKind, end.message, { reason: end.kind === 'integrity-failure' ? 5 : 2 });
}

interface ToyKex {
  readonly ourInit: Uint8Array;
  /** Which exchange this is (1 = first); doubles as the toy key. */
  readonly n: number;
}

/** One side: the pump with a toy role. */
export class ToyPeer extends PacketPump<ToyKex> {
  readonly sealGate = new Gate();
  readonly openGate = new Gate();
  /** What reached the role, in order: 'kexinit', 'newkeys', or a message's bytes joined by commas. */
  readonly events: string[] = [];
  readonly ends: End[] = [];
  readonly logs: string[] = [];
  /** Exchanges started, by us, by a byte count or by the peer. */
  kexStarted = 0;
  protected readonly voice = TOY_VOICE;

  constructor(
    readonly name: string,
    write: (bytes: Uint8Array) => void,
    private readonly wantsStrict: boolean,
    rekeyBytes?: number,
  ) {
    super({ output: (bytes) => write(bytes), log: (message) => this.logs.push(message) }, rekeyBytes);
  }

  /** Version line, then optional packets before our KEXINIT, then KEXINIT. */
  start(before: Uint8Array[] = []): void {
    this.open(`SSH-2.0-${this.name}`, before);
  }

  /** The one fatal path, given an End the way the tests write one. */
  override fail(end: End | SshError, notifyPeer = true): void {
    super.fail(end instanceof SshError ? end : toyError(end), notifyPeer);
  }

  /** A rekey from this side. */
  rekey(): void {
    this.startKex();
  }

  streamClosed(end: End): void {
    this.streamEnded(() => toyError(end));
  }

  protected newKex(): ToyKex {
    this.kexStarted++;
    return { ourInit: Uint8Array.of(Msg.KEXINIT, this.wantsStrict ? 1 : 0), n: this.kexCount + 1 };
  }

  protected onKexMessage(payload: Uint8Array, kex: ToyKex): void {
    if (payload[0] === Msg.KEXINIT) {
      if (kex.n === 1 && this.wantsStrict && payload[1] === 1) this.enableStrictKex();
      this.events.push('kexinit');
      this.keysOut(toySealer(kex.n, this.sealGate));
    } else if (payload[0] === Msg.NEWKEYS) {
      this.keysIn(toyOpener(kex.n, this.openGate));
      this.events.push('newkeys');
    }
  }

  protected onMessage(payload: Uint8Array): boolean {
    this.events.push(payload.join(','));
    return payload[0] < 192; // 192 and up: "unknown", answered with UNIMPLEMENTED
  }

  protected peerDisconnected(code: number, description: string): SshError {
    return toyError({ kind: 'peer', message: `${code} ${description}` });
  }

  protected onEnd(error: SshError): void {
    this.ends.push({ kind: error.kind, message: error.message });
  }
}

/**
 * Two peers. With `pipe`, bytes flow through memoryPipe as they would over a socket; without it,
 * each side's output waits in a queue until deliver() hands all of it over as one chunk, so a
 * test decides exactly what the receiving decoder sees at once.
 */
export function pumpPair(options: { strict?: boolean; rekeyBytes?: number; pipe?: boolean } = {}) {
  const strict = options.strict ?? true;
  const queues = { a: [] as Uint8Array[], b: [] as Uint8Array[] };
  let a: ToyPeer;
  let b: ToyPeer;
  if (options.pipe) {
    const [ea, eb] = memoryPipe();
    a = new ToyPeer('a', (bytes) => ea.write(bytes), strict, options.rekeyBytes);
    b = new ToyPeer('b', (bytes) => eb.write(bytes), strict, options.rekeyBytes);
    ea.onData((bytes) => a.receive(bytes));
    eb.onData((bytes) => b.receive(bytes));
  } else {
    a = new ToyPeer('a', (bytes) => queues.a.push(bytes.slice()), strict, options.rekeyBytes);
    b = new ToyPeer('b', (bytes) => queues.b.push(bytes.slice()), strict, options.rekeyBytes);
  }
  /** Waits for `from`'s sealing to finish, then hands everything it wrote to the other side in one chunk. */
  async function deliver(from: ToyPeer, edit?: (bytes: Uint8Array) => void): Promise<number> {
    await from.flushed();
    const queue = from === a ? queues.a : queues.b;
    const count = queue.length;
    const bytes = concat(...queue.splice(0));
    edit?.(bytes);
    if (bytes.length) (from === a ? b : a).receive(bytes);
    await settle();
    return count;
  }
  /** Delivers both ways until neither side has anything more to say. */
  async function exchange(): Promise<void> {
    for (let i = 0; i < 50; i++) {
      if ((await deliver(a)) + (await deliver(b)) === 0) return;
    }
    throw new Error('the peers never went quiet');
  }
  return { a, b, queues, deliver, exchange };
}

/** Lets pending microtasks and one macrotask turn run (no clock is read). */
export async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setTimeout(resolve, 0));
}

/** Waits until `done()` holds, giving the event loop turns in between. */
export async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (done()) return;
    await settle(1);
  }
  throw new Error(`never happened: ${what}`);
}

/** A message above the transport: number n, then a marker byte. */
export function msg(n: number, marker: number, size = 0): Uint8Array {
  const p = new Uint8Array(2 + size);
  p[0] = n;
  p[1] = marker;
  return p;
}
