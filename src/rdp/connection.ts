// One RDP connection through IronRDP: builds the session, reports the phases of connecting, runs it,
// and tells the caller when the first frame is drawn and when the machine's user session is up.
//
// IronRDP's connect() is one opaque step, so the phases are observed from outside:
//   'proxy'       the WebSocket to the Postern proxy is opening;
//   'machine'     it is open: the proxy dials the machine, does TLS and checks its certificate;
//   'signin'      the proxy's RDCleanPath answer arrived: RDP sign-in and capability exchange;
//   'first-frame' connect() resolved: waiting for the desktop's first pixels;
//   'running'     a frame was drawn.
// The first two come from watching the one WebSocket IronRDP opens to the proxy URL, the last from
// the canvas context IronRDP draws into.
import { loadIronRdp, type ClipboardData, type FileTransferProvider, type IronRdp, type IronSession } from '../../wasm/ironrdp';
import type { Size } from './geometry';
import { RdpClientUnavailable, RdpConnectFailed, readIronError, type IronFailure } from './errors';

export type RdpPhase = 'loading' | 'proxy' | 'machine' | 'signin' | 'first-frame' | 'running';

export interface RdpConnectParams {
  proxyUrl: string;
  /** 'link.<token>' or 'user.<session token>': the proxy's only way to know who asks. */
  authToken: string;
  /** 'link:<port>' or '<resourceId>:<port>': the proxy takes the port from it, never the host. */
  destination: string;
  username: string;
  password: string;
  desktop: Size;
  canvas: HTMLCanvasElement;
  onPhase(phase: RdpPhase): void;
  /** CSS cursor for the canvas ('default', 'none', or `url(…) x y, auto`). */
  onCursor(css: string): void;
  /** The machine's clipboard changed (all formats already fetched). */
  onRemoteClipboard(data: ClipboardData): void;
  /**
   * The machine's clipboard service asks for the page's clipboard. It runs inside the user's
   * session (xrdp's chansrv, Windows' rdpclip), so this is also the sign that a session started.
   */
  onClipboardRequested(): void;
  /** IronRDP resized the canvas: the machine changed the desktop size. */
  onResized(): void;
}

/**
 * Performance marks each connection leaves (for the benchmark): IronRDP ready to connect, its WebSocket
 * open, the proxy's RDCleanPath answer (the machine dialled, TLS done, certificate checked), connect()
 * resolved (RDP sign-in and capabilities done), and the first frame drawn.
 */
export const CONNECT_MARKS = {
  start: 'postern:rdp-start',
  socketOpen: 'postern:rdp-socket-open',
  rdCleanPathAnswer: 'postern:rdp-rdcleanpath-answer',
  connected: 'postern:rdp-connected',
  firstFrame: 'postern:rdp-first-frame',
} as const;

export interface RdpConnection {
  rdp: IronRdp;
  session: IronSession;
  desktop: Size;
  /** The machine chose NLA (CredSSP): it checked the credentials before the desktop, so no sign-in screen follows. */
  nla: boolean;
  /** Files through the clipboard channel, both ways (files.svelte.ts); disposed when the session ends. */
  files: FileTransferProvider;
  /** Resolves when the session ends: null when it ended normally, or what went wrong. */
  ended: Promise<IronFailure | null>;
}

/**
 * Connects and starts the session. Rejects with RdpClientUnavailable when IronRDP cannot be loaded, and
 * with RdpConnectFailed (IronRDP's reason) when it cannot connect.
 */
export async function connectRdp(p: RdpConnectParams): Promise<RdpConnection> {
  p.onPhase('loading');
  let rdp: IronRdp;
  try {
    rdp = await loadIronRdp(ironLogLevel());
  } catch (e) {
    throw new RdpClientUnavailable(String(e));
  }
  p.onPhase('proxy');
  performance.mark(CONNECT_MARKS.start);
  /** How the proxy closed the WebSocket, if it did: it says what IronRDP cannot (CLOSE.nlaRefused). */
  let closeCode: number | undefined;
  let nla = false;
  const stopWatching = watchProxySocket(p.proxyUrl, {
    open: () => {
      performance.mark(CONNECT_MARKS.socketOpen);
      p.onPhase('machine');
    },
    firstMessage: (data) => {
      performance.mark(CONNECT_MARKS.rdCleanPathAnswer);
      nla = data instanceof ArrayBuffer && selectedNla(new Uint8Array(data));
      p.onPhase('signin');
    },
    closed: (code) => (closeCode = code),
  });
  const stopDrawWatch = watchFirstDraw(p.canvas, () => {
    performance.mark(CONNECT_MARKS.firstFrame);
    p.onPhase('running');
  });
  let session: IronSession;
  const files = new rdp.RdpFileTransferProvider({ chunkSize: FILE_CHUNK });
  try {
    const builder = new rdp.SessionBuilder()
      .username(p.username)
      .password(p.password)
      .destination(p.destination)
      .proxyAddress(p.proxyUrl)
      .authToken(p.authToken)
      .desktopSize(new rdp.DesktopSize(p.desktop.width, p.desktop.height))
      .renderCanvas(p.canvas)
      // IronRDP refuses to connect without both cursor settings.
      .setCursorStyleCallback((kind: string, data?: string, x?: number, y?: number) => p.onCursor(cursorCss(kind, data, x, y)))
      .setCursorStyleCallbackContext(null)
      .remoteClipboardChangedCallback((data: ClipboardData) => p.onRemoteClipboard(data))
      .forceClipboardUpdateCallback(() => p.onClipboardRequested())
      .canvasResizedCallback(() => p.onResized())
      // Resize in place where the machine offers Display Control (MS-RDPEDISP); off by default in this build.
      .extension(rdp.displayControl(true))
      // A pasted bitmap is megabytes of CF_DIBV5 in one PDU, but the proxy takes WebSocket messages of at
      // most 1 MiB (proxy/server.ts maxPayload) and closes on larger ones: the tunnel is a byte stream,
      // so IronRDP sends a large PDU as several messages.
      .extension(rdp.outboundMessageSizeLimit(MAX_MESSAGE));
    // The callbacks for file lists and file contents: the provider turns them into downloads and uploads.
    for (const ext of files.getBuilderExtensions()) builder.extension(ext);
    session = await builder.connect();
  } catch (e) {
    files.dispose();
    stopDrawWatch();
    throw new RdpConnectFailed({ ...readIronError(e), closeCode });
  } finally {
    stopWatching();
  }
  files.setSession(session);
  performance.mark(CONNECT_MARKS.connected);
  p.onPhase('first-frame');
  const size = session.desktopSize();
  const desktop = { width: size.width, height: size.height };
  size.free();
  const ended = session.run().then(
    (info) => {
      info.free();
      return null;
    },
    (e: unknown) => readIronError(e),
  ).finally(() => {
    stopDrawWatch();
    files.dispose();
  });
  return { rdp, session, desktop, ended, nla, files };
}

