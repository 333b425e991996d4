// The client's sign-in policy: how a person's credentials meet the methods a server offers
// (RFC 4252 §5.1). It follows the server's list through partial success (a server may want a key
// and then a password), trying each method at most once: the password where "password" is
// offered, the key where "publickey" is, keyboard-interactive otherwise (a lone hidden prompt is
// answered with the password), and it asks the person for a password only when the server wants
// one that was not given. A key alone is tried first, signed at once (keyFirst): the server's list
// comes with its answer.

import type { PromptRequest } from './auth';
import type { AuthMethod } from './auth';
import type { SshClient } from './client';
import { SshError } from './wire/errors';
import type { PrivateKey } from '../keys/types';

export interface Credentials {
  password?: string;
  key?: PrivateKey;
  /** Asks the person (a password the server also wants); null means they cancelled. Without it, nothing is asked. */
  ask?: (request: PromptRequest) => Promise<string[] | null>;
}

/** How many rounds of partial success are followed before giving up (OpenSSH's MaxAuthTries is 6). */
const MAX_ROUNDS = 6;

const PASSWORD_PROMPT: PromptRequest = {
  name: 'Password required',
  instruction: 'The server also asks for a password.',
  prompts: [{ text: 'Password:', echo: false }],
};

/** Signs `client` in (it must be 'authenticating'); resolves once it is 'connected', or rejects with the SshError that stopped it. */
export async function signIn(client: SshClient, credentials: Credentials): Promise<void> {
  const { password, key, ask } = credentials;
  const tried = new Set<string>();
  let methods = key && password === undefined ? await keyFirst(client, key, tried) : await client.authMethods();
  for (let round = 0; methods !== 'success' && round < MAX_ROUNDS; round++) {
    const offered: string[] = methods;
    const can = (m: string) => offered.includes(m) && !tried.has(m);
    let method: AuthMethod | undefined;
    if (password !== undefined && can('password')) method = { method: 'password', password };
    else if (key && can('publickey')) method = { method: 'publickey', key };
    else if (can('keyboard-interactive')) {
      // The password answers a lone hidden prompt, unless it was already spent on "password".
      method = { method: 'keyboard-interactive', password: tried.has('password') ? undefined : password };
    } else if (ask && can('password')) {
      const answers = await ask(PASSWORD_PROMPT);
      if (!answers) throw new SshError('auth-cancelled', 'Sign-in was cancelled.');
      method = { method: 'password', password: answers[0] ?? '' };
    }
    if (!method) {
      const what = key ? 'this key' : 'passwords';
      throw new SshError('method-not-allowed', `The server does not accept ${what} for this user. It accepts: ${offered.join(', ') || 'nothing'}.`);
    }
    tried.add(method.method);
    const outcome = await client.authenticate(method);
    methods = outcome.status === 'success' ? 'success' : outcome.methods;
  }
  if (methods !== 'success') throw new SshError('no-methods-left', 'The server kept asking for more sign-in steps; the sign-in was stopped.');
}

/**
 * A key alone: it is signed and sent at once, without the "none" request and the query whether the key
 * would do (what OpenSSH's client sends first), so the sign-in takes one round trip instead of three. A
 * server that wants more (a password after the key) or takes no keys answers with its list, and the
 * policy goes on from there; one that takes keys but not this one has refused it.
 */
async function keyFirst(client: SshClient, key: PrivateKey, tried: Set<string>): Promise<string[] | 'success'> {
  tried.add('publickey');
  try {
    const outcome = await client.authenticate({ method: 'publickey', key, direct: true });
    return outcome.status === 'success' ? 'success' : outcome.methods;
  } catch (e) {
    if (!(e instanceof SshError) || e.kind !== 'key-refused') throw e;
    const methods = await client.authMethods(); // the refusal's list: no round trip (or "none" if nothing was sent)
    if (methods !== 'success' && methods.includes('publickey')) throw e;
    return methods;
  }
}
