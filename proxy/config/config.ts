// Configuration: embedded defaults, overridden by POSTERN_* environment variables, overridden by flags.
import { resolve } from 'node:path';
import { checkDatabaseUrl } from '../store/database-url.ts';

export interface Config {
  host: string;
  port: number;
  /** Folder holding postern.db (SQLite). */
  dataDir: string;
  /** postgres:// URL: keep state in PostgreSQL (shared by several proxies) instead of SQLite. Never printed. */
  databaseUrl?: string;
  /** Built SPA to serve; empty to serve the API only. */
  staticDir: string;
  /** HTTPS/WSS when both are set (paths to PEM files). */
  tlsCert?: string;
  tlsKey?: string;
  /** Base URL printed in sign-in URLs, when the proxy sits behind another (e.g. https://postern.example.org/). */
  publicUrl?: string;
  /** Extra origins (besides the proxy's own) allowed to call the API and open WebSockets, e.g. a static host. */
  allowedOrigins: string[];
  maxLinks: number;
  maxInflight: number;
  /** How long a TCP connect to a target may take. */
  connectTimeoutMs: number;
  /** Lifetime of one-time sign-in URLs. */
  signinTtlMs: number;
  /** Per client address: link look-ups and tunnel attempts allowed in a burst, then per minute. */
  attemptBurst: number;
  attemptsPerMinute: number;
  /** A request header naming the client's address (e.g. X-Forwarded-For), believed only from trustedProxies. */
  clientAddressHeader?: string;
  /** Addresses of reverse proxies whose clientAddressHeader is believed. */
  trustedProxies: string[];
  /** RDP sockets still waiting for their RDCleanPath request: at most this many, each for at most rdpRequestTimeoutMs. */
  maxPendingRdp: number;
  rdpRequestTimeoutMs: number;
  /**
   * Every open WebSocket is pinged this often; one that has not answered the previous ping is ended
   * (a browser that vanished without closing frees its session). 0: never.
   */
  wsHeartbeatMs: number;
  /** host:port for the Prometheus endpoint (/metrics) on its own listener; unset: no metrics. */
  metricsListen?: string;
  /** pino's level for the proxy's JSON log lines (info by default; 'silent' turns them off). */
  logLevel: string;
}

const FLAGS: Record<string, keyof Config> = {
  '--host': 'host',
  '--port': 'port',
  '--data': 'dataDir',
  '--database-url': 'databaseUrl',
  '--static': 'staticDir',
  '--tls-cert': 'tlsCert',
  '--tls-key': 'tlsKey',
  '--public-url': 'publicUrl',
  '--allow-origin': 'allowedOrigins',
  '--max-links': 'maxLinks',
  '--max-inflight': 'maxInflight',
  '--attempt-burst': 'attemptBurst',
  '--attempts-per-minute': 'attemptsPerMinute',
  '--client-address-header': 'clientAddressHeader',
  '--trusted-proxies': 'trustedProxies',
  '--max-pending-rdp': 'maxPendingRdp',
  '--metrics-listen': 'metricsListen',
  '--log-level': 'logLevel',
};

const ENV: Record<string, keyof Config> = {
  POSTERN_HOST: 'host',
  POSTERN_PORT: 'port',
  POSTERN_DATA: 'dataDir',
  POSTERN_DATABASE_URL: 'databaseUrl',
  POSTERN_STATIC: 'staticDir',
  POSTERN_TLS_CERT: 'tlsCert',
  POSTERN_TLS_KEY: 'tlsKey',
  POSTERN_PUBLIC_URL: 'publicUrl',
  POSTERN_ALLOW_ORIGINS: 'allowedOrigins',
  POSTERN_MAX_LINKS: 'maxLinks',
  POSTERN_MAX_INFLIGHT: 'maxInflight',
  POSTERN_CONNECT_TIMEOUT_MS: 'connectTimeoutMs',
  POSTERN_ATTEMPT_BURST: 'attemptBurst',
  POSTERN_ATTEMPTS_PER_MINUTE: 'attemptsPerMinute',
  POSTERN_CLIENT_ADDRESS_HEADER: 'clientAddressHeader',
  POSTERN_TRUSTED_PROXIES: 'trustedProxies',
  POSTERN_MAX_PENDING_RDP: 'maxPendingRdp',
  POSTERN_RDP_REQUEST_TIMEOUT_MS: 'rdpRequestTimeoutMs',
  POSTERN_WS_HEARTBEAT_MS: 'wsHeartbeatMs',
  POSTERN_METRICS_LISTEN: 'metricsListen',
  POSTERN_LOG_LEVEL: 'logLevel',
};

export const DEFAULTS: Config = {
  host: '127.0.0.1',
  port: 8080,
  dataDir: './data',
  staticDir: './dist',
  allowedOrigins: [],
  maxLinks: 500,
  maxInflight: 50,
  connectTimeoutMs: 10_000,
  signinTtlMs: 24 * 3600_000,
  attemptBurst: 30,
  attemptsPerMinute: 60,
  trustedProxies: [],
  maxPendingRdp: 64,
  rdpRequestTimeoutMs: 3_000,
  wsHeartbeatMs: 30_000,
  logLevel: 'info',
};

function assign(cfg: Config, key: keyof Config, raw: string, source: string): void {
  switch (key) {
    case 'port':
    case 'maxLinks':
    case 'maxInflight':
    case 'connectTimeoutMs':
    case 'signinTtlMs':
    case 'attemptBurst':
    case 'attemptsPerMinute':
    case 'maxPendingRdp':
    case 'rdpRequestTimeoutMs':
    case 'wsHeartbeatMs': {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0 || (key === 'port' && n > 65535)) {
        throw new Error(`${source} must be a whole number, got "${raw}".`);
      }
      cfg[key] = n;
      break;
    }
    case 'databaseUrl':
      cfg.databaseUrl = checkDatabaseUrl(raw, source);
      break;
    case 'allowedOrigins':
    case 'trustedProxies':
      cfg[key].push(...raw.split(',').map((s) => s.trim()).filter(Boolean));
      break;
    default:
      cfg[key] = raw;
  }
}

/** Additional command-line options that are actions rather than settings. */
export interface Command {
  /** Print a fresh one-time sign-in URL for this user name, then exit. */
  signinFor?: string;
}

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): { config: Config; command: Command } {
  const cfg: Config = { ...DEFAULTS, allowedOrigins: [], trustedProxies: [] };
  const command: Command = {};
  for (const [name, key] of Object.entries(ENV)) {
    const v = env[name];
    if (v !== undefined && v !== '') assign(cfg, key, v, name);
  }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--signin-url') {
      if (value === undefined) throw new Error('--signin-url needs a user name.');
      command.signinFor = value;
      i++;
      continue;
    }
    const key = FLAGS[flag];
    if (!key) throw new Error(`Unknown option "${flag}". Options: ${Object.keys(FLAGS).join(', ')}, --signin-url.`);
    if (value === undefined) throw new Error(`${flag} needs a value.`);
    assign(cfg, key, value, flag);
    i++;
  }
  if (Boolean(cfg.tlsCert) !== Boolean(cfg.tlsKey)) throw new Error('--tls-cert and --tls-key go together.');
  cfg.dataDir = resolve(cfg.dataDir);
  if (cfg.staticDir) cfg.staticDir = resolve(cfg.staticDir);
  return { config: cfg, command };
}
