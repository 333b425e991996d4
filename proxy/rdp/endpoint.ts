// The RDCleanPath endpoint: one WebSocket from IronRDP's web client becomes one RDP connection.
//   1. read the request (the first binary message(s), bounded in size and time) and parse it;
//   2. ask the injected `authorize` which machine the token may reach: the destination the browser
//      names is only a hint, never dialled as given;
//   3. dial it (X.224, TLS, certificate check), answer with the confirm and certificate chain, or
//      with an RDCleanPath error whose HTTP status says what went wrong;
//   4. relay the plaintext RDP both ways as binary messages, with backpressure, until either side ends;
//      on the way the clipboard channel's bitmaps are bridged for CF_DIB-only servers (channel-filter.ts).
// The proxy sees the RDP stream after TLS, including the password in the Client Info PDU; nothing
// here logs payloads or tokens.

import type { WebSocket } from 'ws';
import type { TLSSocket } from 'node:tls';
import { ClientInfoAutologon, type AutologonState } from './autologon.ts';
import { ClipboardRuleUnenforceable, RdpChannelFilter } from './channel-filter.ts';
import { ClipboardBridge } from './clipboard-bridge.ts';
import { ClipboardRuleGuard, type BlockedWay, type BlockingRule, type ClipboardWays } from './clipboard-rule.ts';
import type { ClipboardFileCount } from './clipboard-files.ts';
import {
  MAX_REQUEST_BYTES, RdCleanPathError, encodeError, encodeNegotiationError, encodeResponse, parseRequest, pduLength,
  type RdCleanPathRequest,
} from './rdcleanpath.ts';
import { TargetError, connectRdpTarget, normalizeFingerprint, type TargetFailureKind } from './target.ts';
import { DerError } from './der.ts';
import { PROTOCOL, parseConnectionConfirm } from './x224.ts';
import { CLOSE } from '../../src/shared/api.ts';

/** The first byte of a TPKT frame (RFC 1006), how every slow-path RDP PDU starts. */
const TPKT_VERSION = 0x03;

export interface RdpGrant {
  ok: true;
  host: string;
  port: number;
  /** "sha256:<hex>" the machine's certificate must have (pinned on the resource or remembered). */
  pinnedCertFingerprint?: string;
  /** Called with the fingerprint when nothing is pinned (trust on first use); throwing refuses it. */
  rememberCertificate?(fingerprint: string): void | Promise<void>;
  /** Set INFO_AUTOLOGON in the Client Info PDU (for servers without NLA, such as xrdp). */
  autologon: boolean;
  /** Names the machine in error sentences, e.g. '"build-box" port 3389'. */
  label?: string;
  /**
   * Which ways clipboard content may cross, by the link's rule (left out: both). The proxy enforces
   * it on the clipboard channel (clipboard-rule.ts), whatever the page does.
   */
  clipboard?: ClipboardWays;
  /** Which ways files may cross the clipboard, by the link's file-transfer rule (left out: both). */
  files?: ClipboardWays;
  /** Told of each clipboard message a rule held back: which way, its type (never content), and which rule. */
  onClipboardBlocked?(way: BlockedWay, message: string, rule: BlockingRule): void;
  /** Counts the files that cross the clipboard each way (for the session's audit row). */
  fileCount?: ClipboardFileCount;
  /**
   * Called once the relay runs, with a function that ends it and one that reads the bytes relayed so
   * far; returns an unregister function.
   */
  onOpen?(end: (reason: string) => void, bytes: () => { bytesUp: number; bytesDown: number }): (() => void) | void;
  /** Called exactly once when the session is over (or failed after authorisation). */
  onClose(summary: RdpSessionSummary): void;
}

export interface RdpRefusal {
  ok: false;
  /** Goes into the RDCleanPath error; the page branches on it (e.g. 401, 403, 404, 410). */
  httpStatus: number;
  code: string;
  message: string;
}

export type RdpOutcome = 'ok' | 'ended' | TargetFailureKind | 'relay-error';

export interface RdpSessionSummary {
  outcome: RdpOutcome;
  /** A sentence for the audit trail; never contains payload or token. */
  detail?: string;
  bytesUp: number;
  bytesDown: number;
  durationMs: number;
  autologon: AutologonState;
  fingerprint?: string;
}

