// User authentication (RFC 4252) with password (§8), publickey (§7, RFC 8332 for RSA) and
// keyboard-interactive (RFC 4256). One attempt at a time; each resolves to success or partial
// success, or rejects with an SshError whose kind says what went wrong.
//   USERAUTH_REQUEST (50): string user, string service "ssh-connection", string method, ...
//   USERAUTH_FAILURE (51): name-list methods that can continue, boolean partial success
//   USERAUTH_SUCCESS (52), USERAUTH_BANNER (53): string message, string language
//   60: PK_OK (publickey), PASSWD_CHANGEREQ (password) or INFO_REQUEST (keyboard-interactive)

import type { PrivateKey } from '../keys/types';
import { SshError } from './wire/errors';
import { Msg } from './wire/messages';
import { SshReader, SshWriter } from './wire/wire';

export type AuthMethod =
  | { method: 'password'; password: string }
  | {
      method: 'publickey';
      key: PrivateKey;
      /** Sign at once, without asking first whether the key is acceptable (RFC 4252 §7 allows it): a round trip fewer. */
      direct?: boolean;
    }
  | { method: 'keyboard-interactive'; /** Answers an echo-off single prompt with this, without asking the UI. */ password?: string };

type AnyMethod = AuthMethod | { method: 'none' };

export type AuthOutcome = { status: 'success' } | { status: 'partial'; methods: string[] };

export interface Prompt {
  text: string;
  echo: boolean;
}

export interface PromptRequest {
  name: string;
  instruction: string;
  prompts: Prompt[];
}

export interface AuthContext {
  send(payload: Uint8Array): void;
  sessionId(): Uint8Array;
  serverSigAlgs(): string[] | undefined;
  onBanner(message: string): void;
  onPrompt(request: PromptRequest): void;
}

const SERVICE = 'ssh-connection';
export const SUPPORTED_AUTH_METHODS = ['publickey', 'password', 'keyboard-interactive'];

interface Attempt {
  method: AnyMethod;
  stage: 'sent' | 'pk-query' | 'pk-direct' | 'pk-signed' | 'prompting';
  cancelled: boolean;
  resolve(outcome: AuthOutcome): void;
  reject(error: SshError): void;
}

/** Picks the signature algorithm for a key: never ssh-rsa (SHA-1), RSA per server-sig-algs. */
export function signatureAlgorithmFor(key: PrivateKey, serverSigAlgs: string[] | undefined): string {
  const candidates = key.signatureAlgorithms.filter((a) => a !== 'ssh-rsa');
  if (candidates.length === 0) throw new SshError('key-refused', `This ${key.type} key offers no signature algorithm this client accepts.`);
  if (key.type !== 'ssh-rsa' || !serverSigAlgs) return candidates[0];
  const match = candidates.find((a) => serverSigAlgs.includes(a));
  if (!match) {
    throw new SshError('key-refused', 'The server accepts RSA keys only with SHA-1 signatures (ssh-rsa), which this client refuses. Use an Ed25519 or ECDSA key.');
  }
  return match;
}

export class UserAuth {
  /** Methods the server said can continue, after its first USERAUTH_FAILURE. */
  methods: string[] | undefined;
  done = false;
  private attempt: Attempt | undefined;
  private pendingPromptCount = 0;

  constructor(private readonly ctx: AuthContext, readonly username: string) {}

  /** The "none" request (RFC 4252 §5.2): learns which methods the server accepts, or succeeds outright. */
  async queryMethods(): Promise<string[] | 'success'> {
    if (this.methods) return this.methods;
    const outcome = await this.authenticate({ method: 'none' });
    return outcome.status === 'success' ? 'success' : outcome.methods;
  }

  authenticate(method: AnyMethod): Promise<AuthOutcome> {
    if (this.done) return Promise.resolve({ status: 'success' });
    if (this.attempt) return Promise.reject(new SshError('auth-busy', 'A sign-in attempt is already in progress.'));
    if (method.method !== 'none' && this.methods && !this.methods.includes(method.method)) {
      return Promise.reject(
        new SshError('method-not-allowed', `The server does not accept ${describe(method.method)} sign-in. It accepts: ${this.methods.map(describe).join(', ') || 'nothing'}.`),
      );
    }
    return new Promise<AuthOutcome>((resolve, reject) => {
      const attempt: Attempt = { method, stage: 'sent', cancelled: false, resolve, reject };
      this.attempt = attempt;
      try {
        this.sendFirst(attempt);
      } catch (e) {
        this.attempt = undefined;
        reject(e);
      }
    });
  }

