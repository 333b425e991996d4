// RDP benchmark: in real Chromium, against the test xrdp (xorgxrdp) through a real proxy serving the
// built SPA, the time from pressing Connect to the first drawn frame and to a fully drawn desktop, with
// its parts; and beside it, in the same run against the same xrdp, the native client: FreeRDP's
// xfreerdp (Debian freerdp2-x11) under Xvfb with /cert:ignore, timed to its first bitmap update.
// Each round is a fresh xrdp login for both clients. Run as root (xrdp's sesman switches users):
// npm run bench:rdp [-- --rounds 5]
//
// Measured in the page with performance.now(): t0 is the Connect click; "first frame" is the first
// animation frame where the desktop canvas is visible and has pixels; "fully drawn" is the last
// change of the canvas before it holds still for a second with many colours (the harness's xterm
// prints a 256-colour palette). Sampling reads every 7th pixel once per animation frame. The parts come
// from the page's performance entries (wasm/ironrdp.ts LOAD_MEASURES, src/rdp/connection.ts
// CONNECT_MARKS): IronRDP's chunk fetch and its init (both start when RDP is chosen; Connect is pressed
// once they are done, as a visitor typing a password would), then from Connect: the page until
// IronRDP's connect() starts, its WebSocket opening, the RDCleanPath round trip (the proxy dials, does TLS, checks the
// certificate), RDP sign-in (connect() resolving). "TLS" is the proxy's own path to xrdp (TCP, X.224,
// TLS handshake: proxy/rdp/target.ts), timed from this process in each round.
//
// xfreerdp writes its debug log line-buffered (stdbuf); its first frame is its first "recv Update
// Data PDU" (or fast-path update) line, timed from its start and from its first negotiation line.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, signIn, startProxy } from '../tests/support/proxy.ts';
import { startXrdp, xrdpUnavailable } from '../tests/support/xrdp.ts';
import { connectRdpTarget } from '../proxy/rdp/target.ts';
import { PROTOCOL, buildConnectionRequest } from '../proxy/rdp/x224.ts';

const args = process.argv.slice(2);
const ROUNDS = Number(args[args.indexOf('--rounds') + 1] || 0) || 5;
const STILL_MS = 1000;
const MIN_COLOURS = 100;

const why = xrdpUnavailable();
if (why) {
  console.error(`bench:rdp cannot run here: ${why}`);
  process.exit(1);
}

