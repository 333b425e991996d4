// Dialling an RDP machine on the browser's behalf (the proxy's half of RDCleanPath):
// TCP → forward the client's X.224 Connection Request → read exactly one TPKT (the Confirm) →
// TLS client handshake on the same socket → check the certificate → hand back the TLS socket.
// RDP's TLS has no meaningful CA chain (machines use self-signed certificates), so the proxy does
// not validate against CAs; it checks the leaf's SHA-256 fingerprint with the caller instead.

import { createHash } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { MAX_CONNECTION_PACKET, X224Error, parseConnectionConfirm, tpktLength } from './x224.ts';

export type TargetFailureKind =
  | 'refused'
  | 'unreachable'
  | 'timeout'
  | 'not-rdp'
  | 'negotiation-failed'
  | 'tls-failed'
  | 'certificate-mismatch'
  | 'aborted';

/** Each failure with the HTTP status (and Windows socket error) the RDCleanPath error carries. */
const STATUS: Record<TargetFailureKind, { http: number; wsa?: number }> = {
  refused: { http: 502, wsa: 10061 }, // WSAECONNREFUSED
  unreachable: { http: 502, wsa: 10065 }, // WSAEHOSTUNREACH
  timeout: { http: 504, wsa: 10060 }, // WSAETIMEDOUT
  'not-rdp': { http: 502 },
  'negotiation-failed': { http: 502 },
  'tls-failed': { http: 502 },
  'certificate-mismatch': { http: 403 },
  aborted: { http: 499 },
};

export class TargetError extends Error {
  readonly httpStatus: number;
  readonly wsaLastError?: number;
  constructor(
    readonly kind: TargetFailureKind,
    message: string,
    readonly extra: { tlsAlert?: number; x224Confirm?: Uint8Array; wsaLastError?: number } = {},
  ) {
    super(message);
    this.name = 'TargetError';
    this.httpStatus = STATUS[kind].http;
    this.wsaLastError = extra.wsaLastError ?? STATUS[kind].wsa;
  }
}

export interface ConnectRdpTargetOptions {
  host: string;
  port: number;
  /** The client's X.224 Connection Request, forwarded byte for byte. */
  x224Request: Uint8Array;
  /** One deadline for TCP, X.224, TLS and the certificate check together. */
  timeoutMs: number;
  /** Decides whether this certificate is the machine's; false refuses the connection. */
  verifyCertificate(fingerprint: string, chain: Buffer[]): boolean | Promise<boolean>;
  /** How the machine is named in error sentences (e.g. the resource name); defaults to host:port. */
  label?: string;
  signal?: AbortSignal;
}

export interface RdpTargetConnection {
  socket: tls.TLSSocket;
  x224Confirm: Buffer;
  /** DER certificates as the machine sent them, leaf first. */
  certChain: Buffer[];
  /** "sha256:" + lowercase hex of the leaf's DER. */
  fingerprint: string;
  /** The address actually dialled, "ip:port" ("[ip]:port" for IPv6). */
  serverAddress: string;
}

export function certificateFingerprint(der: Uint8Array): string {
  return 'sha256:' + createHash('sha256').update(der).digest('hex');
}

/**
 * The canonical form of a fingerprint an admin may paste: "sha256:" + 64 hex digits, any case, with
 * or without colons, or as `openssl x509 -noout -fingerprint -sha256` prints it. Undefined otherwise.
 */
export function normalizeFingerprint(text: string): string | undefined {
  const m = /^(?:sha-?256)?\s*(?:fingerprint)?\s*[:=]?\s*((?:[0-9a-f]{2}:?){31}[0-9a-f]{2})$/i.exec(text.trim());
  return m ? `sha256:${m[1].replaceAll(':', '').toLowerCase()}` : undefined;
}

// OpenSSL reports received alerts as ERR_SSL_{SSLV3,TLSV1,TLSV13}_ALERT_<NAME>; RFC 8446 §6 numbers.
const TLS_ALERTS: Record<string, number> = {
  UNEXPECTED_MESSAGE: 10, BAD_RECORD_MAC: 20, RECORD_OVERFLOW: 22, HANDSHAKE_FAILURE: 40, BAD_CERTIFICATE: 42,
  UNSUPPORTED_CERTIFICATE: 43, CERTIFICATE_EXPIRED: 45, CERTIFICATE_UNKNOWN: 46, ILLEGAL_PARAMETER: 47,
  UNKNOWN_CA: 48, ACCESS_DENIED: 49, DECODE_ERROR: 50, DECRYPT_ERROR: 51, PROTOCOL_VERSION: 70,
  INSUFFICIENT_SECURITY: 71, INTERNAL_ERROR: 80, UNRECOGNIZED_NAME: 112, NO_APPLICATION_PROTOCOL: 120,
};

function tlsAlertOf(err: NodeJS.ErrnoException): number | undefined {
  const m = /_ALERT_([A-Z_]+)$/.exec(err.code ?? '');
  return m ? TLS_ALERTS[m[1]] : undefined;
}

