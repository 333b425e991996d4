// The exchange hash and key derivation shared by every kex method here.
// H = HASH(string V_C || string V_S || string I_C || string I_S || string K_S
//          || string Q_C (or mpint e) || string Q_S (or mpint f) || mpint K)
//   RFC 4253 §8 (DH), RFC 5656 §4 (ECDH), RFC 8731 §3 (curve25519).
// Keys (RFC 4253 §7.2): K1 = HASH(K || H || X || session_id), Kn+1 = HASH(K || H || K1..Kn),
// with K as mpint and X = 'A'..'F'. The post-quantum hybrids put K in both as a string instead
// (draft-ietf-sshm-mlkem-hybrid-kex §2.4, OpenSSH PROTOCOL).

import { concat, utf8 } from '../wire/bytes';
import { CIPHERS, createOpener, createSealer, macKeyLength } from '../cipher/suite';
import type { Opener, Sealer } from '../cipher/types';
import type { Negotiated, Role } from './kexinit';
import { SshWriter } from '../wire/wire';
import type { HashFn, SecretEncoding } from './agreement';

/** K as the exchange hash and the key derivation take it. */
function encodedSecret(secret: Uint8Array, encoding: SecretEncoding): Uint8Array {
  const w = new SshWriter();
  return (encoding === 'string' ? w.bytes(secret) : w.mpintFromBytes(secret)).finish();
}

export interface ExchangeInputs {
  clientVersion: string; // without CR LF
  serverVersion: string;
  clientKexInit: Uint8Array; // payload, starting with the message number 20
  serverKexInit: Uint8Array;
  hostKey: Uint8Array; // K_S
  clientValue: Uint8Array; // Q_C, or the mpint body of e
  serverValue: Uint8Array;
  secret: Uint8Array; // K, unsigned big-endian magnitude (or the hybrid's hash output)
  secretEncoding?: SecretEncoding; // default mpint
}

export function exchangeHash(hash: HashFn, x: ExchangeInputs): Uint8Array {
  const w = new SshWriter()
    .string(x.clientVersion)
    .string(x.serverVersion)
    .bytes(x.clientKexInit)
    .bytes(x.serverKexInit)
    .bytes(x.hostKey)
    .bytes(x.clientValue)
    .bytes(x.serverValue)
    .raw(encodedSecret(x.secret, x.secretEncoding ?? 'mpint'));
  return hash(w.finish());
}

export function deriveKey(
  hash: HashFn,
  secret: Uint8Array,
  h: Uint8Array,
  sessionId: Uint8Array,
  letter: string,
  length: number,
  encoding: SecretEncoding = 'mpint',
): Uint8Array {
  const k = encodedSecret(secret, encoding);
  let out = hash(concat(k, h, utf8(letter), sessionId));
  while (out.length < length) out = concat(out, hash(concat(k, h, out)));
  return out.slice(0, length);
}

export interface DerivedKeys {
  ivClientToServer: Uint8Array;
  ivServerToClient: Uint8Array;
  encClientToServer: Uint8Array;
  encServerToClient: Uint8Array;
  macClientToServer: Uint8Array;
  macServerToClient: Uint8Array;
}

/** What an exchange agreed on: its hash function and K with how K is encoded. */
export interface ExchangeSecret {
  hash: HashFn;
  secret: Uint8Array;
  secretEncoding: SecretEncoding;
}

export function deriveKeys(
  k: ExchangeSecret,
  h: Uint8Array,
  sessionId: Uint8Array,
  sizes: { ivC: number; ivS: number; encC: number; encS: number; macC: number; macS: number },
): DerivedKeys {
  const d = (letter: string, n: number) => (n === 0 ? new Uint8Array(0) : deriveKey(k.hash, k.secret, h, sessionId, letter, n, k.secretEncoding));
  return {
    ivClientToServer: d('A', sizes.ivC),
    ivServerToClient: d('B', sizes.ivS),
    encClientToServer: d('C', sizes.encC),
    encServerToClient: d('D', sizes.encS),
    macClientToServer: d('E', sizes.macC),
    macServerToClient: d('F', sizes.macS),
  };
}

/**
 * Both directions' packet protection after an exchange, sized for the negotiated ciphers and MACs.
 * `side` says which direction is ours: the client seals client-to-server, the server the other way.
 */
export async function packetProtection(
  secret: ExchangeSecret,
  h: Uint8Array,
  sessionId: Uint8Array,
  n: Negotiated,
  side: Role,
): Promise<{ sealer: Sealer; opener: Opener }> {
  const c = CIPHERS[n.cipherC2S];
  const s = CIPHERS[n.cipherS2C];
  const k = deriveKeys(secret, h, sessionId, {
    ivC: c.ivLength,
    ivS: s.ivLength,
    encC: c.keyLength,
    encS: s.keyLength,
    macC: macKeyLength(n.macC2S),
    macS: macKeyLength(n.macS2C),
  });
  const c2s = { cipher: n.cipherC2S, mac: n.macC2S, key: k.encClientToServer, iv: k.ivClientToServer, macKey: k.macClientToServer };
  const s2c = { cipher: n.cipherS2C, mac: n.macS2C, key: k.encServerToClient, iv: k.ivServerToClient, macKey: k.macServerToClient };
  const [outgoing, incoming] = side === 'client' ? [c2s, s2c] : [s2c, c2s];
  const [sealer, opener] = await Promise.all([createSealer(outgoing), createOpener(incoming)]);
  return { sealer, opener };
}