const dist = mkdtempSync(join(tmpdir(), 'postern-bench-dist-'));
const built = spawnSync('npx', ['vite', 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
if (built.status !== 0) throw new Error('vite build failed');

const [proxy, xrdp] = await Promise.all([startProxy({ staticDir: dist }), startXrdp()]);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

interface Round {
  firstFrame: number;
  fullyDrawn: number;
  colours: number;
  width: number;
  height: number;
  /** Parts, in ms (see the file comment); fetch and init happened before Connect. */
  fetch: number;
  init: number;
  /** Connect to IronRDP's connect() starting (the page: form, desktop view), then to its WebSocket open. */
  page: number;
  socket: number;
  rdCleanPath: number;
  signIn: number;
}

/**
 * The in-page probe: starts the clock on Connect, watches the canvas every animation frame. A string,
 * because tsx would wrap named functions in a helper the page does not have.
 */
const PROBE = `
window.__rdpBench = new Promise((resolve) => {
  let t0 = 0, first = 0, lastChange = 0, lastSig = '';
  document.addEventListener('submit', () => { t0 = performance.now(); }, { capture: true });
  const tick = () => {
    const now = performance.now();
    const c = document.querySelector('.rdp-stage canvas');
    if (t0 && c && c.width > 0 && c.style.visibility === 'visible') {
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const colours = new Set();
      let sig = 0, drawn = false;
      for (let i = 0; i < data.length; i += 28) {
        const v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
        colours.add(v);
        if (data[i + 3] !== 0) drawn = true;
        sig = (Math.imul(sig, 31) + v + data[i + 3]) | 0;
      }
      const key = c.width + 'x' + c.height + ':' + sig;
      if (!first && drawn) first = now;
      if (key !== lastSig) { lastSig = key; lastChange = now; }
      else if (first && colours.size >= ${MIN_COLOURS} && now - lastChange >= ${STILL_MS}) {
        const measure = (n) => performance.getEntriesByName(n)[0]?.duration ?? NaN;
        const mark = (n) => performance.getEntriesByName(n)[0]?.startTime ?? NaN;
        resolve({ firstFrame: first - t0, fullyDrawn: lastChange - t0, colours: colours.size, width: c.width, height: c.height,
          fetch: measure('postern:ironrdp-fetch'), init: measure('postern:ironrdp-init'),
          page: mark('postern:rdp-start') - t0,
          socket: mark('postern:rdp-socket-open') - mark('postern:rdp-start'),
          rdCleanPath: mark('postern:rdp-rdcleanpath-answer') - mark('postern:rdp-socket-open'),
          signIn: mark('postern:rdp-connected') - mark('postern:rdp-rdcleanpath-answer') });
        return;
      }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
});`;

async function round(url: string): Promise<Round> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(url);
  await page.getByRole('heading', { name: /^Sign in to / }).waitFor();
  await page.getByLabel('Username').fill(xrdp.user);
  await page.getByLabel('Password', { exact: true }).fill(xrdp.password);
  // A visitor takes longer to type than IronRDP takes to load from choosing RDP (this link offers only
  // RDP, so the form opens on it): Connect is pressed once the load is done, as it would be.
  await page.waitForFunction(() => performance.getEntriesByName('postern:ironrdp-init').length > 0, undefined, { timeout: 30_000 });
  await page.evaluate(`${PROBE}; 0`); // not awaiting the promise here: Connect starts it
  await page.getByRole('button', { name: 'Connect' }).click();
  const result = await page.waitForFunction(() => (window as unknown as { __rdpBench: Promise<Round> }).__rdpBench, undefined, { timeout: 60_000 });
  const r = (await result.jsonValue()) as Round;
  if (process.env.RDP_BENCH_SHOT) await page.screenshot({ path: process.env.RDP_BENCH_SHOT });
  // End the X session, so that the next round is a fresh login: the xterm is the session's only client.
  const canvas = page.locator('.rdp-stage canvas');
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await canvas.focus();
  await page.keyboard.type('exit');
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Connect' }).waitFor({ timeout: 30_000 });
  await context.close();
  return r;
}

/** The proxy's path to xrdp, from this process: TCP, X.224 negotiation and the TLS handshake, in ms. */
async function tlsToXrdp(): Promise<number> {
  const t0 = performance.now();
  const target = await connectRdpTarget({
    host: '127.0.0.1', port: xrdp.port, x224Request: buildConnectionRequest(PROTOCOL.SSL | PROTOCOL.HYBRID | PROTOCOL.HYBRID_EX, 'bench'),
    timeoutMs: 10_000, verifyCertificate: () => true,
  });
  const ms = performance.now() - t0;
  target.socket.destroy();
  return ms;
}

interface NativeRound {
  /** From starting xfreerdp, and from its first negotiation log line, to its first bitmap update. */
  fromStart: number;
  fromNego: number;
}

/** One fresh login by xfreerdp at `size`, on the Xvfb `display`; ends the session afterwards. */
async function xfreerdpRound(display: string, size: { width: number; height: number }): Promise<NativeRound> {
  const t0 = performance.now();
  const child: ChildProcess = spawn('stdbuf', ['-oL', '-eL', 'xfreerdp', `/v:127.0.0.1:${xrdp.port}`, `/u:${xrdp.user}`, `/p:${xrdp.password}`,
    '/cert:ignore', '/log-level:DEBUG', `/size:${size.width}x${size.height}`], { env: { ...process.env, DISPLAY: display }, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    return await new Promise<NativeRound>((resolve, reject) => {
      let nego = NaN;
      let rest = '';
      const timer = setTimeout(() => reject(new Error('xfreerdp drew nothing in 30 s')), 30_000);
      const read = (d: Buffer) => {
        const lines = (rest + d.toString()).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          if (Number.isNaN(nego) && /CONNECTION_STATE_INITIAL --> CONNECTION_STATE_NEGO/.test(line)) nego = performance.now();
          if (/recv Update Data PDU|fastpath_recv_update|Fast-?Path update/i.test(line)) {
            clearTimeout(timer);
            const now = performance.now();
            resolve({ fromStart: now - t0, fromNego: now - nego });
            return;
          }
        }
      };
      child.stdout!.on('data', read);
      child.stderr!.on('data', read);
      child.once('exit', (code) => reject(new Error(`xfreerdp exited (${code}) before its first frame`)));
    });
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    await xrdp.endSession();
  }
}

/** A private X screen for xfreerdp; resolves with its display name. */
function startXvfb(): Promise<{ display: string; stop(): void }> {
  const x = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1600x1000x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    (x.stdio[3] as NodeJS.ReadableStream).once('data', (d: Buffer) => resolve({ display: `:${d.toString().trim()}`, stop: () => x.kill('SIGTERM') }));
    x.once('exit', () => reject(new Error('Xvfb exited')));
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

try {
  const owner = await signIn(proxy.url, proxy.ownerSigninUrl);
  await owner.call('PUT', '/api/settings', { shareableLinks: true });
  const res = await owner.call('POST', '/api/resources', { name: 'bench-box', address: '127.0.0.1', ports: { rdp: [xrdp.port] } });
  const link = await owner.call('POST', '/api/links', { resourceIds: [res.body.id] });
  const url = `${proxy.url}/#/l/${link.body[0].token}`;

  const rounds: Round[] = [];
  const tls: number[] = [];
  const native: NativeRound[] = [];
  const xvfb = await startXvfb();
  const ms = (n: number, w = 6) => (Number.isFinite(n) ? n.toFixed(0) : '–').padStart(w);
  console.log(`RDP: Chromium → Postern proxy (RDCleanPath) → xrdp ${xrdp.namespaced ? '(namespaced) ' : ''}with xorgxrdp, TLS (no NLA), 1280×800 window, fresh login each round`);
  console.log(`machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('ms, per round. Postern: IronRDP fetch and init (before Connect, from choosing RDP), then from Connect: the page until IronRDP connects, WebSocket open,');
  console.log('RDCleanPath round trip, RDP sign-in, first frame, fully drawn; TLS = the proxy\'s TCP+X.224+TLS to xrdp. xfreerdp: same xrdp, fresh login.');
  console.log('round   fetch   init |   page  ws-open  rdcleanpath  sign-in | FIRST FRAME  fully drawn | TLS | xfreerdp first frame (from start / from nego)');
  for (let i = 0; i < ROUNDS; i++) {
    tls.push(await tlsToXrdp());
    const r = await round(url);
    rounds.push(r);
    const n = await xfreerdpRound(xvfb.display, { width: r.width, height: r.height });
    native.push(n);
    console.log(`${String(i + 1).padStart(5)}  ${ms(r.fetch)} ${ms(r.init)} | ${ms(r.page)} ${ms(r.socket, 8)} ${ms(r.rdCleanPath, 12)} ${ms(r.signIn, 8)} | ${ms(r.firstFrame, 11)} ${ms(r.fullyDrawn, 12)} | ${ms(tls[i], 3)} | ${ms(n.fromStart, 8)} / ${ms(n.fromNego)}  (${r.width}×${r.height}, ${r.colours} colours)`);
  }
  xvfb.stop();
  const med = (f: (r: Round) => number) => ms(median(rounds.map(f)));
  console.log(`median ${med((r) => r.fetch)} ${med((r) => r.init)} | ${med((r) => r.page)} ${ms(median(rounds.map((r) => r.socket)), 8)} ${ms(median(rounds.map((r) => r.rdCleanPath)), 12)} ${ms(median(rounds.map((r) => r.signIn)), 8)} | ${ms(median(rounds.map((r) => r.firstFrame)), 11)} ${ms(median(rounds.map((r) => r.fullyDrawn)), 12)} | ${ms(median(tls), 3)} | ${ms(median(native.map((n) => n.fromStart)), 8)} / ${ms(median(native.map((n) => n.fromNego)))}`);
  console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  await browser.close();
  await proxy.stop();
  await xrdp.stop();
  rmSync(dist, { recursive: true, force: true });
}