/**
 * IronRDP's own log level: 'warn' unless someone diagnosing a problem sets
 * localStorage['postern.rdp.log'] to 'info' (connection steps, clipboard formats offered and taken).
 * 'debug' is not offered: at that level IronRDP prints the RDCleanPath request, link token included.
 */
export function ironLogLevel(): 'warn' | 'info' {
  try {
    return globalThis.localStorage?.getItem('postern.rdp.log') === 'info' ? 'info' : 'warn';
  } catch {
    return 'warn'; // storage blocked
  }
}

/** IronRDP's cursor kinds ('default', 'none', 'url' with a data URL and hotspot) as CSS. */
export function cursorCss(kind: string, data?: string, x?: number, y?: number): string {
  if (kind === 'none') return 'none';
  if (kind === 'url' && data && /^data:image\/[a-z+]+;base64,[A-Za-z0-9+/=]+$/.test(data)) {
    return `url("${data}") ${Math.round(x ?? 0)} ${Math.round(y ?? 0)}, auto`;
  }
  return 'default';
}

/** Well below the proxy's 1 MiB per WebSocket message (proxy/server.ts maxPayload). */
const MAX_MESSAGE = 256 * 1024;
/** Bytes per File Contents Request (IronRDP's default): the provider asks for one range at a time. */
const FILE_CHUNK = 64 * 1024;

/**
 * Watches the next WebSocket opened to `url` (IronRDP opens exactly one, with the global
 * constructor): reports its opening, its first message and its close code. Listeners added here run
 * before IronRDP's own, so the close code is known when connect() fails. Returns a function that stops watching.
 */
function watchProxySocket(url: string, on: { open(): void; firstMessage(data: unknown): void; closed(code: number): void }): () => void {
  const Original = globalThis.WebSocket;
  class Watched extends Original {
    constructor(target: string | URL, protocols?: string | string[]) {
      super(target, protocols);
      if (String(target) !== url) return;
      if (globalThis.WebSocket === Watched) globalThis.WebSocket = Original;
      this.addEventListener('open', () => on.open(), { once: true });
      this.addEventListener('message', (e) => on.firstMessage(e.data), { once: true });
      this.addEventListener('close', (e) => on.closed(e.code), { once: true });
    }
  }
  globalThis.WebSocket = Watched;
  return () => {
    if (globalThis.WebSocket === Watched) globalThis.WebSocket = Original;
  };
}

/** Calls `drawn` once, after IronRDP's first putImageData on this canvas. */
function watchFirstDraw(canvas: HTMLCanvasElement, drawn: () => void): () => void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return () => {};
  const original = ctx.putImageData;
  const restore = () => {
    if (ctx.putImageData !== original) delete (ctx as Partial<CanvasRenderingContext2D>).putImageData;
  };
  ctx.putImageData = function (this: CanvasRenderingContext2D, ...args: Parameters<CanvasRenderingContext2D['putImageData']>) {
    (original as (...a: unknown[]) => void).apply(this, args);
    restore();
    drawn();
  } as CanvasRenderingContext2D['putImageData'];
  return restore;
}

/**
 * Whether the proxy's RDCleanPath answer carries an X.224 Connection Confirm that selects NLA
 * (PROTOCOL_HYBRID or HYBRID_EX, MS-RDPBCGR 2.2.1.2.1). The confirm is a fixed 19-byte TPKT inside the
 * answer: 03 00 00 13 | 0E D0 dst(2) src(2) 00 | 02 flags 08 00 selectedProtocol(u32 LE).
 */
export function selectedNla(answer: Uint8Array): boolean {
  for (let i = 0; i + 19 <= answer.length; i++) {
    if (answer[i] !== 0x03 || answer[i + 1] !== 0 || answer[i + 2] !== 0 || answer[i + 3] !== 0x13) continue;
    if (answer[i + 4] !== 0x0e || answer[i + 5] !== 0xd0 || answer[i + 11] !== 0x02 || answer[i + 13] !== 0x08 || answer[i + 14] !== 0) continue;
    const selected = answer[i + 15] | (answer[i + 16] << 8) | (answer[i + 17] << 16) | (answer[i + 18] << 24);
    return (selected & (PROTOCOL_HYBRID | PROTOCOL_HYBRID_EX)) !== 0;
  }
  return false;
}

const PROTOCOL_HYBRID = 0x2;
const PROTOCOL_HYBRID_EX = 0x8;
