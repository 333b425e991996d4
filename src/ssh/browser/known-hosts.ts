// Host-key trust for the browser: which key a resource is expected to have, and the verdict on the key
// a server presents. Three sources, strongest first:
//   1. a fingerprint the admin pinned on the resource: checked without a prompt; a mismatch is refused;
//   2. a key this browser trusted before for the same resource and port (IndexedDB knownHosts);
//   3. nothing known: the visitor is asked once (trust on first use).
//
// The resource key. A link page does not learn the resource's id (LinkInfo hides it), and the link
// token is a secret that must not sit in storage, so a link's key is "link:" + SHA-256(token) in hex.
// A console connection knows the resource: "resource:" + its id. The port is part of the key, as in
// OpenSSH's known_hosts ("[host]:port"), since two ports may be two different servers. The same machine
// reached through a link and through the console is therefore remembered twice; that is deliberate:
// neither side can prove to the other that they mean the same machine.
import type { ConnectAuthority } from '../../session/contract';
import { db, knownHostsFor, rememberHost, type KnownHost } from '../../storage/db';
import { sameFingerprint } from './fingerprint';

/**
 * Opens this browser's database before Connect: the first open on a page takes tens of milliseconds,
 * and the worker's first message to the server waits for the known hosts. A failure is load()'s to meet.
 */
export function openKnownHostsAhead(): void {
  if (typeof indexedDB !== 'undefined') db().catch(() => undefined);
}

/** SHA-256 of the last link token asked about (hex), so Connect does not wait for the digest again. */
let linkDigest: { token: string; hex: Promise<string> } | undefined;

function linkHex(token: string): Promise<string> {
  if (linkDigest?.token !== token) {
    const hex = crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))
      .then((d) => Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join(''));
    linkDigest = { token, hex };
    hex.catch(() => (linkDigest?.hex === hex ? (linkDigest = undefined) : undefined));
  }
  return linkDigest.hex;
}

export async function resourceKeyFor(authority: ConnectAuthority, port: number): Promise<string> {
  if (authority.kind === 'user') return `resource:${authority.resourceId}:${port}`;
  return `link:${await linkHex(authority.token)}:${port}`;
}

/** The key types the read-ahead found (for one link or resource, by port): what Connect asks the server for first. */
let readAhead: { authority: ConnectAuthority; types: Map<number, string[]> } | undefined;

const sameAuthority = (a: ConnectAuthority, b: ConnectAuthority) =>
  a.kind === 'link' ? b.kind === 'link' && a.token === b.token : b.kind === 'user' && a.resourceId === b.resourceId;

/**
 * While the sign-in form is on screen: opens the database, computes the link's key and reads its known
 * hosts once, so that the read at Connect is one short request and the handshake can start before it
 * ends (likelyKeyTypes). What it reads is not used for trust: Connect reads again (readKnownHosts), so a
 * key forgotten or replaced meanwhile, in another tab too, is judged as it is then.
 */
export async function prepareKnownHosts(authority: ConnectAuthority, ports: number[]): Promise<void> {
  if (typeof indexedDB === 'undefined') return;
  const types = new Map<number, string[]>();
  await Promise.all(ports.map(async (port) => {
    types.set(port, (await knownHostsFor(await resourceKeyFor(authority, port))).map((k) => k.keyType));
  }));
  readAhead = { authority, types };
  performance.mark('postern:known-hosts-read-ahead'); // for devtools, and the test that changes them afterwards
}

/** The host key types the read-ahead found for this connection, without waiting; undefined if it did not read them. */
export function likelyKeyTypes(authority: ConnectAuthority, port: number): string[] | undefined {
  return readAhead && sameAuthority(readAhead.authority, authority) ? readAhead.types.get(port) : undefined;
}

