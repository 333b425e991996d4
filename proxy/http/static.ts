// Serves the built SPA. Hash routes mean every page is index.html; everything else is a file.
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

export function serveStatic(root: string, req: IncomingMessage, res: ServerResponse, pathname: string): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    res.writeHead(400).end();
    return;
  }
  if (rel.endsWith('/')) rel += 'index.html';
  const file = normalize(join(root, rel));
  if (!file.startsWith(root + sep)) {
    res.writeHead(404).end();
    return;
  }
  const stat = fileSize(file);
  if (stat === undefined) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found.');
    return;
  }
  // The build wrote .br and .gz copies (src/sw/precompress-plugin.ts): send the smallest the browser takes.
  const encoding = acceptedEncodings(req).find((e) => fileSize(`${file}${ENCODINGS[e]}`) !== undefined);
  const sent = encoding ? `${file}${ENCODINGS[encoding]}` : file;
  const hashed = rel.includes('/assets/');
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': encoding ? fileSize(sent)! : stat,
    ...(encoding ? { 'content-encoding': encoding } : {}),
    vary: 'accept-encoding',
    // Vite puts content hashes in asset names; everything else (index.html, config.json, sw.js) is revalidated.
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(sent).pipe(res);
}

const ENCODINGS = { br: '.br', gzip: '.gz' } as const;

/** br before gzip, each only if the request accepts it (q=0 refuses). */
function acceptedEncodings(req: IncomingMessage): (keyof typeof ENCODINGS)[] {
  const header = String(req.headers['accept-encoding'] ?? '').toLowerCase();
  const accepted = new Set(header.split(',').map((part) => part.trim().split(';')).filter(([, q]) => !/^\s*q=0(\.0*)?\s*$/.test(q ?? ''))
    .map(([name]) => name.trim()));
  return (['br', 'gzip'] as const).filter((e) => accepted.has(e));
}

function fileSize(path: string): number | undefined {
  try {
    const st = statSync(path);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
}
