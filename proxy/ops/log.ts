// The proxy's structured log: one JSON line per connection start, end and refusal, and one per
// unexpected error. Secrets never reach it. The helpers copy only the fields they name; string values
// are scrubbed of anything shaped like a token; and pino's redaction list blanks the usual secret
// fields for anyone who logs through `log.pino` directly.
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Protocol } from '../../src/shared/api.ts';

/** A tunnel endpoint or API path a visitor reached, e.g. '/ws/relay', '/ws/rdp', '/api/link-info'. */
export type Endpoint = string;

export interface ConnectionOpened {
  endpoint: Endpoint;
  protocol: Protocol;
  port: number;
  resourceId: string;
  /** The link's non-secret id (never its token); absent for a signed-in user's connection. */
  linkId?: string;
  /** 'link visitor' or the signed-in user's name. */
  actor: string;
  /** The client's address. */
  client: string;
}

export interface ConnectionClosed extends ConnectionOpened {
  /** 'ok', 'ended-by-admin', 'econnrefused', … (a short code, not a sentence). */
  outcome: string;
  bytesUp: number;
  bytesDown: number;
  durationMs: number;
}

export interface ConnectionRefused {
  endpoint: Endpoint;
  /** A short code: 'not-found', 'forbidden', 'rate-limited', … (never a sentence, never the token). */
  reason: string;
  /** The HTTP status or WebSocket close code the visitor got. */
  status: number;
  client: string;
}

export interface Log {
  connectionOpened(e: ConnectionOpened): void;
  connectionClosed(e: ConnectionClosed): void;
  connectionRefused(e: ConnectionRefused): void;
  /** Something failed that should not have: where it happened, and the error's name, message, code and frames. */
  internalError(where: string, err: unknown): void;
  /** The underlying logger, for other lines; the redaction list applies to it too. */
  readonly pino: Logger;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Field paths blanked wherever they appear in a logged object (a second line of defence). */
export const REDACT_PATHS = [
  'token', 'password', 'passphrase', 'secret', 'authorization', 'cookie', 'signinToken', 'sessionToken', 'sessionKey',
  'sessionHash', 'privateKey', 'signinUrl', 'linkUrl',
  '*.token', '*.password', '*.passphrase', '*.secret', '*.authorization', '*.cookie', '*.signinToken', '*.sessionToken',
  '*.sessionKey', '*.sessionHash', '*.privateKey', '*.signinUrl', '*.linkUrl',
  'headers["sec-websocket-protocol"]', 'req.headers["sec-websocket-protocol"]', 'req.headers.authorization',
  'req.headers.cookie',
];

const CENSORED = '[redacted]';

/**
 * Blanks what looks like a secret inside free text: a link or sign-in URL fragment, a WebSocket
 * subprotocol carrying a token, a bearer header, a password in a URL, and any run of 40 or more
 * base64url characters (tokens are 43; ids are 12, so ids survive).
 */
export function scrub(text: string): string {
  return text
    .replace(/#\/(l|signin)\/[^\s"'<>]*/g, `#/$1/${CENSORED}`)
    .replace(/postern\.(link|user)\.[^\s,"']*/g, `postern.$1.${CENSORED}`)
    .replace(/\b(bearer)\s+[^\s,"']+/gi, `$1 ${CENSORED}`)
    .replace(/(\/\/[^\s/:@]*):[^\s/@]*@/g, `$1:${CENSORED}@`)
    .replace(/(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{40,}(?![A-Za-z0-9_-])/g, CENSORED);
}

/** Field names blanked at any depth (pino's paths reach only the levels they spell out). */
const SECRET_KEYS = new Set(REDACT_PATHS.filter((p) => /^\w+$/.test(p)).map((p) => p.toLowerCase()));
SECRET_KEYS.add('sec-websocket-protocol');

function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1));
  // An error's own fields may hold anything (a request, a config); keep only what describeError keeps.
  if (value instanceof Error) return describeError(value);
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.has(k.toLowerCase()) ? CENSORED : scrubDeep(v, depth + 1);
  return out;
}

/** An error reduced to what is safe to keep: its name, message, code and stack frames, each scrubbed. */
export function describeError(err: unknown): { name: string; message: string; code?: string; frames?: string } {
  if (!(err instanceof Error)) return { name: typeof err, message: scrub(String(err)) };
  const code = (err as NodeJS.ErrnoException).code;
  // The stack's first lines repeat the message; keep only the "at …" frames.
  const frames = err.stack?.split('\n').filter((l) => /^\s+at /.test(l)).map((l) => l.trim()).join('\n');
  return {
    name: err.name,
    message: scrub(err.message),
    ...(typeof code === 'string' ? { code } : {}),
    ...(frames ? { frames: scrub(frames) } : {}),
  };
}

/**
 * A JSON logger at `level` (one of LOG_LEVELS), writing to stdout unless given another destination
 * (tests pass one that collects lines).
 */
export function createLog(level: string, destination?: DestinationStream): Log {
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new Error(`The log level must be one of ${LOG_LEVELS.join(', ')}; got "${level}".`);
  }
  const logger = pino({
    level,
    base: { service: 'postern' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: CENSORED },
    formatters: {
      // The level by name, which is what people grep for.
      level: (label) => ({ level: label }),
      log: (obj) => scrubDeep(obj) as Record<string, unknown>,
    },
  }, destination ?? pino.destination({ dest: 1 }));

  const where = (e: ConnectionOpened) => ({
    endpoint: e.endpoint,
    protocol: e.protocol,
    port: e.port,
    resourceId: e.resourceId,
    ...(e.linkId ? { linkId: e.linkId } : {}),
    actor: e.actor,
    client: e.client,
  });

  return {
    pino: logger,
    connectionOpened: (e) => logger.info({ event: 'connection.opened', ...where(e) }, 'connection opened'),
    connectionClosed: (e) => logger.info({
      event: 'connection.closed', ...where(e),
      outcome: e.outcome, bytesUp: e.bytesUp, bytesDown: e.bytesDown, durationMs: e.durationMs,
    }, 'connection closed'),
    connectionRefused: (e) => logger.info({
      event: 'connection.refused', endpoint: e.endpoint, reason: e.reason, status: e.status, client: e.client,
    }, 'connection refused'),
    internalError: (place, err) => logger.error({ event: 'internal-error', where: place, error: describeError(err) }, 'internal error'),
  };
}
