// Security headers on everything the proxy serves, and the Origin rule for the API and WebSockets.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  // No inline script; WebAssembly (IronRDP) needs wasm-unsafe-eval, nothing needs eval.
  "script-src 'self' 'wasm-unsafe-eval'",
  // Svelte transitions and xterm.js set style attributes.
  "style-src 'self' 'unsafe-inline'",
  // data: only for IronRDP: its official build inlines its WebAssembly as a data: URL and fetch()es it
  // (wasm/ironrdp.ts). A data: fetch reaches no network, so this lets nothing leave the page.
  "connect-src 'self' ws: wss: data:",
  "img-src 'self' data: blob:",
  "worker-src 'self' blob:",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function setSecurityHeaders(res: ServerResponse, https: boolean): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
  if (https) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
}

/**
 * A request from a browser carries Origin. It must be the proxy's own origin or one configured
 * (a static host serving the SPA). Requests without Origin come from non-browser clients, which
 * cannot be tricked into sending credentials, so they pass; tokens still decide everything.
 */
export function originAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (allowed.includes(origin) || allowed.includes('*')) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** CORS for configured extra origins only (a static site pointing at this proxy). */
export function setCors(req: IncomingMessage, res: ServerResponse, allowed: readonly string[]): void {
  const origin = req.headers.origin;
  if (!origin || !(allowed.includes(origin) || allowed.includes('*'))) return;
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Allow-Headers', 'authorization, content-type');
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE');
  res.setHeader('Access-Control-Max-Age', '600');
}
