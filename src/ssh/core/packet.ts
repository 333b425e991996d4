// Binary packet protocol (RFC 4253 §6): framing, padding, sequence numbers, size bounds.
//   uint32 packet_length  (bytes after this field, excluding the MAC)
//   byte   padding_length (4..255; whole packet a multiple of max(8, block size))
//   byte[] payload
//   byte[] random padding
//   byte[] mac or AEAD tag
// Sequence numbers are uint32 and wrap (RFC 4253 §6.4); strict kex resets them (packet-pump.ts).

import { randomBytes, writeUint32 } from './wire/bytes';
import { noneOpener, noneSealer } from './cipher/none';
import { IntegrityError, type Opener, type Sealer } from './cipher/types';
import { SshError } from './wire/errors';

/** OpenSSH's PACKET_MAX_SIZE: nothing larger is accepted from the peer. */
export const MAX_PACKET_LENGTH = 256 * 1024;
/** Largest payload we send (RFC 4253 §6.1 requires peers to take at least 32768). */
export const MAX_OUTGOING_PAYLOAD = 32768 + 512;

/** Builds the plaintext packet with padding for the given alignment rules. */
export function framePacket(payload: Uint8Array, blockSize: number, lengthExcluded: boolean): Uint8Array {
  const align = Math.max(8, blockSize);
  const covered = (lengthExcluded ? 0 : 4) + 1 + payload.length;
  let padding = align - (covered % align);
  if (padding < 4) padding += align;
  const packetLength = 1 + payload.length + padding;
  const packet = new Uint8Array(4 + packetLength);
  writeUint32(packet, 0, packetLength);
  packet[4] = padding;
  packet.set(payload, 5);
  packet.set(randomBytes(padding), 5 + payload.length);
  return packet;
}

export class PacketEncoder {
  private sealer: Sealer = noneSealer;
  seq = 0;
  /** Bytes sent since the last key change; drives the 1 GiB rekey. */
  bytesSinceKex = 0;

  setSealer(sealer: Sealer): void {
    this.sealer = sealer;
    this.bytesSinceKex = 0;
  }

  /** Assigns the sequence number now, so callers may seal several packets concurrently. */
  encode(payload: Uint8Array): Promise<Uint8Array> {
    if (payload.length > MAX_OUTGOING_PAYLOAD) throw new RangeError(`payload of ${payload.length} bytes exceeds ${MAX_OUTGOING_PAYLOAD}`);
    const packet = framePacket(payload, this.sealer.blockSize, this.sealer.lengthExcluded);
    const seq = this.seq;
    this.seq = (this.seq + 1) >>> 0;
    this.bytesSinceKex += packet.length;
    return this.sealer.seal(seq, packet);
  }
}

/** A FIFO of received chunks that hands out contiguous slices without re-copying everything. */
export class InputQueue {
  private chunks: Uint8Array[] = [];
  length = 0;

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  /** The first n bytes as one array (merging chunks if needed); n must be <= length. */
  peek(n: number): Uint8Array {
    if (this.chunks[0].length < n) {
      const merged = new Uint8Array(n);
      let at = 0;
      while (at < n) {
        const c = this.chunks[0];
        const take = Math.min(c.length, n - at);
        merged.set(c.subarray(0, take), at);
        at += take;
        if (take === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(take);
      }
      this.chunks.unshift(merged);
    }
    return this.chunks[0].subarray(0, n);
  }

  /** Puts bytes back at the front, in the order given. */
  unshift(parts: Uint8Array[]): void {
    const kept = parts.filter((p) => p.length > 0);
    this.chunks.unshift(...kept);
    for (const p of kept) this.length += p.length;
  }

  take(n: number): Uint8Array {
    const out = this.peek(n);
    const first = this.chunks[0];
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.length -= n;
    return out;
  }

  /** Index of the first `byte` within the first `limit` bytes, or -1. */
  indexOf(byte: number, limit: number): number {
    let base = 0;
    for (const c of this.chunks) {
      const end = Math.min(c.length, limit - base);
      for (let i = 0; i < end; i++) if (c[i] === byte) return base + i;
      base += c.length;
      if (base >= limit) break;
    }
    return -1;
  }
}

/** A packet taken off the input whose decryption is under way; `result` settles in its own time. */
interface InFlight {
  seq: number;
  wire: Uint8Array;
  result: Promise<Uint8Array>;
}

/** How many packets a concurrent opener may be decrypting at once. */
const MAX_AHEAD = 64;

export class PacketDecoder {
  private opener: Opener = noneOpener;
  readonly input = new InputQueue();
  private pendingLength = -1;
  /** Sequence number of the next packet taken off the input. */
  seq = 0;
  /** Sequence number of the packet next() returned last (what UNIMPLEMENTED refers to). */
  lastSeq = -1;
  bytesSinceKex = 0;
  /**
   * Packets being decrypted ahead, in order. With a concurrent opener every whole packet in the input
   * starts decrypting at once (one WebCrypto call per packet would otherwise cost a thread hop each, in
   * turn), and next() hands them out in order. Those behind a NEWKEYS were read under the old keys:
   * setOpener() puts their bytes back to be read again.
   */
  private ahead: InFlight[] = [];
  /** A bad length found while reading ahead: thrown when its turn comes, unless new keys explain it. */
  private framingError: SshError | undefined;

