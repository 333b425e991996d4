// One direction of packet protection. A Sealer turns a plaintext packet into wire bytes; an
// Opener learns the packet length from a prefix and then checks and decrypts the whole packet.
// Plaintext packet layout (RFC 4253 §6):
//   uint32 packet_length | byte padding_length | payload | random padding
// Wire: that packet (length possibly encrypted or in clear), then the MAC or AEAD tag.

/** How a cipher frames packets: the same for its Sealer and its Opener. */
export interface Framing {
  readonly name: string;
  /** Padding aligns the packet to this many bytes (at least 8). */
  readonly blockSize: number;
  /** AEAD and EtM modes leave packet_length out of the alignment (PROTOCOL.chacha20poly1305, RFC 5647 §7.2). */
  readonly lengthExcluded: boolean;
}

export interface Sealer extends Framing {
  /** `packet` is the whole plaintext packet including packet_length; it may be overwritten. */
  seal(seq: number, packet: Uint8Array): Promise<Uint8Array>;
}

export interface Opener extends Framing {
  /** Bytes after the packet (MAC or tag). */
  readonly macLength: number;
  /** How many leading wire bytes decryptLength needs. */
  readonly prefixLength: number;
  decryptLength(seq: number, prefix: Uint8Array): Promise<number> | number;
  /**
   * True when decryptLength is synchronous and depends only on seq and the prefix, and open() may be
   * called for several packets (in order) before the first one settles: the decoder then decrypts
   * every whole packet it holds at once.
   */
  readonly concurrent?: boolean;
  /**
   * `wire` is exactly 4 + packet_length + macLength bytes. Returns the plaintext from
   * padding_length on (packet_length stripped), or throws IntegrityError.
   */
  open(seq: number, wire: Uint8Array): Promise<Uint8Array>;
}

/** Thrown by openers; the transport turns it into the one fatal 'integrity-failure'. */
export class IntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntegrityError';
  }
}

export function seqBytes(seq: number): Uint8Array {
  return Uint8Array.of(seq >>> 24, (seq >>> 16) & 0xff, (seq >>> 8) & 0xff, seq & 0xff);
}
