// A minimal in-memory SSH server for state-machine tests: just enough of RFC 4253/4252 to take
// the client through key exchange and password sign-in, plus ways to misbehave that a real
// sshd cannot be made to (tampered packets, oversize lengths, messages out of order).
// It reuses the core's codec and key agreement on the server side; the interop suite against
// OpenSSH is what proves those pieces right.

import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { createOpener, createSealer, CIPHERS, macKeyLength } from '../../../../src/ssh/core/cipher/suite';
import { createAgreement } from '../../../../src/ssh/core/kex/agreement';
import { deriveKeys, exchangeHash } from '../../../../src/ssh/core/kex/exchange';
import { Msg } from '../../../../src/ssh/core/messages';
import { PacketDecoder, PacketEncoder } from '../../../../src/ssh/core/packet';
import { VersionReader } from '../../../../src/ssh/core/version';
import { SshReader, SshWriter } from '../../../../src/ssh/core/wire';
import { utf8 } from '../../../../src/ssh/core/bytes';
import type { ByteStream } from '../../../../src/ssh/core/stream';

export interface PeerOptions {
  strict?: boolean; // advertise kex-strict-s-v00@openssh.com (default true)
  cipher?: string; // default chacha20-poly1305@openssh.com
  mac?: string; // default hmac-sha2-256-etm@openssh.com
  /** Payloads sent (unencrypted) before the server's KEXINIT. */
  beforeKexInit?: Uint8Array[];
  /** Sign something other than H, to test host-key-invalid. */
  badSignature?: boolean;
  password?: string;
}

export class TestServer {
  readonly version = 'SSH-2.0-PosternTestPeer';
  readonly hostSecret = ed25519.utils.randomSecretKey();
  readonly hostBlob: Uint8Array;
  /** DISCONNECT received from the client: reason code and description. */
  disconnect: { code: number; description: string } | undefined;
  /** Every payload received after key exchange. */
  received: Uint8Array[] = [];
  private readonly encoder = new PacketEncoder();
  private readonly decoder = new PacketDecoder();
  private readonly versionReader = new VersionReader();
  private clientVersion: string | undefined;
  private clientInit: Uint8Array | undefined;
  private serverInit: Uint8Array;
  private sessionId: Uint8Array | undefined;
  private pendingOpener: Promise<import('../../../../src/ssh/core/cipher/types').Opener> | undefined;
  private out: Promise<void> = Promise.resolve();
  private busy = false;
  private kick = false;
  private readonly opts: Required<Omit<PeerOptions, 'beforeKexInit'>> & { beforeKexInit: Uint8Array[] };
  private waiters: Array<() => void> = [];
  /** What broke the server's own loop, if anything (tests assert it stays undefined). */
  error: unknown;

  constructor(private readonly stream: ByteStream, options: PeerOptions = {}) {
    this.opts = {
      strict: true,
      cipher: 'chacha20-poly1305@openssh.com',
      mac: 'hmac-sha2-256-etm@openssh.com',
      badSignature: false,
      password: 'secret',
      beforeKexInit: [],
      ...options,
    };
    this.hostBlob = new SshWriter().string('ssh-ed25519').bytes(ed25519.getPublicKey(this.hostSecret)).finish();
    this.serverInit = new SshWriter()
      .byte(Msg.KEXINIT)
      .raw(new Uint8Array(16))
      .nameList(['curve25519-sha256', ...(this.opts.strict ? ['kex-strict-s-v00@openssh.com'] : [])])
      .nameList(['ssh-ed25519'])
      .nameList([this.opts.cipher])
      .nameList([this.opts.cipher])
      .nameList([this.opts.mac])
      .nameList([this.opts.mac])
      .nameList(['none'])
      .nameList(['none'])
      .nameList([])
      .nameList([])
      .boolean(false)
      .uint32(0)
      .finish();
    stream.onData((bytes) => {
      this.decoder.input.push(bytes);
      this.kick = true;
      void this.pump();
    });
    stream.write(utf8(this.version + '\r\n'));
    for (const p of this.opts.beforeKexInit) this.send(p);
    this.send(this.serverInit);
  }

  send(payload: Uint8Array): void {
    const sealed = this.encoder.encode(payload);
    this.out = this.out.then(async () => this.stream.write(await sealed));
  }

  /** Wire bytes for a payload under the current keys, not yet written (for tampering). */
  seal(payload: Uint8Array): Promise<Uint8Array> {
    return this.encoder.encode(payload);
  }

