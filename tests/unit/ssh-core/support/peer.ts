// The server end of the client's state-machine tests: the library's own server role
// (src/ssh/server) with one password account, bound to one end of a memoryPipe, plus ways to
// misbehave that a real sshd cannot be made to (tampered packets, oversize lengths, messages
// before KEXINIT, a bad host key signature). The interop suite against OpenSSH is what proves
// both roles right.

import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { ByteStream } from '../../../../src/ssh/core/index';
import { ed25519FromSeed } from '../../../../src/ssh/keys/material';
import { createPrivateKey } from '../../../../src/ssh/keys/private-key';
import type { PrivateKey } from '../../../../src/ssh/keys/index';
import { SshServer, type ServerSession } from '../../../../src/ssh/server/index';

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
  readonly hostBlob: Uint8Array;
  readonly session: ServerSession;
  /** The client's DISCONNECT, once the session has ended over one (undefined if it ended otherwise). */
  readonly disconnected: Promise<{ code: number; description: string } | undefined>;
  /** Takes the next packet the session writes instead of the stream (seal()). */
  private capture: ((bytes: Uint8Array) => void) | undefined;

  constructor(private readonly stream: ByteStream, options: PeerOptions = {}) {
    const o = { strict: true, cipher: 'chacha20-poly1305@openssh.com', mac: 'hmac-sha2-256-etm@openssh.com', password: 'secret', ...options };
    const key = createPrivateKey(ed25519FromSeed(ed25519.utils.randomSecretKey()), 'test peer host key');
    this.hostBlob = key.publicBlob;
    const hostKey: PrivateKey = o.badSignature ? { ...key, sign: (algorithm, data) => key.sign(algorithm, sha256(data)) } : key;
    const server = new SshServer({
      hostKey,
      version: this.version,
      algorithms: { kex: ['curve25519-sha256'], cipher: [o.cipher], mac: [o.mac] },
      strictKex: o.strict,
      userSignatureAlgorithms: ['ssh-ed25519', 'rsa-sha2-512'],
      authMethods: ['password'],
      authenticate: (attempt) => attempt.method === 'password' && attempt.password === o.password,
      startProgram: (io) => {
        io.exit(0);
        return { input: () => undefined, resize: () => undefined, endOfInput: () => undefined, hangup: () => undefined };
      },
    });
    this.session = server.session((bytes) => this.output(bytes));
    this.disconnected = this.session.closed.then((e) => (e.kind === 'disconnected' ? { code: e.reasonCode!, description: e.serverMessage ?? '' } : undefined));
    stream.onData((bytes) => this.session.receive(bytes));
    stream.onClose((error) => this.session.streamClosed(error?.message));
    this.session.start(options.beforeKexInit);
  }

  /** Sends a message through the session, sealed in turn. */
  send(payload: Uint8Array): void {
    this.session.send(payload);
  }

  /** Wire bytes for a payload under the current keys, not yet written (for tampering). */
  seal(payload: Uint8Array): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve) => {
      this.capture = resolve;
      this.session.send(payload);
    });
  }

  writeRaw(bytes: Uint8Array): void {
    this.stream.write(bytes);
  }

  private output(bytes: Uint8Array): void {
    const capture = this.capture;
    this.capture = undefined;
    if (capture) capture(bytes);
    else this.stream.write(bytes);
  }
}
