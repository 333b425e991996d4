/// <reference types="vite/client" />
// Loads IronRDP's web client (ironrdp-wasm 1.1.0) once per page, on first use. Nothing imports this
// file statically: the RDP backend is itself a dynamic import, so the 4 MB WebAssembly module is
// fetched only after a visitor chooses RDP and presses Connect.
//
// `?url` makes Vite emit the .wasm as a hashed asset next to the JavaScript (the proxy serves it as
// application/wasm, which streaming compilation requires). The package's `exports` list does not
// name the .wasm, so it is addressed by path.
import wasmUrl from '../node_modules/ironrdp-wasm/pkg/rdp_client_bg.wasm?url';

export type IronRdp = typeof import('ironrdp-wasm');

let loading: Promise<IronRdp> | undefined;

/** The initialised module; a failed load is forgotten so that pressing Connect again retries it. */
export function loadIronRdp(logLevel: 'error' | 'warn' | 'info' | 'debug' = 'warn'): Promise<IronRdp> {
  loading ??= (async () => {
    const mod = await import('ironrdp-wasm');
    await mod.default({ module_or_path: new URL(wasmUrl, document.baseURI) });
    mod.setup(logLevel);
    return mod;
  })().catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

/** The URL the .wasm is served from (for preloading and tests). */
export const IRONRDP_WASM_URL = wasmUrl;
