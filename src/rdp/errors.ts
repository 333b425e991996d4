// IronRDP's failures as sentences a visitor understands. The proxy's refusals reach the page only as
// an HTTP status (plus a Windows socket error or TLS alert) inside IronRDP's RDCleanPath error, so
// the page turns each status back into what happened and what to do (see RDP_STATUS in shared/api).
import { CLOSE, RDP_STATUS } from '../shared/api';
import { ConnectError, type ConnectAuthority } from '../session/contract';

/** IronErrorKind of @devolutions/iron-remote-desktop-rdp (crates/iron-remote-desktop/src/error.rs), by value (the enum lives in the lazily loaded module). */
export const IRON_KIND = {
  general: 0,
  wrongPassword: 1,
  logonFailure: 2,
  accessDenied: 3,
  rdCleanPath: 4,
  proxyConnect: 5,
  negotiationFailure: 6,
} as const;

/** What an IronError carries, read into plain values (the error itself is a WASM object). */
export interface IronFailure {
  kind: number;
  http?: number;
  wsa?: number;
  tls?: number;
  /** IronRDP's own text, for the console: never shown as the sentence. */
  text: string;
  /** The proxy's WebSocket close code, when it closed during connect (CLOSE in shared/api). */
  closeCode?: number;
}

export interface FailureContext {
  authority: ConnectAuthority['kind'];
  resourceName: string;
  port: number;
}

/** The RDP client (IronRDP's WebAssembly) could not be loaded: almost always the network, or a redeploy. */
export class RdpClientUnavailable extends Error {
  constructor(detail: string) {
    super(`loading IronRDP failed: ${detail}`);
    this.name = 'RdpClientUnavailable';
  }
}

/** IronRDP could not connect; `failure` says why, read into plain values. */
export class RdpConnectFailed extends Error {
  constructor(readonly failure: IronFailure) {
    super(failure.text);
    this.name = 'RdpConnectFailed';
  }
}

/**
 * IronRDP could not open its WebSocket to the proxy. That is also how a refused upgrade looks (too many
 * attempts, too many RDP connections starting), so the back end asks the proxy why (src/session/refusal.ts).
 */
export class ProxyUnreachable extends ConnectError {
  constructor() {
    super('unreachable', 'Could not reach the Postern proxy. Check your connection and try again.');
  }
}

/** The ConnectError for anything connectRdp() threw; IronRDP's own words go to the console. */
export function describeConnectError(e: unknown, ctx: FailureContext): ConnectError {
  if (e instanceof RdpClientUnavailable) {
    console.warn(`RDP connection failed: ${e.message}`);
    return new ConnectError('unreachable', 'Could not load the RDP client. Check your connection and reload the page.');
  }
  const f = e instanceof RdpConnectFailed ? e.failure : readIronError(e);
  console.warn(`RDP connection failed: ${f.text}`);
  return describeFailure(f, ctx);
}

const WSAECONNREFUSED = 10061;
const WSAETIMEDOUT = 10060;
const TLS_BAD_CERTIFICATE = 42;

/** Reads an IronError (or anything thrown) without trusting its shape. */
export function readIronError(e: unknown): IronFailure {
  const err = e as { kind?: () => number; backtrace?: () => string; rdcleanpathDetails?: () => unknown } | null;
  if (!err || typeof err.kind !== 'function') {
    return { kind: IRON_KIND.general, text: e instanceof Error ? e.message : String(e) };
  }
  let details: { httpStatusCode?: number; wsaErrorCode?: number; tlsAlertCode?: number } | undefined;
  try {
    details = err.rdcleanpathDetails?.() as typeof details;
  } catch {
    details = undefined;
  }
  let text = '';
  try {
    text = err.backtrace?.() ?? '';
  } catch {
    // a freed error object: the kind is enough
  }
  return { kind: err.kind(), http: details?.httpStatusCode, wsa: details?.wsaErrorCode, tls: details?.tlsAlertCode, text };
}

/** The ConnectError for a failed connect() (or a session that ended with an error). */
export function describeFailure(f: IronFailure, ctx: FailureContext): ConnectError {
  const machine = `"${ctx.resourceName}"`;
  const viaLink = ctx.authority === 'link';
  const askSharer = viaLink ? 'Ask the person who shared the link with you.' : 'Ask an administrator.';
  if (f.closeCode === CLOSE.nlaRefused) {
    return new ConnectError('auth-failed',
      `${machine} ended the connection when it checked your sign-in: the username or password was probably not accepted. Check them and connect again.`,
      'password');
  }
  switch (f.kind) {
    case IRON_KIND.wrongPassword:
    case IRON_KIND.logonFailure:
      return new ConnectError('auth-failed', `${machine} did not accept this username and password.`, 'password');
    case IRON_KIND.accessDenied:
      return new ConnectError('auth-failed', `${machine} refused to let this user sign in over RDP.`, 'username');
    case IRON_KIND.proxyConnect:
      return new ProxyUnreachable();
    case IRON_KIND.negotiationFailure:
      return new ConnectError('protocol',
        `${machine} refused the security settings browsers can use (TLS or NLA). Ask its administrator to allow TLS for RDP.`);
  }
  if (f.kind === IRON_KIND.rdCleanPath && f.http !== undefined) return fromStatus(f, ctx, machine, askSharer);
  if (f.kind === IRON_KIND.rdCleanPath) {
    return new ConnectError('protocol', 'The Postern proxy answered in a way this page did not understand. Reload the page and try again.');
  }
  return new ConnectError('protocol', `The RDP connection to ${machine} failed. Try again; if it keeps failing, ${lower(askSharer)}`);
}

