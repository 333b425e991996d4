// Runs the real IronRDP web client (@devolutions/iron-remote-desktop-rdp, the same build the SPA loads,
// through the same loader, wasm/ironrdp.ts) in Node, so the proxy's RDCleanPath endpoint is tested
// against the client it serves without a browser.
// Node 20 has no global WebSocket; the `ws` client stands in. connect() never touches the canvas
// (only Session.run() draws), so a placeholder object is enough for these tests.
import { WebSocket } from 'ws';
import { loadIronRdp as loadShared, type IronRdp } from '../../../wasm/ironrdp.ts';

/**
 * After a failed connect() IronRDP frees its WebSocket callbacks but leaves them attached, so the
 * close that follows throws "closure invoked recursively or after being dropped" (a browser only
 * logs it). Node would treat it as an uncaught exception, so this WebSocket drops exactly that error.
 */
class NodeWebSocket extends WebSocket {
  private wrapped = new WeakMap<object, (ev: unknown) => void>();

  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    this.on('close', (code: number) => closeCodes.push(code));
  }

  override addEventListener(type: never, listener: never, options?: never): void {
    const fn = listener as (ev: unknown) => void;
    let safe = this.wrapped.get(fn);
    if (!safe) {
      safe = (ev: unknown) => {
        try {
          fn(ev);
        } catch (e) {
          if (!/after being dropped/.test(String(e))) throw e;
        }
      };
      this.wrapped.set(fn, safe);
    }
    super.addEventListener(type, safe as never, options);
  }

  override removeEventListener(type: never, listener: never): void {
    super.removeEventListener(type, (this.wrapped.get(listener as object) ?? listener) as never);
  }
}
/** The close code of each WebSocket IronRDP opened here, in order (the proxy's close code says what IronRDP cannot). */
export const closeCodes: number[] = [];

let loaded: Promise<IronRdp> | undefined;

export function loadIronRdp(): Promise<IronRdp> {
  loaded ??= (async () => {
    (globalThis as { WebSocket?: unknown }).WebSocket ??= NodeWebSocket;
    // The package's init() fetches its inlined WebAssembly from a data: URL, which Node's fetch serves too.
    return loadShared('error');
  })();
  return loaded;
}

export interface IronConnect {
  proxyUrl: string;
  token: string;
  destination: string;
  username: string;
  password: string;
  width?: number;
  height?: number;
  /** Ask for the clipboard channel (IronRDP adds CLIPRDR only with a remote-clipboard callback). */
  clipboard?: boolean;
  /** Offer CredSSP (NLA); on by default in IronRDP. */
  credssp?: boolean;
}

export async function ironConnect(o: IronConnect) {
  const rdp = await loadIronRdp();
  const builder = new rdp.SessionBuilder()
    .username(o.username)
    .password(o.password)
    .destination(o.destination)
    .proxyAddress(o.proxyUrl)
    .authToken(o.token)
    .desktopSize(new rdp.DesktopSize(o.width ?? 1024, o.height ?? 768))
    .renderCanvas({} as HTMLCanvasElement)
    .setCursorStyleCallback(() => {})
    .setCursorStyleCallbackContext({})
    .extension(rdp.enableCredssp(o.credssp ?? true));
  return (o.clipboard ? builder.remoteClipboardChangedCallback(() => {}) : builder).connect();
}

/** What an IronError says, in plain values (the error is a WASM object). */
export function ironFailure(e: unknown): { kind: number; http?: number; wsa?: number; tls?: number; text: string } {
  const err = e as { kind(): number; backtrace(): string; rdcleanpathDetails(): { httpStatusCode?: number; wsaErrorCode?: number; tlsAlertCode?: number } | undefined };
  const d = err.rdcleanpathDetails?.();
  return { kind: err.kind(), http: d?.httpStatusCode, wsa: d?.wsaErrorCode, tls: d?.tlsAlertCode, text: err.backtrace() };
}
