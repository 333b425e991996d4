// SSH_MSG_KEXINIT and algorithm negotiation (RFC 4253 §7.1).
//   byte      SSH_MSG_KEXINIT (20)
//   byte[16]  cookie (random)
//   name-list kex_algorithms, server_host_key_algorithms,
//             encryption c->s, encryption s->c, mac c->s, mac s->c,
//             compression c->s, compression s->c, languages c->s, languages s->c
//   boolean   first_kex_packet_follows
//   uint32    0 (reserved)
// Each category picks the first client name the server also lists.

import { randomBytes } from './bytes';
import { CIPHER_NAMES, CIPHERS, MAC_NAMES } from './cipher/suite';
import { SshError } from './errors';
import { HOST_KEY_ALGORITHMS } from './hostkey';
import { KEX_NAMES } from './kex/agreement';
import { Msg } from './messages';
import { SshReader, SshWriter } from './wire';

/** Pseudo-algorithms in the kex list: RFC 8308 ext-info and OpenSSH strict kex (Terrapin fix). */
export const EXT_INFO_C = 'ext-info-c';
export const STRICT_KEX_C = 'kex-strict-c-v00@openssh.com';
export const STRICT_KEX_S = 'kex-strict-s-v00@openssh.com';

export interface AlgorithmPreferences {
  kex: readonly string[];
  hostKey: readonly string[];
  cipher: readonly string[];
  mac: readonly string[];
}

export const DEFAULT_ALGORITHMS: AlgorithmPreferences = {
  kex: KEX_NAMES,
  hostKey: HOST_KEY_ALGORITHMS,
  // WebCrypto AES-GCM is an order of magnitude faster in browsers than ChaCha in JS.
  cipher: ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes256-ctr'],
  mac: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512'],
};

const SUPPORTED = {
  kex: new Set<string>(KEX_NAMES),
  hostKey: new Set<string>(HOST_KEY_ALGORITHMS),
  cipher: new Set<string>(CIPHER_NAMES),
  mac: new Set<string>(MAC_NAMES),
};

/** Fills gaps from the defaults and refuses names this client cannot run, naming them. */
export function resolvePreferences(partial?: Partial<AlgorithmPreferences>): AlgorithmPreferences {
  const out = { ...DEFAULT_ALGORITHMS, ...partial };
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

export function buildKexInit(prefs: AlgorithmPreferences, first: boolean): Uint8Array {
  const kex = first ? [...prefs.kex, EXT_INFO_C, STRICT_KEX_C] : [...prefs.kex];
  return writeKexInit({ kex, hostKey: prefs.hostKey, cipher: prefs.cipher, mac: prefs.mac });
}

/**
 * SSH_MSG_KEXINIT (RFC 4253 §7.1), for either side: cookie, name-lists (the same ciphers and MACs
 * both ways, no compression, no languages), first_kex_packet_follows false, reserved 0.
 */
export function writeKexInit(lists: { kex: readonly string[]; hostKey: readonly string[]; cipher: readonly string[]; mac: readonly string[] }): Uint8Array {
  return new SshWriter()
    .byte(Msg.KEXINIT)
    .raw(randomBytes(16))
    .nameList(lists.kex)
    .nameList(lists.hostKey)
    .nameList(lists.cipher)
    .nameList(lists.cipher)
    .nameList(lists.mac)
    .nameList(lists.mac)
    .nameList(['none'])
    .nameList(['none'])
    .nameList([])
    .nameList([])
    .boolean(false)
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

function pick(what: string, ours: readonly string[], theirs: readonly string[]): string {
  for (const name of ours) if (theirs.includes(name)) return name;
  throw new SshError(
    'no-common-algorithm',
    `The server and this client have no ${what} in common. Server offers: ${theirs.join(', ') || 'nothing'}. This client supports: ${ours.join(', ')}.`,
  );
}

export function negotiate(prefs: AlgorithmPreferences, server: KexInit): Negotiated {
  const cipherC2S = pick('encryption cipher', prefs.cipher, server.cipherC2S);
  const cipherS2C = pick('encryption cipher', prefs.cipher, server.cipherS2C);
  pick('compression method', ['none'], server.compressionC2S);
  pick('compression method', ['none'], server.compressionS2C);
  return {
    kex: pick('key exchange method', prefs.kex, server.kex),
    hostKey: pick('host key type', prefs.hostKey, server.hostKey),
    cipherC2S,
    cipherS2C,
    macC2S: CIPHERS[cipherC2S].aead ? '' : pick('MAC algorithm', prefs.mac, server.macC2S),
    macS2C: CIPHERS[cipherS2C].aead ? '' : pick('MAC algorithm', prefs.mac, server.macS2C),
  };
}

/** Whether the peer's guessed first kex packet must be ignored (RFC 4253 §7 "first_kex_packet_follows"). */
export function guessWasWrong(prefs: AlgorithmPreferences, server: KexInit): boolean {
  return server.firstKexPacketFollows && (server.kex[0] !== prefs.kex[0] || server.hostKey[0] !== prefs.hostKey[0]);
}
