// A link's second-factor columns (migrations 4 and 5) as both stores read and write them. The API
// learns only whether a link asks for a code, when wrong ones were tried and when a passkey was bound;
// the code's hash and the passkey's key stay in the proxy.
import type { Link, LinkPolicy } from '../../src/shared/api.ts';
import type { BoundPasskey, LinkRecord } from './store.ts';

interface CodeColumns {
  code_hash?: string | null;
  wrong_codes?: string | null;
  passkey?: string | null;
}

/** The policy as stored: whether a code is asked follows from the hash column alone. */
export function storedPolicy(policy: LinkPolicy | undefined): string {
  const { accessCode: _derived, ...rest } = policy ?? {};
  return JSON.stringify(rest);
}

/** Completes a link read from a row: policy.accessCode from the hash column, and its recent wrong codes. */
export function withCodeColumns<L extends Link>(link: L, r: CodeColumns): L {
  const { accessCode: _stale, ...policy } = link.policy ?? {};
  link.policy = r.code_hash ? { ...policy, accessCode: true } : policy;
  const wrong = r.wrong_codes ? (JSON.parse(r.wrong_codes) as string[]) : [];
  if (wrong.length) link.wrongCodes = wrong;
  if (r.passkey) link.passkeyBoundAt = (JSON.parse(r.passkey) as BoundPasskey).boundAt;
  return link;
}

/** For the proxy's own checks: the record with its code's hash. */
export function withCodeHash(link: LinkRecord, r: CodeColumns): LinkRecord {
  if (r.code_hash) link.accessCodeHash = r.code_hash;
  if (r.passkey) link.passkey = JSON.parse(r.passkey) as BoundPasskey;
  return link;
}
