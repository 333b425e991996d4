// The contract between the pages that start sessions (the link page, the console's Connect page) and the
// protocol back ends that run them (SSH, RDP, and the offline demo's). Neither side imports the other:
// both import this folder, so the sign-in form can be tested without WASM or a network, and a protocol
// plugs in without the form changing.
import type { Protocol } from '../shared/api';

/** Who authorises the connection: a shareable link's token, or a signed-in user for a resource. */
export type ConnectAuthority =
  | { kind: 'link'; token: string; /** What the visitor typed, for a link that asks for an access code. */ accessCode?: string }
  | { kind: 'user'; sessionToken: string; resourceId: string };

/** A link's secret as a tunnel carries it: the token, then the access code after a dot, if there is one. */
export function linkSecret(a: { token: string; accessCode?: string }): string {
  return a.accessCode ? `${a.token}.${a.accessCode}` : a.token;
}

export type Credential =
  | { kind: 'password'; password: string }
  /** An OpenSSH/PEM private key as text (pasted, or read from a file), with its passphrase if encrypted. */
  | { kind: 'private-key'; keyText: string; passphrase?: string };

/** `to`: page → machine (a paste into the machine); `from`: machine → page (a copy out of it). */
export interface ClipboardWays {
  to: boolean;
  from: boolean;
}

export interface ConnectOptions {
  authority: ConnectAuthority;
  /** Shown in titles and prompts; never used to choose the target (the proxy resolves that itself). */
  resourceName: string;
  protocol: Protocol;
  port: number;
  username: string;
  credential: Credential;
  /**
   * Which ways clipboard text and images may cross: what the visitor's corner toggle and the link's
   * clipboard rule both allow (neither way while the toggle is off).
   */
  clipboard: ClipboardWays;
  /** What the link's clipboard rule allows at most: what the toggle could open (to say how a blocked paste is allowed). */
  clipboardRule?: ClipboardWays;
  /**
   * Which ways files may cross, by the link's file-transfer rule: `to` upload (page → machine), `from`
   * download. Left out: both. The proxy enforces it for RDP; end-to-end protocols (SFTP) apply it in the page.
   */
  fileTransfer?: ClipboardWays;
  /** The admin's pinned SSH host key fingerprint ("SHA256:…"), when the resource has one. */
  sshHostKeyFingerprint?: string;
  /**
   * The link ends sessions with no input: the SSH client then sends no keepalives of its own, which
   * the proxy would count as input and so keep an idle session open.
   */
  idleLimited?: boolean;
}

/** Where a failure points, so the form can show the sentence beside the right control. */
export type ConnectField = 'username' | 'password' | 'privateKey' | 'passphrase' | 'port' | 'protocol';

export type ConnectErrorKind =
  | 'unavailable' // this protocol is not built into this page
  | 'auth-failed' // wrong username, password or key
  | 'passphrase' // the key needs a passphrase, or this one is wrong
  | 'bad-key' // the key text is not a key we can use
  | 'host-key' // the host key is unknown and was refused, or does not match the pinned one
  | 'refused' // the proxy refused (link deleted, feature off, resource deleted, port not allowed)
  | 'unreachable' // the proxy or the target could not be reached
  | 'protocol'; // the remote side broke the protocol

export class ConnectError extends Error {
  constructor(
    readonly kind: ConnectErrorKind,
    message: string,
    readonly field?: ConnectField,
  ) {
    super(message);
    this.name = 'ConnectError';
  }
}

/** A live session. `ended` resolves when it stops: null for a normal end, or the error that ended it. */
export interface Session {
  readonly ended: Promise<ConnectError | null>;
  close(): void;
  /**
   * The session shows its own Disconnect control (the RDP desktop's toolbar, which full screen keeps
   * on screen), so the form shows none: one control per name on the page.
   */
  readonly ownDisconnect?: boolean;
  /**
   * The visitor's toggle changed during the session (within the link's rule): the session applies the
   * new ways from now on. A session without it keeps the ways it started with, and the toggle is locked.
   */
  setClipboard?(ways: ClipboardWays): void;
}

/** CSS pixels. */
export interface ViewSize {
  width: number;
  height: number;
}

/**
 * Where a session shows itself, given by the page that owns the layout: the session never reads its
 * parents' elements or styles.
 */
export interface SessionHost {
  /** The element the session renders into (a terminal, a desktop, a host-key prompt). */
  readonly element: HTMLElement;
  /**
   * The room the element will have once the session is on screen. While it connects the sign-in form
   * still takes part of the page, so the element is smaller now than it will be.
   */
  shownSize(): ViewSize;
  /**
   * Nothing more will be asked of the visitor before the session shows (SSH: signed in, the shell is
   * opening): the page gives the element its final place now, still invisible, so that showing it at
   * the end costs no layout and the first output is drawn at once.
   */
  prepare?(): void;
}

/**
 * One protocol's way to connect. It renders into the host, resolves once the session is up, and
 * rejects with a ConnectError when it cannot start.
 */
export interface ProtocolBackend {
  connect(options: ConnectOptions, host: SessionHost): Promise<Session>;
}

/** What the form is given: a backend for every protocol it may offer. */
export type ConnectBackend = (protocol: Protocol) => Promise<ProtocolBackend>;

const PROTOCOL_NAMES: Record<Protocol, string> = { ssh: 'SSH', rdp: 'RDP' };

/**
 * A ConnectBackend whose protocols load on first use, each behind a dynamic import() so none of their
 * code is fetched before a visitor presses Connect. A chunk that fails to load becomes a sentence.
 */
export function loadOnDemand(loaders: Record<Protocol, () => Promise<ProtocolBackend>>): ConnectBackend {
  return (protocol) => {
    const load = loaders[protocol];
    if (!load) return Promise.reject(new ConnectError('unavailable', `Unknown protocol "${protocol}".`, 'protocol'));
    return load().catch((e: unknown) => {
      if (e instanceof ConnectError) throw e;
      // A chunk that fails to load is almost always the network or a redeploy mid-visit.
      throw new ConnectError(
        'unreachable',
        `Could not load the ${PROTOCOL_NAMES[protocol]} client. Check your connection and reload the page.`,
      );
    });
  };
}
