// User authentication, server side (RFC 4252): the "none" query, password (§8) and publickey (§7,
// RFC 8332 for RSA). Failed attempts are counted like OpenSSH's MaxAuthTries; past the limit the
// connection ends with NO_MORE_AUTH_METHODS_AVAILABLE.
//   USERAUTH_REQUEST (50): string user, string service, string method, method fields...
//     password:  boolean change, string password
//     publickey: boolean has-signature, string algorithm, string key blob [, string signature]
//   FAILURE (51): name-list methods that can continue, boolean partial success
//   SUCCESS (52); BANNER (53): string message, string language; PK_OK (60): string algorithm, string key blob

import { equalBytes, utf8 } from '../../ssh/core/bytes';
import { HOST_KEY_ALGORITHMS, keyTypeForAlgorithm, verifyHostSignature } from '../../ssh/core/hostkey';
import { Msg } from '../../ssh/core/messages';
import { SshReader, SshWriter } from '../../ssh/core/wire';
import { ServerFailure } from './failure';

export interface Account {
  /** Undefined: password sign-in is refused for this user. */
  password?: string;
  /** Public key blobs (RFC 4253 §6.6) allowed to sign in, like authorized_keys. */
  authorizedKeys: Uint8Array[];
}

/** The accounts a server knows; the demo worker adds keys to it while running. */
export type AccountBook = Map<string, Account>;

/** What we verify: the same algorithms the client accepts for host keys; never ssh-rsa (SHA-1). */
export const USER_SIGNATURE_ALGORITHMS = HOST_KEY_ALGORITHMS;

const METHODS = ['publickey', 'password'];
const SERVICE = 'ssh-connection';

export interface UserAuthContext {
  send(payload: Uint8Array): void;
  sessionId(): Uint8Array;
  onSuccess(user: string): void;
  log(message: string): void;
}

export class ServerUserAuth {
  user: string | undefined;
  private failures = 0;
  private bannerSent = false;

  constructor(
    private readonly ctx: UserAuthContext,
    private readonly accounts: AccountBook,
    private readonly options: { banner?: string; maxTries?: number } = {},
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
    const account = this.accounts.get(user);
    switch (method) {
      case 'none':
        return this.refuse();
      case 'password': {
        const change = r.boolean('the password-change flag');
        const password = r.bytes('the password');
        if (change) return this.fail(method, 'password change is not supported');
        // Unknown users fail exactly like wrong passwords, so names cannot be probed.
        const expected = utf8(account?.password ?? '\u0000no password');
        const ok = account?.password !== undefined && equalBytes(password, expected);
        return ok ? this.succeed(user, method) : this.fail(method, `wrong password for ${user}`);
      }
      case 'publickey':
        return this.publickey(r, user, account);
      default:
        return this.fail(method, `method ${method} is not offered`);
    }
  }

  private async publickey(r: SshReader, user: string, account: Account | undefined): Promise<void> {
    const hasSignature = r.boolean('the signature flag');
    const algorithm = r.string('the signature algorithm');
    const blob = r.bytes('the public key').slice();
    if (!(USER_SIGNATURE_ALGORITHMS as readonly string[]).includes(algorithm)) return this.fail('publickey', `algorithm ${algorithm} is not accepted`);
    let keyType: string;
    try {
      keyType = new SshReader(blob).string('the key type');
    } catch {
      return this.fail('publickey', 'malformed public key');
    }
    if (keyType !== keyTypeForAlgorithm(algorithm)) return this.fail('publickey', `a ${keyType} key offered for ${algorithm}`);
    const known = account?.authorizedKeys.some((k) => equalBytes(k, blob)) ?? false;
    if (!known) return this.fail('publickey', `key not authorized for ${user}`);
    if (!hasSignature) {
      this.ctx.send(new SshWriter().byte(Msg.USERAUTH_60).string(algorithm).bytes(blob).finish());
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
      .bytes(blob)
      .finish();
    try {
      // The core's host-key verifier checks any SSH signature blob against any public key blob.
      await verifyHostSignature(algorithm, blob, signature, signed);
    } catch {
      return this.fail('publickey', 'signature did not verify');
    }
    this.succeed(user, 'publickey');
  }

  private succeed(user: string, method: string): void {
    this.user = user;
    this.ctx.log(`${user} signed in with ${method}`);
    this.ctx.send(Uint8Array.of(Msg.USERAUTH_SUCCESS));
    this.ctx.onSuccess(user);
  }

  private refuse(): void {
    this.ctx.send(new SshWriter().byte(Msg.USERAUTH_FAILURE).nameList(METHODS).boolean(false).finish());
  }

  private fail(method: string, why: string): void {
    this.ctx.log(`sign-in refused (${method}): ${why}`);
    this.failures++;
    const max = this.options.maxTries ?? 6;
    if (this.failures >= max) throw new ServerFailure('auth-exhausted', `Too many authentication failures (${max})`);
    this.refuse();
  }
}