  setOpener(opener: Opener): void {
    if (this.ahead.length) {
      this.seq = this.ahead[0].seq;
      this.input.unshift(this.ahead.map((p) => p.wire));
      this.ahead = [];
    }
    this.framingError = undefined;
    this.opener = opener;
    this.bytesSinceKex = 0;
  }

  /** The next payload, or null when more bytes are needed. Throws SshError on a bad packet. */
  async next(): Promise<Uint8Array | null> {
    if (!this.opener.concurrent) return this.nextInTurn();
    this.readAhead();
    const head = this.ahead.shift();
    if (!head) {
      if (this.framingError) throw this.framingError;
      return null;
    }
    this.lastSeq = head.seq;
    this.bytesSinceKex += head.wire.length; // counted when handed out, as the in-turn path does
    return head.result;
  }

  /** Starts decrypting every whole packet in the input (concurrent openers only; a no-op otherwise). */
  readAhead(): void {
    const o = this.opener;
    if (!o.concurrent) return;
    while (this.ahead.length < MAX_AHEAD && !this.framingError && this.input.length >= o.prefixLength) {
      let length: number;
      try {
        length = this.checkLength(o.decryptLength(this.seq, this.input.peek(o.prefixLength)) as number);
      } catch (e) {
        this.framingError = e instanceof SshError ? e : undefined;
        if (!this.framingError) throw e;
        return;
      }
      const total = 4 + length + o.macLength;
      if (this.input.length < total) return;
      const wire = this.input.take(total);
      const seq = this.nextSeq();
      const result = this.open(o, seq, wire);
      result.catch(() => undefined); // reported when its turn comes, or dropped with its keys
      this.ahead.push({ seq, wire, result });
    }
  }

  /** One packet at a time: for openers whose length or state depends on the packet before. */
  private async nextInTurn(): Promise<Uint8Array | null> {
    const o = this.opener;
    if (this.pendingLength < 0) {
      if (this.input.length < o.prefixLength) return null;
      // Checked before waiting for the body, so a forged huge length cannot make us buffer it.
      this.pendingLength = this.checkLength(await o.decryptLength(this.seq, this.input.peek(o.prefixLength)));
    }
    const total = 4 + this.pendingLength + o.macLength;
    if (this.input.length < total) return null;
    const wire = this.input.take(total);
    this.pendingLength = -1;
    const seq = this.nextSeq();
    this.lastSeq = seq;
    this.bytesSinceKex += total;
    return this.open(o, seq, wire);
  }

  private checkLength(length: number): number {
    const o = this.opener;
    if (length > MAX_PACKET_LENGTH) {
      throw new SshError('packet-too-large', (v) => `The ${v.peer} sent a packet of ${length} bytes; the limit is ${MAX_PACKET_LENGTH}. The connection was closed.`);
    }
    const aligned = o.lengthExcluded ? length : length + 4;
    if (length < 5 || aligned % Math.max(8, o.blockSize) !== 0) {
      throw new SshError('integrity-failure', (v) => `The ${v.peer} sent a packet with an invalid length (${length}). The data may have been altered; the connection was closed.`);
    }
    return length;
  }

  private nextSeq(): number {
    const seq = this.seq;
    this.seq = (this.seq + 1) >>> 0;
    return seq;
  }

  private async open(o: Opener, seq: number, wire: Uint8Array): Promise<Uint8Array> {
    let plain: Uint8Array;
    try {
      plain = await o.open(seq, wire);
    } catch (e) {
      if (e instanceof IntegrityError) {
        const why = e.message;
        throw new SshError('integrity-failure', (v) => `Data from the ${v.peer} failed its integrity check (${why}). It may have been altered in transit; the connection was closed.`);
      }
      throw e;
    }
    const padding = plain[0];
    if (padding < 4 || padding + 1 > plain.length) {
      throw new SshError('integrity-failure', (v) => `The ${v.peer} sent a packet with invalid padding (${padding} bytes). The connection was closed.`);
    }
    return plain.subarray(1, plain.length - padding);
  }
}
