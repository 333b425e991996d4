// The demo machine's accounts, like /etc/passwd and authorized_keys, and the sign-in policy the
// SSH server role asks (src/ssh/server/userauth.ts): a password, or a key listed for the user.

import { equalBytes, utf8 } from '../../ssh/core/index';
import type { SignInPolicy } from '../../ssh/server/index';

export interface Account {
  /** Undefined: password sign-in is refused for this user. */
  password?: string;
  /** Public key blobs (RFC 4253 §6.6) allowed to sign in, like authorized_keys. */
  authorizedKeys: Uint8Array[];
}

/** The accounts a server knows; the demo worker adds keys to it while running. */
export type AccountBook = Map<string, Account>;

export function accountPolicy(accounts: AccountBook): SignInPolicy {
  return (attempt) => {
    const account = accounts.get(attempt.user);
    if (attempt.method === 'publickey') return account?.authorizedKeys.some((k) => equalBytes(k, attempt.publicKey)) ?? false;
    // Unknown users fail exactly like wrong passwords, so names cannot be probed.
    const expected = utf8(account?.password ?? '\u0000no password');
    return account?.password !== undefined && equalBytes(utf8(attempt.password), expected);
  };
}