function socketFailure(err: NodeJS.ErrnoException, where: string): TargetError {
  switch (err.code) {
    case 'ECONNREFUSED':
      return new TargetError('refused', `The connection was refused by ${where}: nothing is listening there.`);
    case 'ETIMEDOUT':
      return new TargetError('timeout', `${where} did not answer in time.`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new TargetError('unreachable', `The proxy could not resolve the address of ${where}.`, { wsaLastError: 11001 });
    case 'ENETUNREACH':
      return new TargetError('unreachable', `${where} cannot be reached from the proxy (no route to its network).`, { wsaLastError: 10051 });
    case 'EHOSTUNREACH':
    case 'EHOSTDOWN':
      return new TargetError('unreachable', `${where} cannot be reached from the proxy.`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new TargetError('not-rdp', `${where} closed the connection during RDP negotiation.`);
    default:
      return new TargetError('unreachable', `The connection to ${where} failed (${err.code ?? err.message}).`);
  }
}

/** Reads exactly one TPKT from a plain socket, leaving any later bytes unread on the socket. */
function readOneTpkt(socket: net.Socket, where: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
    };
    const onEnd = () => {
      cleanup();
      reject(new TargetError('not-rdp', `${where} closed the connection without answering the RDP connection request.`));
    };
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      let length: number | undefined;
      try {
        length = tpktLength(buf, MAX_CONNECTION_PACKET);
      } catch (e) {
        cleanup();
        return reject(new TargetError('not-rdp', `${where} does not answer like an RDP server: ${(e as Error).message}.`));
      }
      if (length === undefined || buf.length < length) return;
      cleanup();
      socket.pause();
      if (buf.length > length) socket.unshift(buf.subarray(length));
      resolve(buf.subarray(0, length));
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
  });
}

/** The certificates the peer sent, leaf first, following issuer links until a self-signed root. */
function peerChain(socket: tls.TLSSocket): Buffer[] {
  const chain: Buffer[] = [];
  let cert: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  const seen = new Set<string>();
  while (cert && cert.raw && chain.length < 10 && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(Buffer.from(cert.raw));
    cert = cert.issuerCertificate;
  }
  return chain;
}

export async function connectRdpTarget(opts: ConnectRdpTargetOptions): Promise<RdpTargetConnection> {
  const where = opts.label ?? (opts.host.includes(':') ? `[${opts.host}]:${opts.port}` : `${opts.host}:${opts.port}`);
  const tcp = net.connect({ host: opts.host, port: opts.port });
  let tlsSocket: tls.TLSSocket | undefined;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;

  // Every way of failing (deadline, abort, socket error) settles this one promise.
  const failed = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TargetError('timeout', `${where} did not complete the RDP connection in time.`)), opts.timeoutMs);
    onAbort = () => reject(new TargetError('aborted', 'The browser went away before the machine answered.'));
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    tcp.on('error', (err) => reject(tlsSocket ? tlsFailure(err, where) : socketFailure(err, where)));
  });

  const steps = async (): Promise<RdpTargetConnection> => {
    await new Promise<void>((resolve) => tcp.once('connect', resolve));
    tcp.setNoDelay(true);
    tcp.write(opts.x224Request);
    const confirm = await readOneTpkt(tcp, where);
    let chosen;
    try {
      chosen = parseConnectionConfirm(confirm);
    } catch (e) {
      if (e instanceof X224Error) throw new TargetError('not-rdp', `${where} does not answer like an RDP server: ${e.message}.`);
      throw e;
    }
    if (chosen.kind === 'failure') {
      throw new TargetError('negotiation-failed', `${where} refused the RDP connection: ${chosen.reason}.`, { x224Confirm: confirm });
    }
    if (chosen.kind === 'legacy') {
      throw new TargetError('negotiation-failed',
        `${where} offers only legacy RDP security without TLS, which browsers cannot use.`, { x224Confirm: confirm });
    }
    const servername = net.isIP(opts.host) ? undefined : opts.host;
    const secured = tls.connect({ socket: tcp, rejectUnauthorized: false, servername });
    tlsSocket = secured;
    await new Promise<void>((resolve, reject) => {
      secured.once('secureConnect', resolve);
      secured.once('error', (err) => reject(tlsFailure(err, where)));
    });
    const certChain = peerChain(secured);
    if (certChain.length === 0) throw new TargetError('tls-failed', `${where} sent no TLS certificate.`);
    const fingerprint = certificateFingerprint(certChain[0]);
    if (!(await opts.verifyCertificate(fingerprint, certChain))) {
      throw new TargetError('certificate-mismatch',
        `The certificate of ${where} (${fingerprint}) is not the one Postern trusts for this machine, so the connection was refused.`,
        { tlsAlert: 42 });
    }
    const ip = tcp.remoteAddress ?? opts.host;
    return {
      socket: secured,
      x224Confirm: confirm,
      certChain,
      fingerprint,
      serverAddress: net.isIPv6(ip) ? `[${ip}]:${opts.port}` : `${ip}:${opts.port}`,
    };
  };

  try {
    return await Promise.race([steps(), failed]);
  } catch (e) {
    tlsSocket?.destroy();
    tcp.destroy();
    throw e instanceof TargetError ? e : new TargetError('not-rdp', `${where}: ${(e as Error).message}`);
  } finally {
    clearTimeout(timer);
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    failed.catch(() => {});
  }
}

function tlsFailure(err: NodeJS.ErrnoException, where: string): TargetError {
  const alert = tlsAlertOf(err);
  const why = alert === 70 ? 'no TLS version in common (the machine may only offer TLS 1.0/1.1)' : (err.code ?? err.message);
  return new TargetError('tls-failed', `The TLS handshake with ${where} failed: ${why}.`, { tlsAlert: alert });
}
