// User authentication, server side (RFC 4252): the "none" query, password (§8) and publickey (§7,
// RFC 8332 for RSA). Who may sign in is the caller's policy; this side checks the protocol and the
// signature. Failed attempts are counted like OpenSSH's MaxAuthTries; past the limit the
// connection ends with NO_MORE_AUTH_METHODS_AVAILABLE.
//   USERAUTH_REQUEST (50): string user, string service, string method, method fields...
//     password:  boolean change, string password
//     publickey: boolean has-signature, string algorithm, string key blob [, string signature]
//   FAILURE (51): name-list methods that can continue, boolean partial success
//   SUCCESS (52); BANNER (53): string message, string language; PK_OK (60): string algorithm, string key blob

import { Msg, SshError, SshReader, SshWriter, keyTypeForAlgorithm, verifyUserSignature } from '../core/index';

/** A sign-in attempt the policy decides on. For publickey, the signature is checked before success. */
export type SignInAttempt =
  | { method: 'password'; user: string; password: string }
  | { method: 'publickey'; user: string; algorithm: string; publicKey: Uint8Array };

/**
 * Who may sign in. Called for every attempt (a publickey query without a signature too); true lets
 * it through. Unknown users should fail exactly like wrong passwords, so names cannot be probed.
 */
export type SignInPolicy = (attempt: SignInAttempt) => boolean | Promise<boolean>;

export interface UserAuthOptions {
  policy: SignInPolicy;
  /** Methods offered in USERAUTH_FAILURE (default publickey, password). */
  methods?: readonly string[];
  /** User signature algorithms accepted (never ssh-rsa). */
  signatureAlgorithms: readonly string[];
  /** Sent once, before the first answer (USERAUTH_BANNER). */
  banner?: string;
  /** Failed attempts allowed before the connection ends (default 6, as OpenSSH). */
  maxTries?: number;
}

export interface UserAuthContext {
  send(payload: Uint8Array): void;
  sessionId(): Uint8Array;
  onSuccess(user: string): void;
  log(message: string): void;
}

const SERVICE = 'ssh-connection';

export class ServerUserAuth {
  user: string | undefined;
  private failures = 0;
  private bannerSent = false;

  constructor(
    private readonly ctx: UserAuthContext,
    private readonly options: UserAuthOptions,
  ) {}

  get done(): boolean {
    return this.user !== undefined;
  }

  async handle(payload: Uint8Array): Promise<void> {
    // After success, further requests are ignored (RFC 4252 §5.1).
    if (this.done) return;
    const r = new SshReader(payload);
    r.byte();
    const user = r.string('the user name');
    const service = r.string('the service name');
    const method = r.string('the method name');
    if (this.options.banner && !this.bannerSent) {
      this.bannerSent = true;
      this.ctx.send(new SshWriter().byte(Msg.USERAUTH_BANNER).string(this.options.banner).string('').finish());
    }
    if (service !== SERVICE) return this.fail(method, `service ${service} is not offered`);
    if (method === 'none') return this.refuse();
    if (!this.offered.includes(method)) return this.fail(method, `method ${method} is not offered`);
    switch (method) {
      case 'password': {
        const change = r.boolean('the password-change flag');
        const password = r.string('the password');
        if (change) return this.fail(method, 'password change is not supported');
        const ok = await this.options.policy({ method, user, password });
        return ok ? this.succeed(user, method) : this.fail(method, `wrong password for ${user}`);
      }
      case 'publickey':
        return this.publickey(r, user);
      default:
        return this.fail(method, `method ${method} is not offered`);
    }
  }

  private get offered(): readonly string[] {
    return this.options.methods ?? ['publickey', 'password'];
  }

  private async publickey(r: SshReader, user: string): Promise<void> {
    const hasSignature = r.boolean('the signature flag');
    const algorithm = r.string('the signature algorithm');
    const publicKey = r.bytes('the public key').slice();
    if (!this.options.signatureAlgorithms.includes(algorithm)) return this.fail('publickey', `algorithm ${algorithm} is not accepted`);
    let keyType: string;
    try {
      keyType = new SshReader(publicKey).string('the key type');
    } catch {
      return this.fail('publickey', 'malformed public key');
    }
    if (keyType !== keyTypeForAlgorithm(algorithm)) return this.fail('publickey', `a ${keyType} key offered for ${algorithm}`);
    if (!(await this.options.policy({ method: 'publickey', user, algorithm, publicKey }))) return this.fail('publickey', `key not authorized for ${user}`);
    if (!hasSignature) {
      this.ctx.send(new SshWriter().byte(Msg.USERAUTH_60).string(algorithm).bytes(publicKey).finish());
      return;
    }
    const signature = r.bytes('the signature');
    // What the client signed (RFC 4252 §7): our session id and the request up to the key blob.
    const signed = new SshWriter()
      .bytes(this.ctx.sessionId())
      .byte(Msg.USERAUTH_REQUEST)
      .string(user)
      .string(SERVICE)
      .string('publickey')
      .boolean(true)
      .string(algorithm)
      .bytes(publicKey)
      .finish();
    if (!(await verifyUserSignature(algorithm, publicKey, signature, signed))) return this.fail('publickey', 'signature did not verify');
    this.succeed(user, 'publickey');
  }

  private succeed(user: string, method: string): void {
    this.user = user;
    this.ctx.log(`${user} signed in with ${method}`);
    this.ctx.send(Uint8Array.of(Msg.USERAUTH_SUCCESS));
    this.ctx.onSuccess(user);
  }

  private refuse(): void {
    this.ctx.send(new SshWriter().byte(Msg.USERAUTH_FAILURE).nameList(this.offered).boolean(false).finish());
  }

  private fail(method: string, why: string): void {
    this.ctx.log(`sign-in refused (${method}): ${why}`);
    this.failures++;
    const max = this.options.maxTries ?? 6;
    if (this.failures >= max) throw new SshError('no-methods-left', `Too many authentication failures (${max})`);
    this.refuse();
  }
}
