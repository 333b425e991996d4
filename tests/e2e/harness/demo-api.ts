// Harness page ?page=demo-api: the offline demo's API (src/demo/local-api.ts), so demo-api.spec.ts can call
// it in real Chromium over real IndexedDB. Each call answers { ok } or { error: { status, code, message, field } }.
import { ApiError } from '../../../src/api/client';
import { localApi } from '../../../src/demo/local-api';

const api = localApi() as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;

async function call(name: string, ...args: unknown[]): Promise<unknown> {
  try {
    return { ok: await api[name](...args) };
  } catch (e) {
    if (e instanceof ApiError) return { error: { status: e.status, code: e.code, message: e.message, field: e.field } };
    throw e;
  }
}

(window as unknown as { call: typeof call }).call = call;
document.getElementById('status')!.textContent = 'ready';