  /** Answers the pending keyboard-interactive prompts, in order. */
  answerPrompts(answers: string[]): void {
    const a = this.attempt;
    if (!a || a.stage !== 'prompting') throw new SshError('protocol-error', 'There are no sign-in prompts waiting for answers.');
    this.sendResponses(answers);
    a.stage = 'sent';
  }

  /** Refuses the pending prompts; the attempt then fails with 'auth-cancelled'. */
  cancelPrompts(): void {
    const a = this.attempt;
    if (!a || a.stage !== 'prompting') return;
    a.cancelled = true;
    this.sendResponses(this.pendingPromptCount > 0 ? new Array<string>(this.pendingPromptCount).fill('') : []);
    a.stage = 'sent';
  }

  /** Ends any pending attempt when the connection dies. */
  abort(error: SshError): void {
    const a = this.attempt;
    this.attempt = undefined;
    a?.reject(error);
  }

  private request(method: string): SshWriter {
    return new SshWriter().byte(Msg.USERAUTH_REQUEST).string(this.username).string(SERVICE).string(method);
  }

  private sendFirst(a: Attempt): void {
    const m = a.method;
    switch (m.method) {
      case 'none':
        return this.ctx.send(this.request('none').finish());
      case 'password':
        return this.ctx.send(this.request('password').boolean(false).string(m.password).finish());
      case 'keyboard-interactive':
        // string language tag (deprecated, empty), string submethods (empty: let the server choose)
        return this.ctx.send(this.request('keyboard-interactive').string('').string('').finish());
      case 'publickey': {
        const alg = signatureAlgorithmFor(m.key, this.ctx.serverSigAlgs());
        if (m.direct) {
          a.stage = 'pk-direct';
          this.sendSigned(a, m.key).catch((e: unknown) => this.signingFailed(a, e));
          return;
        }
        a.stage = 'pk-query';
        // Query without a signature first (RFC 4252 §7): is this key acceptable at all?
        return this.ctx.send(this.request('publickey').boolean(false).string(alg).bytes(m.key.publicBlob).finish());
      }
    }
  }

  private async sendSigned(a: Attempt, key: PrivateKey): Promise<void> {
    const alg = signatureAlgorithmFor(key, this.ctx.serverSigAlgs());
    const signed = new SshWriter()
      .bytes(this.ctx.sessionId())
      .byte(Msg.USERAUTH_REQUEST)
      .string(this.username)
      .string(SERVICE)
      .string('publickey')
      .boolean(true)
      .string(alg)
      .bytes(key.publicBlob)
      .finish();
    const signature = await key.sign(alg, signed);
    if (this.attempt !== a) return;
    if (a.stage === 'pk-query') a.stage = 'pk-signed';
    this.ctx.send(this.request('publickey').boolean(true).string(alg).bytes(key.publicBlob).bytes(signature).finish());
  }

  private sendResponses(answers: string[]): void {
    const w = new SshWriter().byte(Msg.USERAUTH_INFO_RESPONSE).uint32(answers.length);
    for (const answer of answers) w.string(answer);
    this.ctx.send(w.finish());
  }

