// SSH_MSG_KEXINIT and algorithm negotiation (RFC 4253 §7.1), for either role.
//   byte      SSH_MSG_KEXINIT (20)
//   byte[16]  cookie (random)
//   name-list kex_algorithms, server_host_key_algorithms,
//             encryption c->s, encryption s->c, mac c->s, mac s->c,
//             compression c->s, compression s->c, languages c->s, languages s->c
//   boolean   first_kex_packet_follows
//   uint32    0 (reserved)
// Each category picks the first name in the client's list that the server also lists: whichever
// role we play, our lists and the peer's are put in the client's and the server's place.

import { randomBytes } from '../wire/bytes';
import { CIPHER_NAMES, CIPHERS, MAC_NAMES } from '../cipher/suite';
import { SshError, type AlgorithmCategory } from '../wire/errors';
import { KEX_NAMES } from './agreement';
import { Msg } from '../wire/messages';
import { SIGNATURE_ALGORITHMS } from './signature';
import { SshReader, SshWriter } from '../wire/wire';

/** Which end of the connection we are. */
export type Role = 'client' | 'server';

/** Pseudo-algorithms in the kex list: RFC 8308 ext-info and OpenSSH strict kex (Terrapin fix). */
export const EXT_INFO_C = 'ext-info-c';
export const STRICT_KEX_C = 'kex-strict-c-v00@openssh.com';
export const STRICT_KEX_S = 'kex-strict-s-v00@openssh.com';

/** The markers each role adds to its first KEXINIT (a server sends no ext-info-s: it has no use for the client's EXT_INFO). */
const FIRST_MARKERS: Record<Role, readonly string[]> = { client: [EXT_INFO_C, STRICT_KEX_C], server: [STRICT_KEX_S] };
/** The peer's strict-kex marker, by our role. */
const PEER_STRICT: Record<Role, string> = { client: STRICT_KEX_S, server: STRICT_KEX_C };

export interface AlgorithmPreferences {
  kex: readonly string[];
  hostKey: readonly string[];
  cipher: readonly string[];
  mac: readonly string[];
}

export const DEFAULT_ALGORITHMS: AlgorithmPreferences = {
  kex: KEX_NAMES,
  hostKey: SIGNATURE_ALGORITHMS,
  // WebCrypto AES-GCM is an order of magnitude faster in browsers than ChaCha in JS.
  cipher: ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes256-ctr'],
  mac: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512'],
};

const SUPPORTED = {
  kex: new Set<string>(KEX_NAMES),
  hostKey: new Set<string>(SIGNATURE_ALGORITHMS),
  cipher: new Set<string>(CIPHER_NAMES),
  mac: new Set<string>(MAC_NAMES),
};

/** Fills gaps from `defaults` and refuses names this library cannot run, naming them. */
export function resolvePreferences(partial?: Partial<AlgorithmPreferences>, defaults: AlgorithmPreferences = DEFAULT_ALGORITHMS): AlgorithmPreferences {
  const out = { ...defaults, ...partial };
  for (const category of ['kex', 'hostKey', 'cipher', 'mac'] as const) {
    const unknown = out[category].filter((n) => !SUPPORTED[category].has(n));
    if (unknown.length) throw new RangeError(`algorithms.${category}: unsupported ${unknown.join(', ')}`);
    if (out[category].length === 0) throw new RangeError(`algorithms.${category} must not be empty`);
  }
  return out;
}

export interface KexInit {
  kex: string[];
  hostKey: string[];
  cipherC2S: string[];
  cipherS2C: string[];
  macC2S: string[];
  macS2C: string[];
  compressionC2S: string[];
  compressionS2C: string[];
  firstKexPacketFollows: boolean;
}

/**
 * Our KEXINIT (RFC 4253 §7.1): cookie, name-lists (the same ciphers and MACs both ways, no
 * compression, no languages), first_kex_packet_follows (`guess`: our first method's packet follows
 * at once), reserved 0. The first exchange carries the role's ext-info and strict-kex markers (the
 * latter unless `offerStrictKex` is false).
 */
