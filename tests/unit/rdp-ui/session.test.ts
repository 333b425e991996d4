// The remote desktop's connection loop (src/rdp/session.ts) with IronRDP and the page's wiring replaced
// by fakes: up once the first connection is made, a reconnection at the settled size when the machine
// cannot resize in place, and typed failures turned into the visitor's sentences.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RdpConnectParams, RdpConnection } from '../../../src/rdp/connection';
import { IRON_KIND, RdpClientUnavailable, RdpConnectFailed, type IronFailure } from '../../../src/rdp/errors';
import type { Size } from '../../../src/rdp/geometry';
import { RdpSession, type RdpSessionDeps, type RdpSessionParams } from '../../../src/rdp/session';
import type { Wiring } from '../../../src/rdp/wiring';

const params: RdpSessionParams = {
  proxyUrl: 'ws://proxy.test/ws/rdp',
  authToken: 'link.t',
  destination: 'link:3389',
  username: 'alice',
  password: 'secret',
  clipboard: { to: false, from: false },
  authority: 'link',
  resourceName: 'build-box',
  port: 3389,
};

/** One fake IronRDP connection: ends when the session is shut down, or with `fail`. */
function fakeConnection(desktop: Size) {
  let end!: (f: IronFailure | null) => void;
  const ended = new Promise<IronFailure | null>((r) => (end = r));
  const conn = {
    rdp: {},
    session: { shutdown: () => end(null), resize: () => undefined },
    desktop,
    ended,
  } as unknown as RdpConnection;
  return { conn, fail: (f: IronFailure) => end(f) };
}

function setup(connect: (p: RdpConnectParams) => Promise<RdpConnection>, watchLogin?: RdpSessionDeps['watchLogin']) {
  const asked: Size[] = [];
  /** For each wiring made, whether it was undone. */
  const wired: boolean[] = [];
  const session = new RdpSession(params, {
    connect: (p) => {
      asked.push(p.desktop);
      return connect(p);
    },
    wire: (): Wiring => {
      const n = wired.push(false) - 1;
      return { bridge: {} as Wiring['bridge'], dispose: () => (wired[n] = true) };
    },
    watchLogin,
  });
  const canvas = { width: 0, height: 0, focus: () => undefined } as unknown as HTMLCanvasElement;
  return { session, asked, wired, canvas };
}

describe('RdpSession', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('is up after the first connection, and signs in again at the settled size when the machine cannot resize', async () => {
    const connections: ReturnType<typeof fakeConnection>[] = [];
    const { session, asked, wired, canvas } = setup(async (p) => {
      p.onPhase('running');
      const c = fakeConnection(p.desktop);
      connections.push(c);
      return c.conn;
    });
    session.attach(canvas, { width: 1200, height: 700 });
    await session.start();
    expect(session.model.up).toBe(true);
    expect(session.model.desktop).toEqual({ width: 1200, height: 700 });

    session.windowChanged({ width: 900, height: 600 });
    await vi.advanceTimersByTimeAsync(600 + 2000); // settles, asks live, the desktop never changes: signs in again
    expect(asked).toEqual([{ width: 1200, height: 700 }, { width: 900, height: 600 }]);
    expect(session.model.resizing).toBe(false);

    session.close();
    expect(await session.ended).toBeNull();
    expect(wired).toEqual([true, true]); // each connection's input and clipboard wiring, undone
    expect(connections).toHaveLength(2);
  });

  it('a machine that ends the session reports why, in the visitor\'s words', async () => {
    let fail!: (f: IronFailure) => void;
    const { session, canvas } = setup(async (p) => {
      const c = fakeConnection(p.desktop);
      fail = c.fail;
      return c.conn;
    });
    session.attach(canvas, { width: 800, height: 600 });
    await session.start();
    fail({ kind: IRON_KIND.general, text: 'gone' });
    expect(await session.ended).toMatchObject({ kind: 'protocol', message: expect.stringMatching(/^The RDP connection to "build-box" failed/) });
  });

  it('refuses to start with a typed reason: the client did not load, or IronRDP could not connect', async () => {
    const unloaded = setup(() => Promise.reject(new RdpClientUnavailable('offline')));
    unloaded.session.attach(unloaded.canvas, { width: 800, height: 600 });
    await expect(unloaded.session.start()).rejects.toMatchObject({
      kind: 'unreachable', message: 'Could not load the RDP client. Check your connection and reload the page.' });

    const refused = setup(() => Promise.reject(new RdpConnectFailed({ kind: IRON_KIND.wrongPassword, text: '' })));
    refused.session.attach(refused.canvas, { width: 800, height: 600 });
    await expect(refused.session.start()).rejects.toMatchObject({
      kind: 'auth-failed', field: 'password', message: '"build-box" did not accept this username and password.' });
  });

  it('closed while connecting: the late connection is shut down and start() says so', async () => {
    let made!: (c: RdpConnection) => void;
    const late = fakeConnection({ width: 800, height: 600 });
    const shutdown = vi.spyOn(late.conn.session, 'shutdown');
    const { session, canvas } = setup(() => new Promise((r) => (made = r)));
    session.attach(canvas, { width: 800, height: 600 });
    session.close();
    await expect(session.start()).rejects.toMatchObject({ kind: 'unreachable', message: 'The connection to "build-box" closed before the desktop appeared.' });
    made(late.conn);
    await vi.advanceTimersByTimeAsync(0);
    expect(shutdown).toHaveBeenCalled();
  });

  it('a failed sign-in seen in the first frames ends the session with the sentence beside the password; never looked for with NLA', async () => {
    for (const nla of [false, true]) {
      const watched: Array<() => void> = [];
      let stopped = 0;
      const { session, canvas } = setup(async (p) => {
        const c = fakeConnection(p.desktop);
        queueMicrotask(() => p.onPhase('running')); // the first frame comes after connect() resolved
        return { ...c.conn, nla } as RdpConnection;
      }, (_canvas, failed) => {
        watched.push(failed);
        return () => stopped++;
      });
      session.attach(canvas, { width: 800, height: 600 });
      await session.start();
      await vi.advanceTimersByTimeAsync(0);
      if (nla) {
        expect(watched).toHaveLength(0);
        session.close();
        continue;
      }
      expect(watched).toHaveLength(1);
      watched[0]();
      expect(await session.ended).toMatchObject({
        kind: 'auth-failed', field: 'password', message: expect.stringMatching(/the username or password was probably not accepted/),
      });
      expect(stopped).toBeGreaterThan(0);
    }
  });

  it('without NLA and without a recognised failure, the sign-in hint shows 8 s after the first frame unless the session started', async () => {
    for (const [nla, clipboardAsked, hint] of [[false, false, true], [false, true, false], [true, false, false]] as const) {
      const { session, canvas } = setup(async (p) => {
        const c = fakeConnection(p.desktop);
        queueMicrotask(() => {
          p.onPhase('running');
          if (clipboardAsked) p.onClipboardRequested();
        });
        return { ...c.conn, nla } as RdpConnection;
      }, () => () => undefined);
      session.attach(canvas, { width: 800, height: 600 });
      await session.start();
      await vi.advanceTimersByTimeAsync(7900);
      expect(session.model.signinHint).toBe(false);
      await vi.advanceTimersByTimeAsync(200);
      expect(session.model.signinHint, `nla ${nla}, clipboard ${clipboardAsked}`).toBe(hint);
      session.close();
    }
  });
});
