// The half of the SSH transport (RFC 4253) that is the same on both sides of the wire: the peer's
// version line, packets in and out in sequence order, holding back our messages during a key
// exchange, switching keys (with the strict-kex sequence resets), the generic messages
// (DISCONNECT, IGNORE, DEBUG, UNIMPLEMENTED), byte-count rekeying, the one fatal path and the end
// of the stream. The client's Transport and the server's ServerTransport (src/ssh/server) extend it
// with their role: who answers the key exchange, host keys, extensions, services, and the Voice
// their errors are worded in.
// Sans-IO: bytes in through receive(), bytes out through io.output().

import { utf8 } from './wire/bytes';
import type { Opener, Sealer } from './cipher/types';
import { SshError, protocolError, type Voice } from './wire/errors';
import { Msg, isKexMessage } from './wire/messages';
import { PacketDecoder, PacketEncoder } from './packet';
import { VersionReader } from './version';
import { SshReader, SshWriter } from './wire/wire';

/** The abstract members are the role; K is its per-exchange kex state. */
export abstract class PacketPump<K extends { readonly ourInit: Uint8Array; readonly guessMessage?: Uint8Array }> {
  /** How the role words errors about the other side; its `peer` names that side in log lines too. */
  protected abstract readonly voice: Voice;
  /** State for a new exchange, whoever started it (us, a byte count, or the peer's KEXINIT). */
  protected abstract newKex(): K;
  /** Key exchange messages (20-49), in order; a KEXINIT from the peer has started an exchange if none ran. */
  protected abstract onKexMessage(payload: Uint8Array, kex: K): void | Promise<void>;
  /** Every other message above the generic ones; false means "unknown", answered with UNIMPLEMENTED. */
  protected abstract onMessage(payload: Uint8Array): boolean | Promise<boolean>;
  /** The peer sent DISCONNECT: how the role reports that. */
  protected abstract peerDisconnected(code: number, description: string): SshError;
  /** Called once, when the session ends; our DISCONNECT (if any) is already queued. */
  protected abstract onEnd(failure: SshError): void;

  protected readonly versionReader = new VersionReader();
  private readonly encoder = new PacketEncoder();
  private readonly decoder = new PacketDecoder();
  private peerLine: string | undefined;
  private running: K | null = null;
  private newKeysSent = false;
  private strict = false;
  private exchanges = 0;
  private packetsReceived = 0;
  /** Our messages that may not go out until our NEWKEYS has (RFC 4253 §7.1). */
  private held: Uint8Array[] = [];
  /** Sealing runs concurrently; this chain writes the results in sequence order. */
  private outChain: Promise<void> = Promise.resolve();
  private dead = false;
  private pumping = false;
  /** Bytes arrived while the loop was awaiting: it looks at the input again before it stops. */
  private kick = false;
  /** A stream end that came while packets were still being decrypted: reported after them. */
  private endPending: (() => void) | undefined;

  /** @param rekeyBytes rekey after this many bytes in either direction (default 1 GiB, as OpenSSH) */
  constructor(
    private readonly io: { output(bytes: Uint8Array): void; log(message: string): void },
    private readonly rekeyBytes = 2 ** 30,
  ) {}

  /** The peer's identification line, once it has arrived. */
  get peerVersion(): string | undefined {
    return this.peerLine;
  }
  get closed(): boolean {
    return this.dead;
  }
  get strictKex(): boolean {
    return this.strict;
  }
  /** Completed exchanges. */
  get kexCount(): number {
    return this.exchanges;
  }
  get kexInProgress(): boolean {
    return this.running !== null;
  }

  receive(bytes: Uint8Array): void {
    if (this.dead) return;
    this.decoder.input.push(bytes);
    this.kick = true;
    if (!this.pumping) void this.pump();
  }

  /** Queues a message; held back while a key exchange has not yet switched our keys (RFC 4253 §7.1). */
  send(payload: Uint8Array): void {
    if (this.dead) return;
    const n = payload[0];
    if (this.running && !this.newKeysSent && !((n >= Msg.DISCONNECT && n <= Msg.DEBUG) || isKexMessage(n))) {
      this.held.push(payload);
      return;
    }
    this.emit(payload);
  }

  /** Resolves once everything queued so far has been handed to io.output(). */
  flushed(): Promise<void> {
    return this.outChain;
  }

  /**
   * The one fatal path: DISCONNECT with the error's reason code (unless the peer ended it or never
   * spoke SSH), stop, report once.
   */
  fail(error: SshError, notifyPeer = true): void {
    if (this.dead) return;
    this.dead = true; // first, so nothing (a rekey, a second failure) can follow the DISCONNECT
    const failure = error.spokenBy(this.voice);
    if (notifyPeer && this.peerLine !== undefined) {
      this.emit(new SshWriter().byte(Msg.DISCONNECT).uint32(failure.reason).string(failure.message).string('').finish());
    }
    this.held = [];
    this.onEnd(failure);
  }

  /**
   * The byte stream ended. Bytes that arrived before the end are still decoded first: a peer's
   * DISCONNECT right before it closes is its last word, and must not be lost to asynchronous
   * decryption. `failure` is asked for only then, so it can look at what was read.
   */
  protected streamEnded(failure: () => SshError): void {
    if (this.dead) return;
    if (this.pumping) {
      this.endPending ??= () => this.streamEnded(failure);
      return;
    }
    this.fail(failure(), false);
  }