  /** Messages 50-79. Returns false for numbers this layer does not know. */
  handle(payload: Uint8Array): boolean {
    const r = new SshReader(payload);
    const n = r.byte();
    if (n === Msg.USERAUTH_BANNER) {
      this.ctx.onBanner(r.string('the banner'));
      return true;
    }
    const a = this.attempt;
    if (n !== Msg.USERAUTH_SUCCESS && n !== Msg.USERAUTH_FAILURE && n !== Msg.USERAUTH_60) return false;
    if (!a) throw new SshError('protocol-error', `The server sent an authentication reply (${n}) nobody asked for.`);
    if (n === Msg.USERAUTH_SUCCESS) {
      this.done = true;
      this.attempt = undefined;
      a.resolve({ status: 'success' });
      return true;
    }
    if (n === Msg.USERAUTH_FAILURE) {
      const methods = r.nameList('the list of sign-in methods');
      const partial = r.boolean('the partial-success flag');
      this.methods = methods;
      this.attempt = undefined;
      if (partial) a.resolve({ status: 'partial', methods });
      else if (a.method.method === 'none') a.resolve({ status: 'partial', methods });
      else a.reject(this.failureFor(a, methods));
      return true;
    }
    this.handle60(a, r);
    return true;
  }

  private handle60(a: Attempt, r: SshReader): void {
    const m = a.method;
    if (m.method === 'publickey' && a.stage === 'pk-query') {
      // PK_OK: string algorithm, string key blob. Now sign.
      this.sendSigned(a, m.key).catch((e: unknown) => this.signingFailed(a, e));
      return;
    }
    if (m.method === 'password') {
      // PASSWD_CHANGEREQ: string prompt, string language
      const prompt = r.string('the password-change prompt');
      this.attempt = undefined;
      a.reject(new SshError('password-expired', `The password is correct but has expired; the server requires a new one${prompt ? ` ("${prompt.trim()}")` : ''}. Change it with another SSH client first.`));
      return;
    }
    if (m.method === 'keyboard-interactive') {
      // INFO_REQUEST: string name, string instruction, string language, int num-prompts, (string prompt, boolean echo)*
      const request: PromptRequest = { name: r.string('the prompt title'), instruction: r.string('the prompt instruction'), prompts: [] };
      r.string('the prompt language');
      const count = r.uint32('the number of prompts');
      if (count > 64) throw new SshError('protocol-error', `The server sent ${count} sign-in prompts at once.`);
      for (let i = 0; i < count; i++) request.prompts.push({ text: r.string('a prompt'), echo: r.boolean('a prompt echo flag') });
      this.pendingPromptCount = count;
      if (count === 0) return this.sendResponses([]); // informational round, nothing to ask
      if (m.password !== undefined && count === 1 && !request.prompts[0].echo) return this.sendResponses([m.password]);
      a.stage = 'prompting';
      this.ctx.onPrompt(request);
      return;
    }
    throw new SshError('protocol-error', 'The server sent an authentication message that does not fit the attempt in progress.');
  }

  /** The key could not sign: the request is simply not sent (the server keeps no state for it). */
  private signingFailed(a: Attempt, e: unknown): void {
    if (this.attempt !== a) return;
    this.attempt = undefined;
    a.reject(e instanceof SshError ? e : new SshError('key-refused', `Signing with this key failed: ${e instanceof Error ? e.message : String(e)}`));
  }

  private failureFor(a: Attempt, methods: string[]): SshError {
    const left = methods.filter((x) => SUPPORTED_AUTH_METHODS.includes(x));
    const suffix = left.length ? '' : ' The server offers no other sign-in method this client supports.';
    if (methods.length === 0) return new SshError('no-methods-left', 'The server allows no further sign-in attempts.');
    switch (a.method.method) {
      case 'password':
        return new SshError('wrong-password', `Wrong user name or password.${suffix}`);
      case 'keyboard-interactive':
        if (a.cancelled) return new SshError('auth-cancelled', 'Sign-in was cancelled.');
        return new SshError('wrong-password', `The server did not accept the answers (wrong user name or password?).${suffix}`);
      case 'publickey':
        // A refused direct signature is, nearly always, a key the server does not know for this user.
        return a.stage === 'pk-query' || a.stage === 'pk-direct'
          ? new SshError('key-refused', `The server does not accept this key for user "${this.username}".${suffix}`)
          : new SshError('key-refused', `The server rejected the signature made with this key.${suffix}`);
      default:
        return new SshError('no-methods-left', 'The server refused the sign-in.');
    }
  }
}

function describe(method: string): string {
  switch (method) {
    case 'publickey':
      return 'key';
    case 'password':
      return 'password';
    case 'keyboard-interactive':
      return 'interactive (password prompt)';
    default:
      return method;
  }
}