/** This connection's known hosts as they are now: read at each Connect and each reconnection. */
export async function readKnownHosts(o: {
  authority: ConnectAuthority; port: number; resourceName: string; sshHostKeyFingerprint?: string;
}): Promise<KnownHosts> {
  const known = new KnownHosts(await resourceKeyFor(o.authority, o.port), o.resourceName, o.port, o.sshHostKeyFingerprint);
  await known.load();
  return known;
}

export interface PresentedKey {
  keyType: string;
  fingerprint: string;
}

export type Verdict =
  | { kind: 'trusted' }
  /** Nothing known: ask the visitor. */
  | { kind: 'ask' }
  /** Refuse, and say why: the key differs from the pinned or the remembered one. */
  | { kind: 'changed'; message: string };

const HOW_TO_FIX =
  'If the machine was reinstalled or its key replaced on purpose, an administrator can pin the new fingerprint on ' +
  'the resource in the Postern console (Resources → Edit → "Pinned SSH host key fingerprint"); this browser then ' +
  'accepts the new key and forgets the old one.';

export class KnownHosts {
  private remembered: KnownHost[] = [];

  constructor(
    private readonly resourceKey: string,
    private readonly resourceName: string,
    private readonly port: number,
    private readonly pinned: string | undefined,
  ) {}

  /** Reads what this browser remembers; storage that cannot be read (private mode) counts as nothing known. */
  async load(): Promise<void> {
    try {
      this.remembered = await knownHostsFor(this.resourceKey);
    } catch {
      this.remembered = [];
    }
  }

  /** Key types to ask the server for first, so a known host presents the key we know. */
  get preferredKeyTypes(): string[] {
    return this.remembered.map((k) => k.keyType);
  }

  /** Fingerprints the worker may accept without asking the page: the pinned one, or else the remembered ones. */
  get trustedFingerprints(): string[] {
    return this.pinned ? [this.pinned] : this.remembered.map((k) => k.fingerprint);
  }

  verdict(key: PresentedKey): Verdict {
    const name = `"${this.resourceName}"`;
    if (this.pinned) {
      if (sameFingerprint(this.pinned, key.fingerprint)) return { kind: 'trusted' };
      return {
        kind: 'changed',
        message:
          `WARNING: the host key of ${name} does not match the fingerprint its administrator pinned. ` +
          `Expected ${this.pinned}; the server presented ${key.keyType} ${key.fingerprint}. ` +
          'Someone could be intercepting the connection, so it was stopped before your password or key was sent. ' +
          'Tell the administrator: if the key was changed on purpose, they must update the pinned fingerprint.',
      };
    }
    if (this.remembered.length === 0) return { kind: 'ask' };
    const same = this.remembered.find((k) => k.keyType === key.keyType);
    if (same && sameFingerprint(same.fingerprint, key.fingerprint)) return { kind: 'trusted' };
    const old = same ?? this.remembered[0];
    return {
      kind: 'changed',
      message:
        `WARNING: the host key of ${name} has changed. This browser trusted its ${old.keyType} key ${old.fingerprint} ` +
        `(first seen ${old.firstSeen.slice(0, 10)}); the server now presents ${key.keyType} ${key.fingerprint}. ` +
        'Someone could be intercepting the connection, so it was stopped before your password or key was sent. ' +
        HOW_TO_FIX,
    };
  }

  /** Remembers a trusted key (after the visitor said yes, or because the pinned fingerprint matched). */
  async remember(key: PresentedKey): Promise<void> {
    const current = this.remembered.find((k) => k.keyType === key.keyType);
    if (this.remembered.length === 1 && current && sameFingerprint(current.fingerprint, key.fingerprint)) return;
    const record: KnownHost = {
      resourceKey: this.resourceKey,
      keyType: key.keyType,
      fingerprint: key.fingerprint,
      firstSeen: new Date().toISOString(),
      resourceName: this.resourceName,
      port: this.port,
    };
    try {
      await rememberHost(record);
      this.remembered = [record];
    } catch {
      // Storage refused (private mode, quota): the session goes on; the next visit asks again.
    }
  }
}