/** Failures before authorisation (nothing was dialled), for the caller's audit trail. */
export interface RdpRequestFailure {
  code: 'bad-request' | 'too-large' | 'request-timeout' | 'closed' | RdCleanPathError['kind'];
  message: string;
}

export interface RdCleanPathOptions {
  authorize(proxyAuth: string, destination: string, request: RdCleanPathRequest): Promise<RdpGrant | RdpRefusal>;
  /** Deadline for the browser's request after the WebSocket opens. */
  requestTimeoutMs?: number;
  /** Deadline for TCP + X.224 + TLS with the machine. */
  connectTimeoutMs?: number;
  /** Reports refused or malformed requests (before `authorize`). */
  onRequestFailure?(failure: RdpRequestFailure): void;
  /** Bridge clipboard bitmaps between IronRDP and CF_DIB-only servers (clipboard-bridge.ts); default on. */
  clipboardImages?: boolean;
  /** One line per CLIPRDR message (types, format ids, sizes; never contents), for diagnosis. */
  trace?(line: string): void;
}

const HIGH_WATER = 4 * 1024 * 1024;

/** Handles one WebSocket from start to end; resolves when both sides are closed. */
export async function handleRdCleanPath(ws: WebSocket, opts: RdCleanPathOptions): Promise<void> {
  ws.on('error', () => {}); // a protocol error (e.g. over maxPayload) is followed by 'close', handled below
  const request = await readRequest(ws, opts.requestTimeoutMs ?? 10_000).catch((e: RdpRequestFailure) => {
    opts.onRequestFailure?.(e);
    if (e.code !== 'closed') replyError(ws, e.code === 'too-large' ? 413 : e.code === 'request-timeout' ? 408 : 400);
    return undefined;
  });
  if (!request) return;

  const started = Date.now();
  const grant = await opts.authorize(request.proxyAuth, request.destination, request).catch((): RdpRefusal => ({
    ok: false, httpStatus: 500, code: 'internal', message: 'The proxy could not check this connection.',
  }));
  if (!grant.ok) {
    replyError(ws, grant.httpStatus);
    return;
  }
  const summary = (outcome: RdpOutcome, detail?: string): RdpSessionSummary => ({
    outcome, detail, bytesUp: 0, bytesDown: 0, durationMs: Date.now() - started, autologon: 'passthrough',
  });
  if (ws.readyState !== ws.OPEN) {
    grant.onClose(summary('aborted', 'The browser went away before the machine was dialled.'));
    return;
  }
  if (request.preconnectionBlob !== undefined) {
    replyError(ws, 501);
    grant.onClose(summary('not-rdp', 'The client sent a preconnection blob (Hyper-V console), which Postern does not support.'));
    return;
  }

  // IronRDP waits for the answer before sending RDP; bytes now would have nowhere to go.
  let earlyData = false;
  const onEarlyData = () => { earlyData = true; };
  ws.on('message', onEarlyData);
  const abort = new AbortController();
  const onEarlyClose = () => abort.abort();
  ws.once('close', onEarlyClose);
  let target;
  try {
    target = await connectRdpTarget({
      host: grant.host, port: grant.port, x224Request: request.x224Request, label: grant.label,
      timeoutMs: opts.connectTimeoutMs ?? 15_000, signal: abort.signal,
      verifyCertificate: async (fingerprint) => {
        if (grant.pinnedCertFingerprint) return normalizeFingerprint(grant.pinnedCertFingerprint) === fingerprint;
        try {
          await grant.rememberCertificate?.(fingerprint);
          return true;
        } catch {
          return false; // e.g. a different certificate was remembered meanwhile
        }
      },
    });
  } catch (e) {
    const err = e instanceof TargetError ? e : new TargetError('tls-failed', (e as Error).message);
    if (err.kind === 'negotiation-failed' && err.extra.x224Confirm) sendAndClose(ws, encodeNegotiationError(err.extra.x224Confirm));
    else replyError(ws, err.httpStatus, err.wsaLastError, err.extra.tlsAlert);
    grant.onClose(summary(err.kind, err.message));
    return;
  } finally {
    ws.off('close', onEarlyClose);
    ws.off('message', onEarlyData);
  }
  if (ws.readyState !== ws.OPEN || earlyData) {
    target.socket.destroy();
    if (earlyData) replyError(ws, 400);
    grant.onClose(earlyData
      ? summary('relay-error', 'The browser sent data before the RDCleanPath answer.')
      : summary('aborted', 'The browser went away before the machine answered.'));
    return;
  }
  ws.send(encodeResponse(target.x224Confirm, target.certChain, target.serverAddress), { binary: true });
  // Only a server that signs in inside RDP (TLS without NLA, like xrdp) needs the autologon flag;
  // with NLA the credentials travel in CredSSP and the Client Info PDU is left alone.
  const chosen = parseConnectionConfirm(target.x224Confirm);
  const autologon = grant.autologon && chosen.kind === 'selected' && chosen.protocol === PROTOCOL.SSL;
  const rules = new ClipboardRuleGuard(grant.clipboard ?? { to: true, from: true }, (way, message, rule) => {
    opts.trace?.(`cliprdr ${rule} rule: held back ${message} (${way === 'to' ? 'page→machine' : 'machine→page'})`);
    grant.onClipboardBlocked?.(way, message, rule);
  }, grant.files);
  const guard = rules.narrows ? rules : undefined;
  const filter = new RdpChannelFilter(new ClipboardBridge(opts.clipboardImages ?? true, opts.trace), opts.trace, guard, grant.fileCount);
  const nla = chosen.kind === 'selected' && (chosen.protocol === PROTOCOL.HYBRID || chosen.protocol === PROTOCOL.HYBRID_EX);
  await relay(ws, target.socket, { ...grant, autologon }, started, target.fingerprint, filter, nla);
}