  /**
   * Opens the conversation: our identification line, then our KEXINIT (RFC 4253 §4.2, §7.1); the
   * peer's may arrive in any order. `before` goes out between them (a test peer that breaks strict kex).
   */
  protected open(identification: string, before: readonly Uint8Array[] = []): void {
    this.io.output(utf8(identification + '\r\n'));
    for (const payload of before) this.send(payload);
    this.startKex();
  }

  /** The fatal error for anything thrown while sealing, decoding or handling a packet (fail() words it in the role's voice). */
  private asFailure(e: unknown): SshError {
    if (e instanceof SshError) return e;
    return new SshError('protocol-error', this.voice.internal(e instanceof Error ? e.message : String(e)));
  }

  /** Starts an exchange unless one runs: sends our KEXINIT and holds everything else until keysOut(). */
  protected startKex(): void {
    if (this.running || this.dead) return;
    this.running = this.newKex();
    this.newKeysSent = false;
    this.emit(this.running.ourInit);
    const guess = this.running.guessMessage; // RFC 4253 §7: our first method's packet, before the peer's KEXINIT
    if (guess) this.emit(guess);
  }

  /** Strict kex was agreed in the first exchange (OpenSSH PROTOCOL "kex-strict", the Terrapin fix). */
  protected enableStrictKex(): void {
    this.strict = true;
    if (this.packetsReceived !== 1) throw protocolError('KEXINIT was not the first packet under strict key exchange');
  }

  /**
   * Sends NEWKEYS under the old keys and seals everything after it with `sealer`: first `next`
   * (EXT_INFO must follow NEWKEYS at once, RFC 8308 §2.4), then what was held.
   */
  protected keysOut(sealer: Sealer, next: Uint8Array[] = []): void {
    this.emit(Uint8Array.of(Msg.NEWKEYS));
    this.encoder.setSealer(sealer);
    if (this.strict) this.encoder.seq = 0;
    this.newKeysSent = true;
    const held = this.held;
    this.held = [];
    for (const p of [...next, ...held]) this.emit(p);
  }

  /**
   * The peer's NEWKEYS arrived: open what follows with `opener` and end the exchange. Packets the
   * decoder read ahead under the old keys are put back and read again (PacketDecoder.setOpener).
   */
  protected keysIn(opener: Opener | undefined): void {
    if (!this.running || !this.newKeysSent || !opener) throw protocolError('NEWKEYS before the key exchange finished');
    this.decoder.setOpener(opener);
    if (this.strict) this.decoder.seq = 0;
    this.running = null;
    this.exchanges++;
  }

  private emit(payload: Uint8Array): void {
    let sealed: Promise<Uint8Array>;
    try {
      sealed = this.encoder.encode(payload); // takes its sequence number now
    } catch (e) {
      return this.fail(this.asFailure(e));
    }
    this.outChain = this.outChain.then(
      () => sealed.then((bytes) => this.io.output(bytes)),
      () => undefined,
    );
    sealed.catch((e) => this.fail(this.asFailure(e)));
    this.checkRekey(this.encoder.bytesSinceKex);
  }

  private checkRekey(bytesSinceKex: number): void {
    if (!this.dead && this.exchanges > 0 && !this.running && bytesSinceKex >= this.rekeyBytes) this.startKex();
  }

  /** Hands out payloads one at a time, in order, each handled before the next. */
  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      do {
        this.kick = false;
        while (!this.dead) {
          if (this.peerLine === undefined) {
            const line = this.versionReader.read(this.decoder.input);
            if (line === null) break;
            this.peerLine = line;
            this.io.log(`${this.voice.peer} version: ${line}`);
            continue;
          }
          const payload = await this.decoder.next();
          if (!payload || this.dead) break;
          this.packetsReceived++;
          await this.dispatch(payload);
          this.checkRekey(this.decoder.bytesSinceKex);
        }
      } while (this.kick && !this.dead);
    } catch (e) {
      this.fail(this.asFailure(e));
    } finally {
      this.pumping = false;
      const end = this.endPending;
      this.endPending = undefined;
      end?.();
    }
  }

  private async dispatch(payload: Uint8Array): Promise<void> {
    const n = payload[0];
    // Until the first NEWKEYS under strict kex, only kex messages (and a goodbye) are allowed.
    if (this.strict && this.exchanges === 0 && !isKexMessage(n) && n !== Msg.DISCONNECT) {
      throw protocolError(`message ${n} during the initial strict key exchange`);
    }
    switch (n) {
      case Msg.DISCONNECT: {
        // RFC 4253 §11.1: uint32 reason code, string description, string language tag.
        const r = new SshReader(payload);
        r.byte();
        const code = r.uint32('the disconnect reason');
        const description = r.remaining ? r.string('the disconnect description') : '';
        return this.fail(this.peerDisconnected(code, description), false);
      }
      case Msg.IGNORE:
      case Msg.DEBUG:
        return;
      case Msg.UNIMPLEMENTED:
        this.io.log(`${this.voice.peer}: unimplemented message (seq ${new SshReader(payload.subarray(1)).uint32()})`);
        return;
    }
    if (isKexMessage(n)) {
      if (n === Msg.KEXINIT) this.startKex(); // if the peer started it: a rekey from its side
      if (!this.running) throw protocolError(`key exchange message ${n} outside a key exchange`);
      return this.onKexMessage(payload, this.running);
    }
    const handled = await this.onMessage(payload);
    if (!handled && !this.dead) {
      this.io.log(`unimplemented message ${n}`);
      // RFC 4253 §11.4: uint32 sequence number of the rejected packet.
      this.send(new SshWriter().byte(Msg.UNIMPLEMENTED).uint32(this.decoder.lastSeq >>> 0).finish());
    }
  }
}
