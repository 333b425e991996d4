// JSON in and out, and the one error type every API handler throws.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiErrorBody } from '../../src/shared/api.ts';
import { ApiError } from '../../src/shared/rules/errors.ts';

export const MAX_BODY_BYTES = 64 * 1024;

/** The parsed JSON body, or undefined when the request has none. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new ApiError('bad-request', `The request body is larger than ${MAX_BODY_BYTES / 1024} KB.`, undefined, 413);
    }
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
    throw new ApiError('bad-request', 'Send the request body as JSON (Content-Type: application/json).');
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ApiError('bad-request', 'The request body is not valid JSON.');
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (status === 204) {
    res.writeHead(204).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

export function sendError(res: ServerResponse, err: ApiError): void {
  const body: ApiErrorBody = { error: { code: err.code, message: err.message } };
  if (err.field) body.error.field = err.field;
  sendJson(res, err.status, body);
}
