// RDP benchmark: in real Chromium, against the test xrdp (xorgxrdp) through a real proxy serving the
// built SPA, the time from pressing Connect to the first drawn frame and to a fully drawn desktop.
// Each round is a fresh xrdp login (the previous round ends its session by typing `exit`).
// Run as root (xrdp's sesman switches users): npm run bench:rdp [-- --rounds 5]
//
// Measured in the page with performance.now(): t0 is the Connect click; "first frame" is the first
// animation frame where the desktop canvas is visible and has pixels; "fully drawn" is the last
// change of the canvas before it holds still for a second with many colours (the harness's xterm
// prints a 256-colour palette). Sampling reads every 7th pixel once per animation frame.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, signIn, startProxy } from '../tests/support/proxy.ts';
import { startXrdp, xrdpUnavailable } from '../tests/support/xrdp.ts';

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
        resolve({ firstFrame: first - t0, fullyDrawn: lastChange - t0, colours: colours.size });
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
  console.log(`RDP: Chromium → Postern proxy (RDCleanPath) → xrdp ${xrdp.namespaced ? '(namespaced) ' : ''}with xorgxrdp, 1280×800 window, fresh login each round`);
  console.log('round  connect→first frame  connect→fully drawn  colours');
  for (let i = 0; i < ROUNDS; i++) {
    const r = await round(url);
    rounds.push(r);
    console.log(`${String(i + 1).padStart(5)}  ${r.firstFrame.toFixed(0).padStart(16)} ms  ${r.fullyDrawn.toFixed(0).padStart(16)} ms  ${String(r.colours).padStart(7)}`);
  }
  console.log(`median ${median(rounds.map((r) => r.firstFrame)).toFixed(0).padStart(16)} ms  ${median(rounds.map((r) => r.fullyDrawn)).toFixed(0).padStart(16)} ms`);
} finally {
  await browser.close();
  await proxy.stop();
  await xrdp.stop();
  rmSync(dist, { recursive: true, force: true });
}