  writeRaw(bytes: Uint8Array): void {
    this.out = this.out.then(() => this.stream.write(bytes));
  }

  /** Resolves when a payload with this message number has arrived. */
  async waitFor(n: number): Promise<Uint8Array> {
    for (;;) {
      const found = this.received.find((p) => p[0] === n);
      if (found) return found;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      // Bytes may arrive while an await is pending; `kick` makes the loop look again.
      do {
        this.kick = false;
        await this.drain();
      } while (this.kick);
    } catch (e) {
      this.error = e;
      throw e;
    } finally {
      this.busy = false;
    }
  }

  private async drain(): Promise<void> {
    {
      for (;;) {
        if (!this.clientVersion) {
          const line = this.versionReader.read(this.decoder.input);
          if (!line) break;
          this.clientVersion = line;
          continue;
        }
        const payload = await this.decoder.next();
        if (!payload) break;
        await this.handle(payload);
      }
    }
  }

  private async handle(p: Uint8Array): Promise<void> {
    const r = new SshReader(p);
    const n = r.byte();
    if (n === Msg.KEXINIT) {
      this.clientInit = p.slice();
      return;
    }
    if (n === Msg.KEX_ECDH_INIT) return this.reply(r.bytes());
    if (n === Msg.NEWKEYS) {
      this.decoder.setOpener(await this.pendingOpener!);
      if (this.opts.strict) this.decoder.seq = 0;
      return;
    }
    this.received.push(p.slice());
    for (const w of this.waiters.splice(0)) w();
    if (n === Msg.DISCONNECT) {
      this.disconnect = { code: r.uint32(), description: r.string() };
    } else if (n === Msg.SERVICE_REQUEST) {
      this.send(new SshWriter().byte(Msg.SERVICE_ACCEPT).string(r.string()).finish());
    } else if (n === Msg.USERAUTH_REQUEST) {
      r.string();
      r.string();
      const method = r.string();
      if (method === 'password' && (r.boolean(), r.string()) === this.opts.password) {
        this.send(Uint8Array.of(Msg.USERAUTH_SUCCESS));
      } else {
        this.send(new SshWriter().byte(Msg.USERAUTH_FAILURE).nameList(['password']).boolean(false).finish());
      }
    }
  }

  private async reply(clientValue: Uint8Array): Promise<void> {
    const agreement = createAgreement('curve25519-sha256');
    const secret = agreement.computeSecret(clientValue);
    const h = exchangeHash(sha256, {
      clientVersion: this.clientVersion!,
      serverVersion: this.version,
      clientKexInit: this.clientInit!,
      serverKexInit: this.serverInit,
      hostKey: this.hostBlob,
      clientValue,
      serverValue: agreement.ownValue,
      secret,
    });
    this.sessionId ??= h;
    const signed = this.opts.badSignature ? sha256(h) : h;
    const signature = new SshWriter().string('ssh-ed25519').bytes(ed25519.sign(signed, this.hostSecret)).finish();
    this.send(new SshWriter().byte(Msg.KEX_ECDH_REPLY).bytes(this.hostBlob).bytes(agreement.ownValue).bytes(signature).finish());
    const spec = CIPHERS[this.opts.cipher];
    const mac = spec.aead ? '' : this.opts.mac;
    const k = deriveKeys(sha256, secret, h, this.sessionId, {
      ivC: spec.ivLength,
      ivS: spec.ivLength,
      encC: spec.keyLength,
      encS: spec.keyLength,
      macC: macKeyLength(mac),
      macS: macKeyLength(mac),
    });
    // The server seals with the server-to-client keys and opens with the client-to-server ones.
    const sealer = await createSealer({ cipher: this.opts.cipher, mac, key: k.encServerToClient, iv: k.ivServerToClient, macKey: k.macServerToClient });
    this.pendingOpener = createOpener({ cipher: this.opts.cipher, mac, key: k.encClientToServer, iv: k.ivClientToServer, macKey: k.macClientToServer });
    this.send(Uint8Array.of(Msg.NEWKEYS));
    this.encoder.setSealer(sealer);
    if (this.opts.strict) this.encoder.seq = 0;
    this.send(new SshWriter().byte(Msg.EXT_INFO).uint32(1).string('server-sig-algs').string('ssh-ed25519,rsa-sha2-512').finish());
  }
}