/** Collects the request: it may span several binary messages; its DER header gives its length. */
function readRequest(ws: WebSocket, timeoutMs: number): Promise<RdCleanPathRequest> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const done = (err?: RdpRequestFailure, req?: RdCleanPathRequest) => {
      clearTimeout(timer);
      ws.off('message', onMessage);
      ws.off('close', onClose);
      if (err) reject(err);
      else resolve(req!);
    };
    const timer = setTimeout(() => done({ code: 'request-timeout', message: 'The browser sent no RDCleanPath request in time.' }), timeoutMs);
    const onClose = () => done({ code: 'closed', message: 'The browser closed the connection before sending a request.' });
    const onMessage = (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return done({ code: 'bad-request', message: 'The RDCleanPath request must be a binary message.' });
      buf = Buffer.concat([buf, data]);
      if (buf.length > MAX_REQUEST_BYTES) {
        return done({ code: 'too-large', message: `The RDCleanPath request is larger than ${MAX_REQUEST_BYTES} bytes.` });
      }
      try {
        const total = pduLength(buf);
        if (total === undefined || buf.length < total) {
          if (total !== undefined && total > MAX_REQUEST_BYTES) {
            done({ code: 'too-large', message: `The RDCleanPath request declares ${total} bytes; at most ${MAX_REQUEST_BYTES} are allowed.` });
          }
          return;
        }
        // Bytes after the request would be RDP before the tunnel exists: parseRequest rejects them.
        done(undefined, parseRequest(buf));
      } catch (e) {
        if (e instanceof RdCleanPathError) return done({ code: e.kind, message: e.message });
        if (e instanceof DerError) return done({ code: 'malformed', message: `The RDCleanPath request is malformed: ${e.message}.` });
        done({ code: 'bad-request', message: 'The RDCleanPath request could not be read.' });
      }
    };
    ws.on('message', onMessage);
    ws.on('close', onClose);
  });
}

/** How long a refused browser gets to answer our close before its socket is cut (ws would wait 30 s). */
const CLOSE_GRACE_MS = 1_000;

function sendAndClose(ws: WebSocket, pdu: Uint8Array): void {
  if (ws.readyState !== ws.OPEN) return;
  ws.send(pdu, { binary: true }, () => {
    ws.close(1000);
    setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
  });
}

