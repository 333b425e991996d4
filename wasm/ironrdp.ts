// Loads IronRDP's web client once per page: Devolutions' official build, @devolutions/iron-remote-desktop-rdp
// (exact version pinned in package.json, built from IronRDP's tag npm-iron-remote-desktop-rdp-v<version>).
// Nothing imports this file statically: the RDP back end is itself a dynamic import, and this module is
// imported by it only through import(), so the package (about 6 MB of JavaScript, most of it the
// WebAssembly inlined as a base64 data URL) is its own chunk, fetched when a visitor chooses RDP.
//
// The package's init() fetches that data: URL and compiles it (WebAssembly.instantiateStreaming), which
// is why the proxy's CSP allows `connect-src data:` and `script-src 'wasm-unsafe-eval'`
// (proxy/http/headers.ts). One initialised module serves every connection of the page: reconnections
// (a new desktop size, Connect again after an error) reuse it.
type Package = typeof import('@devolutions/iron-remote-desktop-rdp');

/** The classes and the extensions Postern uses, from the initialised package. */
export type IronRdp = Package['Backend'] &
  Pick<Package, 'displayControl' | 'enableCredssp' | 'outboundMessageSizeLimit' | 'RdpFileTransferProvider'>;
export type IronSession = Awaited<ReturnType<InstanceType<IronRdp['SessionBuilder']>['connect']>>;
export type ClipboardData = InstanceType<IronRdp['ClipboardData']>;
export type DeviceEvent = ReturnType<IronRdp['DeviceEvent']['keyPressed']>;
/** Files through the clipboard channel (MS-RDPECLIP file contents), both ways. */
export type FileTransferProvider = InstanceType<IronRdp['RdpFileTransferProvider']>;
export type { FileInfo, FileTransferError, TransferProgress } from '@devolutions/iron-remote-desktop-rdp';

/**
 * Each load leaves two performance measures, for the benchmark and the tests: fetching and evaluating
 * the chunk, and compiling and starting the WebAssembly.
 */
export const LOAD_MEASURES = { fetch: 'postern:ironrdp-fetch', init: 'postern:ironrdp-init' } as const;

let loading: Promise<IronRdp> | undefined;

/**
 * The initialised module; a failed load is forgotten so that pressing Connect again retries it.
 * The first call's log level applies ('debug' is never passed: at that level IronRDP prints the
 * RDCleanPath request, link token included).
 */
export function loadIronRdp(logLevel: 'error' | 'warn' | 'info' = 'warn'): Promise<IronRdp> {
  loading ??= (async () => {
    const t0 = performance.now();
    const pkg = await import('@devolutions/iron-remote-desktop-rdp');
    const t1 = performance.now();
    await pkg.init(logLevel);
    performance.measure(LOAD_MEASURES.fetch, { start: t0, end: t1 });
    performance.measure(LOAD_MEASURES.init, { start: t1, end: performance.now() });
    const { displayControl, enableCredssp, outboundMessageSizeLimit, RdpFileTransferProvider } = pkg;
    return { ...pkg.Backend, displayControl, enableCredssp, outboundMessageSizeLimit, RdpFileTransferProvider };
  })().catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}