export function buildKexInit(role: Role, lists: AlgorithmPreferences, first: boolean, offerStrictKex = true, guess = false): Uint8Array {
  const markers = FIRST_MARKERS[role].filter((m) => offerStrictKex || (m !== STRICT_KEX_C && m !== STRICT_KEX_S));
  const kex = first ? [...lists.kex, ...markers] : [...lists.kex];
  return new SshWriter()
    .byte(Msg.KEXINIT)
    .raw(randomBytes(16))
    .nameList(kex)
    .nameList(lists.hostKey)
    .nameList(lists.cipher)
    .nameList(lists.cipher)
    .nameList(lists.mac)
    .nameList(lists.mac)
    .nameList(['none'])
    .nameList(['none'])
    .nameList([])
    .nameList([])
    .boolean(guess)
    .uint32(0)
    .finish();
}

export function parseKexInit(payload: Uint8Array): KexInit {
  const r = new SshReader(payload);
  r.byte();
  for (let i = 0; i < 16; i++) r.byte('the KEXINIT cookie');
  const init: KexInit = {
    kex: r.nameList('kex algorithms'),
    hostKey: r.nameList('host key algorithms'),
    cipherC2S: r.nameList('ciphers'),
    cipherS2C: r.nameList('ciphers'),
    macC2S: r.nameList('MACs'),
    macS2C: r.nameList('MACs'),
    compressionC2S: r.nameList('compression'),
    compressionS2C: r.nameList('compression'),
    firstKexPacketFollows: false,
  };
  r.nameList('languages');
  r.nameList('languages');
  init.firstKexPacketFollows = r.boolean('first_kex_packet_follows');
  r.uint32('the KEXINIT reserved field');
  return init;
}

export interface Negotiated {
  kex: string;
  hostKey: string;
  cipherC2S: string;
  cipherS2C: string;
  /** '' when the cipher is AEAD and carries its own integrity. */
  macC2S: string;
  macS2C: string;
}

/** What the peer's KEXINIT settles for this exchange. */
export interface PeerKexInit {
  negotiated: Negotiated;
  /** The peer asked for strict kex (only meaningful in the first exchange). */
  strict: boolean;
  /** The peer is a client that wants EXT_INFO after our first NEWKEYS (RFC 8308 §2.1). */
  wantsExtInfo: boolean;
  /** The peer guessed a kex packet that does not fit what was agreed: skip it (RFC 4253 §7). */
  skipGuess: boolean;
  /** Both sides' first key exchange and host key methods are the same: a guessed packet from either side stands. */
  firstChoicesMatch: boolean;
}

/** Reads the peer's KEXINIT and negotiates against ours, with the client's preference winning. */
export function negotiate(role: Role, ours: AlgorithmPreferences, payload: Uint8Array): PeerKexInit {
  const theirs = parseKexInit(payload);
  const pick = (category: AlgorithmCategory, mine: readonly string[], peer: readonly string[]): string => {
    const [client, server] = role === 'client' ? [mine, peer] : [peer, mine];
    for (const name of client) if (server.includes(name)) return name;
    throw new SshError('no-common-algorithm', (voice) => voice.noCommon(category, peer, mine));
  };
  const cipherC2S = pick('cipher', ours.cipher, theirs.cipherC2S);
  const cipherS2C = pick('cipher', ours.cipher, theirs.cipherS2C);
  pick('compression', ['none'], theirs.compressionC2S);
  pick('compression', ['none'], theirs.compressionS2C);
  const firstChoicesMatch = theirs.kex[0] === ours.kex[0] && theirs.hostKey[0] === ours.hostKey[0];
  const negotiated: Negotiated = {
    kex: pick('kex', ours.kex, theirs.kex),
    hostKey: pick('hostKey', ours.hostKey, theirs.hostKey),
    cipherC2S,
    cipherS2C,
    macC2S: CIPHERS[cipherC2S].aead ? '' : pick('mac', ours.mac, theirs.macC2S),
    macS2C: CIPHERS[cipherS2C].aead ? '' : pick('mac', ours.mac, theirs.macS2C),
  };
  return {
    negotiated,
    strict: theirs.kex.includes(PEER_STRICT[role]),
    wantsExtInfo: role === 'server' && theirs.kex.includes(EXT_INFO_C),
    // RFC 4253 §7: a guess is wrong when the two sides prefer different methods. Judged as OpenSSH
    // does (proposals_match): both lists' first key exchange and host key methods, whoever guessed.
    skipGuess: theirs.firstKexPacketFollows && !firstChoicesMatch,
    firstChoicesMatch,
  };
}