function replyError(ws: WebSocket, httpStatusCode: number, wsaLastError?: number, tlsAlertCode?: number): void {
  sendAndClose(ws, encodeError({ httpStatusCode, wsaLastError, tlsAlertCode }));
}

function relay(
  ws: WebSocket, socket: TLSSocket, grant: RdpGrant, started: number, fingerprint: string, filter: RdpChannelFilter, nla: boolean,
): Promise<void> {
  // With NLA the browser's first TPKT (MCS Connect Initial) follows CredSSP: a machine that closes before
  // it ended the sign-in, almost always over the credentials. IronRDP itself only sees the stream end,
  // so the close code tells the page (CLOSE.nlaRefused).
  let pastNla = !nla;
  const autologon = new ClientInfoAutologon(grant.autologon);
  let bytesUp = 0;
  let bytesDown = 0;
  let outcome: RdpOutcome = 'ok';
  let detail: string | undefined;
  let paused = false;

  const unregister = grant.onOpen?.((reason) => {
    outcome = 'ended';
    detail = reason;
    ws.close(1000, reason.slice(0, 120));
    socket.destroy();
  }, () => ({ bytesUp, bytesDown }));

  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary) {
      outcome = 'relay-error';
      detail = 'The browser sent a text message inside the RDP tunnel.';
      ws.close(1003, 'Only binary messages are relayed.');
      return;
    }
    if (!pastNla && data[0] === TPKT_VERSION) pastNla = true;
    guarded(() => {
      for (const part of autologon.push(data)) {
        const { forward, back } = filter.fromClient(part);
        for (const bytes of forward) toMachine(bytes);
        for (const bytes of back) toPage(bytes);
      }
    });
  });
  socket.on('data', (chunk: Buffer) => {
    bytesDown += chunk.length;
    guarded(() => {
      const { forward, back } = filter.fromServer(chunk);
      for (const bytes of forward) toPage(bytes);
      for (const bytes of back) toMachine(bytes);
    });
  });
  /** The proxy reads inside the stream (autologon, clipboard): a surprise there ends this connection, never the proxy. */
  function guarded(step: () => void): void {
    try {
      step();
    } catch (e) {
      if (outcome === 'ok') {
        outcome = 'relay-error';
        detail = e instanceof ClipboardRuleUnenforceable
          ? `The proxy could not follow the RDP stream, so it could not hold the link's clipboard rule: ${e.message}`
          : 'The proxy could not follow the RDP stream.';
      }
      ws.close(1011, 'The proxy could not follow the RDP stream.');
      socket.destroy();
    }
  }
  function toMachine(bytes: Uint8Array): void {
    bytesUp += bytes.length;
    if (!socket.write(bytes) && !ws.isPaused) {
      ws.pause();
      socket.once('drain', () => ws.resume());
    }
  }
  function toPage(bytes: Uint8Array): void {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(bytes, { binary: true }, () => {
      if (paused && ws.bufferedAmount < HIGH_WATER / 2) {
        paused = false;
        socket.resume();
      }
    });
    if (!paused && ws.bufferedAmount > HIGH_WATER) {
      paused = true;
      socket.pause();
    }
  }
  socket.on('error', (err: NodeJS.ErrnoException) => {
    if (outcome === 'ok') {
      outcome = 'relay-error';
      detail = `The connection to the machine failed (${err.code ?? 'error'}).`;
    }
  });
  socket.on('close', () => {
    if (ws.readyState !== ws.OPEN && ws.readyState !== ws.CONNECTING) return;
    if (pastNla) {
      ws.close(1000, 'The machine closed the connection.');
      return;
    }
    detail ??= 'The machine ended the connection during NLA sign-in: the username or password was probably refused.';
    ws.close(CLOSE.nlaRefused, 'The machine ended the connection during NLA sign-in.');
  });

  return new Promise((resolve) => {
    ws.once('close', () => {
      socket.destroy();
      if (unregister) unregister();
      grant.onClose({
        outcome, detail, bytesUp, bytesDown, durationMs: Date.now() - started, autologon: autologon.state, fingerprint,
      });
      resolve();
    });
  });
}