function fromStatus(f: IronFailure, ctx: FailureContext, machine: string, askSharer: string): ConnectError {
  switch (f.http) {
    case RDP_STATUS.notFound:
      return ctx.authority === 'link'
        ? new ConnectError('refused', 'This link no longer exists: it may have been deleted. Ask the person who shared it with you for a new link.')
        : new ConnectError('refused', `${machine} is no longer known to Postern. Reload the page.`);
    case RDP_STATUS.resourceDeleted:
      return new ConnectError('refused', ctx.authority === 'link'
        ? `The machine behind this link (${machine}) was removed from Postern, so the link no longer connects. Ask the person who shared it with you.`
        : `${machine} was removed from Postern.`);
    case RDP_STATUS.linkExpired:
      return new ConnectError('refused', 'This link has expired, so it no longer connects. Ask the person who shared it with you for a new one.');
    case RDP_STATUS.linkUsedUp:
      return new ConnectError('refused', 'This link has been used as many times as it allows. Ask the person who shared it with you to renew it.');
    case RDP_STATUS.accessCodeRequired:
    case RDP_STATUS.wrongAccessCode:
      return new ConnectError('refused', 'The access code for this link was not accepted. Reload the page and type it again.');
    case RDP_STATUS.linkLocked:
      return new ConnectError('refused', 'Too many wrong access codes were tried, so this link is locked for a while. Try again later.');
    case RDP_STATUS.busy:
      return new ConnectError('refused', 'The Postern proxy is busy right now. Try again in a moment.');
    case RDP_STATUS.outsideHours:
      return new ConnectError('refused', 'This link works only at set hours, and this is not one of them. Reload the page to see when it opens next.');
    case RDP_STATUS.featureDisabled:
      return new ConnectError('refused',
        'Shareable links are turned off on this Postern, so this link cannot connect now. It works again once an administrator switches them back on.');
    case RDP_STATUS.unauthenticated:
      return new ConnectError('refused', 'Your Postern sign-in has ended. Sign in again, then connect.');
    case RDP_STATUS.forbidden:
      if (f.tls === TLS_BAD_CERTIFICATE) {
        return new ConnectError('host-key',
          `${machine} presented a different certificate from the one Postern trusts for it, so the connection was stopped. ` +
          `If the machine was reinstalled or its certificate renewed, ${lower(askSharer)} Otherwise someone may be intercepting the connection.`);
      }
      return new ConnectError('refused', `RDP on port ${ctx.port} is not allowed for ${machine}. Choose another port, or ${lower(askSharer)}`, 'port');
    case RDP_STATUS.targetFailed:
      if (f.wsa === WSAECONNREFUSED) {
        return new ConnectError('unreachable',
          `${machine} refused the connection on port ${ctx.port}: the machine is up, but no RDP server is listening there.`);
      }
      if (f.wsa === WSAETIMEDOUT) {
        return new ConnectError('unreachable', `${machine} did not answer on port ${ctx.port} in time. The machine may be off or busy; try again in a moment.`);
      }
      if (f.wsa !== undefined) {
        return new ConnectError('unreachable', `The Postern proxy could not reach ${machine} on port ${ctx.port}. The machine may be off or on a network the proxy cannot reach.`);
      }
      return new ConnectError('unreachable',
        `The Postern proxy reached ${machine} on port ${ctx.port}, but could not start a secure RDP connection with it (it may not be an RDP server, or its TLS settings are too old).`);
    case RDP_STATUS.targetTimeout:
      return new ConnectError('unreachable', `${machine} did not answer on port ${ctx.port} in time. The machine may be off or busy; try again in a moment.`);
    case RDP_STATUS.badRequest:
    case RDP_STATUS.requestTimeout:
    case RDP_STATUS.tooLarge:
    case RDP_STATUS.notSupported:
      return new ConnectError('protocol', `The Postern proxy could not accept this page's request (status ${f.http}). Reload the page and try again.`);
    default:
      return new ConnectError('unreachable', `The Postern proxy could not open the connection (status ${f.http}). Try again in a moment.`);
  }
}

function lower(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
