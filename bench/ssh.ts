// SSH benchmark: Postern's in-browser SSH client (Chromium, Web Worker, xterm.js) beside OpenSSH's own client,
// in one run against the same real sshd. Figures, not tests:
//   connect: from pressing Connect to the shell prompt on screen, versus `ssh -tt` to the same prompt (median),
//     one row per key exchange, like for like: the server allows only that exchange (`KexAlgorithms`), and
//     `ssh -tt` is given it too (`-o KexAlgorithms=`); mlkem768x25519 runs against OpenSSH 10.5 with its own ssh.
//     Every server offers one cipher (CIPHER), so both clients use it. Each row prints the exchange and cipher
//     each side negotiated;
//   throughput: `head -c N` of a text file rendered in the session's terminal, versus xterm.js rendering the
//   same bytes written directly into a terminal of the same size in the same page; and where the CPU went;
//   keystrokes: each key until its echo is on screen, and Ctrl+C in a flood until the shell's next line
//     is, beside `ssh -tt` reading the same (bench/interactive.ts);
//   idle: a focused terminal doing nothing, the session's beside xterm.js alone's, CPU ms per second.
// Run: npm run bench:ssh [-- --runs 7 --mb 200 --pairs 3]
//   --kex curve25519-sha256,...  only these connect rows (--kex none: throughput only)
//   --pairs N                    throughput: the terminal and xterm.js alone in turn, N times each (default 3);
//                                the table shows medians, then each pair's ratio
//   --threads                    split the browser's other threads by process and thread name
//   --renderer webgl             also measure the terminal with xterm.js's WebGL renderer (the visitor's setting),
//                                beside xterm.js alone with the WebGL addon; this machine's WebGL is what Chromium
//                                has (the GL renderer is printed: SwiftShader means software, no graphics card)
//   --trace                      after the measurements, one more terminal run and one more xterm-alone run under a
//                                browser trace: per thread, the time and count of each kind of event (per MB);
//                                and 8 s of a focused idle terminal whose blink has stopped (per second)
//   --trace-connect              after the measurements, one more connect under a browser trace: the phases, and
//                                the page's and the SSH worker's tasks over 1 ms from Connect to the prompt
//   --profile DIR                after the measurements, one more terminal run and one more worker-alone run
//                                under V8's sampling profiler (page and SSH worker): .cpuprofile files in DIR
//                                (open them in DevTools' Performance panel) and the top self-time functions
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBareChromium, topSelfTime, type CdpPage as Page, type TraceEvent } from './cdp.ts';
import { startCpuAccount } from './cpu.ts';
import { ROOT, signIn, startProxy } from '../tests/support/proxy.ts';
import { OPENSSH_10_5_DIR, sshdAvailable, startSshd, type Sshd, type SshdBuild } from '../tests/support/sshd.ts';
import { arg, args } from './args.ts';
import { BLINK_TIMEOUT_MS } from '../src/terminal/cursor-blink.ts';
import { opensshEcho, opensshInterrupt, sessionEcho, sessionInterrupt } from './interactive.ts';
import { armMarker, clearMarker, focusTerminal } from './terminal-page.ts';

/** The only cipher the benchmark's servers offer, so both clients use it: Postern's first choice (src/ssh/core/kex/kexinit.ts). */
const CIPHER = 'aes128-gcm@openssh.com';
const RUNS = Number(arg('--runs', '7'));
/**
 * How long the visitor takes between the form appearing and Connect (typing a username takes longer). The
 * page prepares SSH meanwhile, as it would for a person; the cold first visit presses Connect at once.
 */
const THINK_MS = Number(arg('--think', '1000'));
const MB = Number(arg('--mb', '200'));
const THREADS = args.includes('--threads');
const PROFILE_DIR = arg('--profile', '');
const TRACE = args.includes('--trace');
const TRACE_CONNECT = args.includes('--trace-connect');
const ONLY_KEX = arg('--kex', '');
/** Throughput runs: the terminal and xterm.js alone, in turn, this many times each. */
const PAIRS = Number(arg('--pairs', '3'));
const WEBGL = arg('--renderer', 'dom') === 'webgl';
const BYTES = MB * 1_000_000;
const PROMPT = /postern-test@\S*:~\$/;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** The output to render: a file of printable bytes (so no filter process shares the CPU), readable by the test user. */
const TEXT_FILE = join(tmpdir(), `postern-bench-text-${process.pid}`);
const HEAD = `head -c ${BYTES} ${TEXT_FILE}`;
/** What the shell prints after the output: the marker whose drawing ends a measurement. */
const END = 'echo; echo END-$((6*7))';

function writeTextFile(): void {
  const block = Buffer.alloc(1 << 20, 'a');
  const fd = openSync(TEXT_FILE, 'w', 0o644);
  for (let left = BYTES; left > 0; left -= block.length) writeSync(fd, block, 0, Math.min(left, block.length));
  closeSync(fd);
}

/** Runs a throughput measurement and notes the CPU milliseconds per MB each part of the pipeline used. */
async function withCpu(measure: () => Promise<number>): Promise<{ rate: number; cpu: Map<string, number> }> {
  const stop = startCpuAccount(THREADS);
  const rate = await measure();
  const cpu = new Map([...stop()].map(([role, ms]) => [role, ms / MB]));
  // Detail rows (indented) are the browser's other threads: their sum is that role's figure.
  const other = [...cpu].filter(([r]) => r.startsWith('  ')).reduce((sum, [, v]) => sum + v, 0);
  if (other > 0) cpu.set('browser, other threads', other);
  return { rate, cpu };
}

/** One throughput run: MB/s, CPU ms per MB by role, frames drawn. */
interface Measured {
  rate: number;
  cpu: Map<string, number>;
  frames: number;
}

/** Each figure's median over the runs (role by role: the figures may come from different runs). */
function medianOf(runs: Measured[]): Measured {
  const roles = new Set(runs.flatMap((r) => [...r.cpu.keys()]));
  return {
    rate: median(runs.map((r) => r.rate)),
    cpu: new Map([...roles].map((role) => [role, median(runs.map((r) => r.cpu.get(role) ?? 0))])),
    frames: median(runs.map((r) => r.frames)),
  };
}

/** A connect row: one key exchange, the sshd that has it (allowing only it), and the ssh that has it. */
interface KexRow {
  kex: string;
  build: SshdBuild;
  ssh: string;
}
const KEX_ROWS: KexRow[] = [
  { kex: 'curve25519-sha256', build: 'debian' as const, ssh: 'ssh' },
  { kex: 'sntrup761x25519-sha512', build: 'debian' as const, ssh: 'ssh' },
  { kex: 'mlkem768x25519-sha256', build: 'openssh-10.5' as const, ssh: join(OPENSSH_10_5_DIR, 'ssh') },
].filter((r) => sshdAvailable(r.build) && (!ONLY_KEX || ONLY_KEX.split(',').includes(r.kex)));

const profileLog: string[] = [];

/** A trace's thread names, by "pid:tid". */
function threadNames(events: TraceEvent[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args?.name ?? '?');
  return names;
}

/**
 * Runs `measure` under a browser trace and notes, per thread, the time in each kind of event (nested ones
 * included), per MB of output or, with `idleMs`, per second of a terminal doing nothing.
 */
async function traced(page: Page, name: string, measure: () => Promise<number>, idleMs = 0): Promise<void> {
  const stop = await page.startTracing('devtools.timeline,disabled-by-default-devtools.timeline,blink,cc,gpu,viz,toplevel,v8');
  const rate = await measure();
  const events = await stop();
  const per = idleMs ? idleMs / 1000 : MB;
  const threads = threadNames(events);
  const sums = new Map<string, number>();
  const counts = new Map<string, number>();
  for (const e of events) {
    if (e.ph !== 'X' || !e.dur) continue;
    const key = `${threads.get(`${e.pid}:${e.tid}`) ?? e.tid} ${e.name}`;
    sums.set(key, (sums.get(key) ?? 0) + e.dur / 1000);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  profileLog.push(idleMs
    ? `\ntrace: ${name}, ${idleMs / 1000} s; ms per second by thread and event (nested events counted in each)`
    : `\ntrace: ${name}, ${rate.toFixed(1)} MB/s; ms per MB by thread and event (nested events counted in each)`);
  for (const [k, ms] of [...sums].sort((a, b) => b[1] - a[1]).slice(0, 45)) profileLog.push(`  ${(ms / per).toFixed(2).padStart(7)}  ${String(counts.get(k)).padStart(7)}×  ${k}`);
}

/** What a trace's task was doing, by the first of these events inside it. */
const TASK_KINDS: Array<[string, string]> = [
  ['HandlePostMessage', 'message'], ['WebSocketReceive', 'WebSocket message'], ['TimerFire', 'timer'],
  ['FireAnimationFrame', 'animation frame'], ['EventDispatch', 'event'], ['WebFrameWidgetImpl::UpdateLifecycle', 'style, layout, paint'],
  ['MinorGC', 'garbage collection'], ['MajorGC', 'garbage collection'], ['FunctionCall', 'script'],
];

/** One connect under a browser trace: its phases, then the page's and the SSH worker's tasks of 1 ms or more until the prompt. */
async function tracedConnect(page: Page, linkUrl: string, user: string, keyText: string): Promise<void> {
  let stop: (() => Promise<TraceEvent[]>) | undefined;
  // Tracing starts once the form is filled in, and the click follows: postern() calls `beforeClick`.
  const total = await postern(page, linkUrl, user, keyText, THINK_MS, async () => {
    stop = await page.startTracing('devtools.timeline,blink.user_timing,toplevel,v8.execute');
  });
  const events = await stop!();
  const threads = threadNames(events);
  const click = events.find((e) => e.name === 'postern-ssh:click');
  if (!click) return void profileLog.push('\nconnect trace: the click mark is not in the trace');
  const at = (ts: number) => (ts - click.ts) / 1000;
  const marks = events.filter((e) => e.name.startsWith('postern-ssh:') && e.ph !== 'M').sort((a, b) => a.ts - b.ts);
  profileLog.push(`\nconnect trace (${await posternNegotiated(page)}): prompt at ${total.toFixed(0)} ms after Connect; ${marks.map((e) => `${e.name.slice(12)} ${at(e.ts).toFixed(0)}`).join(', ')}`);
  const inWindow = events.filter((e) => e.ph === 'X' && at(e.ts) >= 0 && at(e.ts) <= total);
  for (const [label, thread] of [['page main thread', 'CrRendererMain'], ['SSH worker', 'DedicatedWorker thread']]) {
    const mine = inWindow.filter((e) => threads.get(`${e.pid}:${e.tid}`) === thread);
    const tasks = mine.filter((e) => e.name === 'ThreadControllerImpl::RunTask' && (e.dur ?? 0) >= 1000);
    profileLog.push(`  ${label}, tasks of 1 ms or more (ms after Connect, ms, what):`);
    for (const t of tasks) {
      const inside = mine.filter((e) => e !== t && e.ts >= t.ts && e.ts + (e.dur ?? 0) <= t.ts + (t.dur ?? 0));
      const kind = TASK_KINDS.find(([name]) => inside.some((e) => e.name === name))?.[1] ?? 'other';
      profileLog.push(`    ${at(t.ts).toFixed(1).padStart(7)} ${((t.dur ?? 0) / 1000).toFixed(1).padStart(6)}  ${kind}`);
    }
  }
}

/** Runs `measure` with the page and its workers under the profiler; saves each profile and prints where the time went. */
async function profiled(page: Page, name: string, measure: () => Promise<number>): Promise<void> {
  const stop = await page.startProfiling();
  const rate = await measure();
  const profiles = await stop();
  mkdirSync(PROFILE_DIR, { recursive: true });
  const console = { log: (line: string) => profileLog.push(line) }; // printed after the tables
  console.log(`\nprofile: ${name}, ${rate.toFixed(1)} MB/s under the profiler`);
  for (const { target, profile } of profiles) {
    const file = join(PROFILE_DIR, `${name}-${target.replace(/\W+/g, '-')}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    console.log(`  ${target} (${file}), top self time:`);
    for (const { fn, ms, share } of topSelfTime(profile, 25)) console.log(`    ${(share * 100).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(6)} ms  ${fn}`);
  }
}

/** OpenSSH's client to the test server with a key (the test server's host key is made at test time: not checked), a row's exchange. */
function sshArgs(port: number, user: string, keyFile: string, row?: KexRow): string[] {
  return ['-i', keyFile, '-p', String(port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes',
    ...(row ? ['-o', `KexAlgorithms=${row.kex}`] : []), `${user}@127.0.0.1`];
}

/** `ssh -tt` with a key, from spawn to the prompt appearing on its stdout. */
async function opensshConnect(port: number, user: string, keyFile: string, row?: KexRow): Promise<number> {
  const t0 = performance.now();
  const child = spawn(row?.ssh ?? 'ssh', ['-tt', '-o', 'LogLevel=ERROR', ...sshArgs(port, user, keyFile, row)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  try {
    return await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        if (PROMPT.test(out)) resolve(performance.now() - t0);
      });
      child.once('exit', (code) => reject(new Error(`ssh exited with ${code} before the prompt:\n${out}`)));
    });
  } finally {
    child.kill();
  }
}

/** What OpenSSH's client negotiated with this row's settings, from its own `-v` log: "kex, cipher". */
function opensshNegotiated(port: number, user: string, keyFile: string, row?: KexRow): string {
  const r = spawnSync(row?.ssh ?? 'ssh', ['-v', ...sshArgs(port, user, keyFile, row), 'true'], { encoding: 'utf8' });
  const kex = /kex: algorithm: (\S+)/.exec(r.stderr)?.[1] ?? '?';
  const cipher = /kex: server->client cipher: (\S+)/.exec(r.stderr)?.[1] ?? '?';
  return `${kex}, ${cipher}`;
}

/** What the page's session negotiated, from the terminal's connection details: "kex, cipher". */
async function posternNegotiated(page: Page): Promise<string> {
  const [kex, cipher] = await page.evaluate(() => ['Key exchange', 'Cipher'].map((label) => {
    const dt = Array.from(document.querySelectorAll('[data-testid=connection-details] dt')).find((d) => d.textContent === label);
    return dt?.nextElementSibling?.querySelector('code')?.textContent ?? '?';
  }), null);
  return `${kex}, ${cipher}`;
}

/** OpenSSH's own client receiving the same output through a pty into /dev/null: the server's ceiling. */
function opensshThroughput(port: number, user: string, keyFile: string): number {
  const t0 = performance.now();
  const r = spawnSync('ssh', ['-tt', '-o', 'LogLevel=ERROR', ...sshArgs(port, user, keyFile), HEAD], { stdio: ['ignore', 'ignore', 'ignore'] });
  if (r.status !== 0) throw new Error(`ssh exited with ${r.status}`);
  return BYTES / 1e6 / ((performance.now() - t0) / 1000);
}

/** In the page: fill the form, wait `think` ms, press Connect and resolve with the ms until the prompt is drawn in the terminal. */
async function postern(page: Page, linkUrl: string, user: string, keyText: string, think = THINK_MS, beforeClick?: () => Promise<void>): Promise<number> {
  await page.goto('about:blank'); // a fresh page load each run (a hash change alone would not reload)
  await page.goto(linkUrl);
  await page.evaluate(async ({ user, keyText, think }) => {
    const until = async <T>(get: () => T | null | undefined): Promise<T> => {
      for (;;) {
        const v = get();
        if (v) return v;
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const fill = (el: HTMLInputElement | HTMLTextAreaElement, value: string) => {
      el.value = value;
      el.dispatchEvent(new Event('input', { bubbles: true }));
    };
    fill(await until(() => document.querySelector<HTMLInputElement>('#username')), user);
    const radio = await until(() => document.querySelector<HTMLInputElement>('input[name=method][value=key-text]'));
    radio.click();
    fill(await until(() => document.querySelector<HTMLTextAreaElement>('#private-key')), keyText);
    await new Promise((r) => requestAnimationFrame(r));
    await new Promise((r) => setTimeout(r, think));
  }, { user, keyText, think });
  await beforeClick?.();
  const total = await page.evaluate(async ({ source }) => {
    const prompt = new RegExp(source);
    return new Promise<number>((resolve) => {
      const t0 = performance.now();
      const seen = () => prompt.test(document.querySelector('.xterm-rows')?.textContent ?? '');
      const observer = new MutationObserver(() => {
        if (!seen()) return;
        observer.disconnect();
        resolve(performance.now() - t0);
      });
      observer.observe(document.body, { childList: true, subtree: true, characterData: true });
      performance.mark('postern-ssh:click', { startTime: t0 });
      (document.querySelector('button[type=submit]') as HTMLButtonElement).click();
    });
  }, { source: PROMPT.source });
  // Where the time went: the session's performance marks, relative to its start.
  const marks = await page.evaluate(() => performance.getEntriesByType('mark').filter((m) => m.name.startsWith('postern-ssh:')).map((m) => [m.name.slice(12), m.startTime] as const), null);
  const start = marks.find(([n]) => n === 'click')?.[1] ?? 0;
  phaseLog.push(marks.map(([n, t]) => `${n} ${(t - start).toFixed(0)}`).join(', ') + `, prompt ~${total.toFixed(0)}`);
  return total;
}
const phaseLog: string[] = [];

/** The session terminal's size as the shell sees it. */
async function sttySize(page: Page): Promise<{ rows: number; cols: number }> {
  await focusTerminal(page);
  await page.insertText('clear; echo "SZ=$(stty size)=E"');
  await page.pressEnter();
  for (;;) {
    const text = await page.evaluate(() => document.querySelector('.ssh-terminal .xterm-rows')?.textContent ?? '', null);
    const m = /SZ=(\d+) (\d+)=E/.exec(text);
    if (m) return { rows: Number(m[1]), cols: Number(m[2]) };
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Turns on the WebGL setting in the session's terminal settings, as a visitor would. Answers the GL renderer's
 * name and whether the terminal draws with WebGL now (with a software GL the setting keeps the DOM renderer).
 */
async function useWebgl(page: Page): Promise<{ gl: string; active: boolean }> {
  await page.evaluate(() => {
    const menu = document.querySelector<HTMLDetailsElement>('[data-testid=terminal-settings]')!;
    menu.open = true;
    const box = Array.from(menu.querySelectorAll('label')).find((l) => l.textContent?.includes('(WebGL)'))!.querySelector('input')!;
    if (!box.checked) box.click();
    menu.open = false;
  }, null);
  let active = false;
  for (let i = 0; i < 40 && !active; i++) {
    await new Promise((r) => setTimeout(r, 50));
    active = await page.evaluate(() => document.querySelector('.ssh-terminal .xterm-screen canvas') !== null, null);
  }
  const gl = await page.evaluate(() => {
    const gl = document.createElement('canvas').getContext('webgl2');
    const info = gl?.getExtension('WEBGL_debug_renderer_info');
    return gl ? (info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : 'WebGL2') : 'none';
  }, null);
  return { gl, active };
}

/**
 * With the WebGL renderer the rows are pixels: the end is when the page has acknowledged (xterm.js has parsed)
 * the output up to the END marker, plus two animation frames for it to be drawn.
 */
function armAcks(page: Page, bytes: number) {
  return page.evaluate((bytes) => {
    const w = window as unknown as { __benchDone: Promise<number>; __benchStart: number; __benchPost?: typeof Worker.prototype.postMessage };
    const post = (w.__benchPost ??= Worker.prototype.postMessage);
    w.__benchDone = new Promise<number>((resolve) => {
      let acked = 0;
      const patched = function (this: Worker, message: unknown, transfer?: Transferable[] | StructuredSerializeOptions) {
        const m = message as { type?: string; bytes?: number };
        if (m?.type === 'ack' && w.__benchStart && (acked += m.bytes ?? 0) >= bytes) {
          Worker.prototype.postMessage = post;
          requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - w.__benchStart)));
        }
        Reflect.apply(post, this, [message, transfer]);
      };
      Worker.prototype.postMessage = patched as typeof post;
    });
  }, bytes);
}

async function sessionThroughput(page: Page, renderer: 'dom' | 'webgl' = 'dom'): Promise<number> {
  await focusTerminal(page);
  await clearMarker(page, 'END-42');
  await page.evaluate(() => ((window as unknown as { __benchStart: number }).__benchStart = 0), null);
  // After Enter: its echo (2 bytes), the output, echo's newline (2) and "END-42\r\n" (8).
  if (renderer === 'webgl') await armAcks(page, BYTES + 12);
  else await armMarker(page, 'END-42', '.ssh-terminal .xterm-rows');
  await page.insertText(`${HEAD}; ${END}`);
  await page.evaluate(() => ((window as unknown as { __benchStart: number }).__benchStart = performance.now()), null);
  await page.pressEnter();
  const ms = await page.evaluate(() => (window as unknown as { __benchDone: Promise<number> }).__benchDone, null);
  return BYTES / 1e6 / (ms / 1000);
}

/**
 * Opens xterm.js alone (window.__benchTerm) over the session's terminal: the same xterm.js build, size and
 * font, with its WebGL addon when `webglSource` is given. `cursorBlink` as the session's terminal has it.
 */
function openBenchXterm(page: Page, xtermSource: string, size: { rows: number; cols: number }, webglSource = '', cursorBlink = false): Promise<void> {
  return page.evaluate(async ({ rows, cols, source, webglSource, cursorBlink }) => {
    // The same xterm.js build the app bundles, as a module from a blob: URL (the context bypasses CSP for this).
    // One copy serves every run, as the session keeps its terminal: after the first pair both sides run warm code.
    const cache = window as unknown as { __benchXterm?: Promise<typeof import('@xterm/xterm')> };
    const fresh = !cache.__benchXterm;
    cache.__benchXterm ??= import(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
    const { Terminal } = await cache.__benchXterm;
    const webgl = webglSource
      ? ((await import(URL.createObjectURL(new Blob([webglSource], { type: 'text/javascript' })))) as typeof import('@xterm/addon-webgl'))
      : undefined;
    const session = document.querySelector('.ssh-terminal') as HTMLElement;
    const rect = session.getBoundingClientRect();
    const host = document.createElement('div');
    host.id = 'bench-term';
    // Contained as the session's terminal is (SshView.svelte), so both are measured alike.
    Object.assign(host.style, { position: 'fixed', left: `${rect.left}px`, top: `${rect.top}px`, width: `${rect.width}px`, height: `${rect.height}px`, zIndex: '100', background: '#000',
      contain: getComputedStyle(session).contain });
    document.body.appendChild(host);
    // xterm.js names each DOM renderer's style rules by a counter in its module, and this is a second copy
    // of the module: its first terminal would take the session terminal's class (xterm-dom-renderer-owner-1)
    // and each would restyle the other. Throwaway terminals move this copy's counter past every class in use
    // (once: its later terminals take numbers past them).
    if (fresh) {
      const owners = Array.from(document.querySelectorAll('[class*="xterm-dom-renderer-owner-"]'))
        .flatMap((e) => Array.from(e.classList)).map((c) => /^xterm-dom-renderer-owner-(\d+)$/.exec(c)?.[1]).filter(Boolean).map(Number);
      const scratch = document.createElement('div');
      document.body.appendChild(scratch);
      for (let i = 0; i < Math.max(0, ...owners); i++) {
        const t = new Terminal();
        t.open(scratch);
        t.dispose();
      }
      scratch.remove();
    }
    const term = new Terminal({ cols, rows, fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace', fontSize: 14, scrollback: 5000, cursorBlink });
    term.open(host);
    (window as unknown as { __benchTerm: unknown }).__benchTerm = term;
    if (webgl) term.loadAddon(new webgl.WebglAddon());
  }, { ...size, source: xtermSource, webglSource, cursorBlink });
}

/**
 * xterm.js alone: the same bytes in 32 KB writes (the SSH packet size), at most 2 MB in flight, same size and font.
 * `pace` (MB/s) holds writes back to that rate: drawing costs per frame, so a slower stream costs more per MB.
 */
async function xtermThroughput(page: Page, xtermSource: string, size: { rows: number; cols: number }, pace = 0, webglSource = ''): Promise<number> {
  if (!webglSource) await armMarker(page, 'END-42', '#bench-term .xterm-rows');
  await openBenchXterm(page, xtermSource, size, webglSource);
  const ms = await page.evaluate(async ({ total, pace, webgl }) => {
    const term = (window as unknown as { __benchTerm: import('@xterm/xterm').Terminal }).__benchTerm;
    const chunk = new Uint8Array(32768).fill(0x61);
    const w = window as unknown as { __benchStart: number; __benchDone: Promise<number> };
    w.__benchStart = performance.now();
    let written = 0;
    let done = 0;
    await new Promise<void>((resolve) => {
      let waiting = false;
      const pump = () => {
        while (written < total && written - done < 2 << 20) {
          if (pace && written > (performance.now() - w.__benchStart) * pace * 1000) {
            if (!waiting) setTimeout(() => ((waiting = false), pump()), 2);
            waiting = true;
            return;
          }
          const n = Math.min(chunk.length, total - written);
          written += n;
          term.write(n === chunk.length ? chunk : chunk.subarray(0, n), () => {
            done += n;
            if (done >= total) resolve();
            else pump();
          });
        }
      };
      pump();
    });
    if (!webgl) {
      term.write('\r\nEND-42\r\n');
      return w.__benchDone;
    }
    // Pixels, not rows: parsed, then two frames to draw it (as for the session with WebGL).
    await new Promise<void>((resolve) => term.write('\r\nEND-42\r\n', resolve));
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now() - w.__benchStart;
  }, { total: BYTES, pace, webgl: webglSource !== '' });
  return BYTES / 1e6 / (ms / 1000);
}

/**
 * The SSH pipeline alone, no rendering: a second worker from the same build (window.__benchWorker), signed
 * in and ready for workerThroughput().
 */
function startBenchWorker(page: Page, linkToken: string, user: string, keyText: string): Promise<void> {
  return page.evaluate(async ({ token, user, keyText }) => {
    const url = performance.getEntriesByType('resource').map((e) => e.name).find((n) => /\/worker-[^/]*\.js$/.test(n))!;
    const worker = new Worker(url, { type: 'module' });
    (window as unknown as { __benchWorker: Worker }).__benchWorker = worker; // ended by the caller (after a profile is taken)
    const relay = new URL('ws/relay', document.baseURI);
    relay.protocol = 'ws:';
    relay.search = `?protocol=ssh&port=${(window as unknown as { __benchPort: number }).__benchPort}`;
    await new Promise<void>((resolve, reject) => {
      worker.onmessage = (e) => {
        const m = e.data;
        if (m.type === 'host-key') worker.postMessage({ type: 'host-key-answer', accept: true });
        else if (m.type === 'error') reject(new Error(m.error.message));
        else if (m.type === 'ready') resolve();
        else if (m.type === 'data') worker.postMessage({ type: 'ack', bytes: m.length, buffer: m.data }, [m.data]); // the prompt
      };
      const transport = { kind: 'relay', url: relay.href, protocols: ['binary', 'postern.link.' + token] };
      worker.postMessage({ type: 'connect', transport, username: user, credential: { kind: 'private-key', keyText }, preferKeyTypes: [] });
      worker.postMessage({ type: 'resize', cols: 120, rows: 40 });
      worker.postMessage({ type: 'host-keys', trusted: [] });
    });
  }, { token: linkToken, user, keyText });
}

/** The bench worker's shell prints the output; each message is acknowledged as it arrives. Says whether the terminal or the SSH client is the limit. */
function workerThroughput(page: Page): Promise<number> {
  return page.evaluate(async ({ total, command }) => {
    const worker = (window as unknown as { __benchWorker: Worker }).__benchWorker;
    return new Promise<{ ms: number; messages: number }>((resolve) => {
      let got = 0;
      let messages = 0;
      let tail = '';
      worker.onmessage = (e) => {
        const m = e.data;
        if (m.type !== 'data') return;
        const bytes = new Uint8Array(m.data, 0, m.length);
        got += bytes.length;
        messages++;
        tail = (tail + new TextDecoder().decode(bytes.subarray(Math.max(0, bytes.length - 256)))).slice(-512);
        worker.postMessage({ type: 'ack', bytes: bytes.length, buffer: m.data }, [m.data]); // as the session does
        if (got > total && tail.includes('END-42')) resolve({ ms: performance.now() - t0, messages });
      };
      const t0 = performance.now();
      worker.postMessage({ type: 'data', data: new TextEncoder().encode(command + '\r').buffer });
    });
  }, { total: BYTES, command: `${HEAD}; ${END}` }).then(({ ms, messages }) => {
    workerMessages = messages;
    return BYTES / 1e6 / (ms / 1000);
  });
}
/** How many data messages the worker posted to the page in the last worker-alone run. */
let workerMessages = 0;

/** Ends the last xterm-alone run's terminal (its listeners too) and takes its host out of the page. */
const removeBenchXterm = (page: Page) => page.evaluate(() => {
  const w = window as unknown as { __benchTerm?: { dispose(): void } };
  w.__benchTerm?.dispose();
  w.__benchTerm = undefined;
  document.getElementById('bench-term')?.remove();
}, null);

/** How long each side's terminal sits focused and idle while its CPU is counted. */
const IDLE_MS = 8000;

/**
 * A focused terminal doing nothing, CPU ms per second on the page's main thread and the browser's other
 * threads: the session's while its cursor blinks and once it has stopped, then xterm.js alone's with its
 * cursor blinking as the session's does.
 */
async function idleCost(page: Page, xtermSource: string, size: { rows: number; cols: number }): Promise<Record<'ours' | 'still' | 'caret' | 'theirs', Map<string, number>>> {
  const idle = async () => {
    await new Promise((r) => setTimeout(r, 1000)); // what the last step left (a collection, a frame) is done
    const stop = startCpuAccount();
    await new Promise((r) => setTimeout(r, IDLE_MS));
    return new Map([...stop()].map(([role, ms]) => [role, ms / (IDLE_MS / 1000)]));
  };
  // Focused anew: the session's cursor blinks for 10 s after it last moved or the terminal got the focus
  // (src/terminal/cursor-blink.ts), and the settle and the count fit in that.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur(), null);
  await focusTerminal(page);
  const ours = await idle();
  await new Promise((r) => setTimeout(r, 2000)); // past the 10 s
  const still = await idle();
  // For reference, what any web form's focused text field costs: an empty textarea, its caret blinking.
  await page.evaluate(() => {
    const field = Object.assign(document.createElement('textarea'), { id: 'bench-caret' });
    Object.assign(field.style, { position: 'fixed', left: '0', top: '0', zIndex: '100' });
    document.body.appendChild(field);
    field.focus();
  }, null);
  const caret = await idle();
  await page.evaluate(() => document.getElementById('bench-caret')?.remove(), null);
  await openBenchXterm(page, xtermSource, size, '', true);
  await page.evaluate(() => (window as unknown as { __benchTerm: { focus(): void } }).__benchTerm.focus(), null);
  const theirs = await idle();
  await removeBenchXterm(page);
  await focusTerminal(page);
  return { ours, still, theirs, caret };
}

/** Frames that changed the rows during the last run that armed the marker. */
const framesDrawn = (page: Page) => page.evaluate(() => (window as unknown as { __benchFrames: number }).__benchFrames, null);

const endBenchWorker = (page: Page) => page.evaluate(() => (window as unknown as { __benchWorker?: Worker }).__benchWorker?.terminate(), null);

async function main() {
  const dist = join(ROOT, '.tmp', 'bench-dist');
  const build = spawnSync('npx', ['vite', 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('vite build failed');

  // Both clients get the same cipher: the servers offer only Postern's first choice.
  const sshd = await startSshd({ extraConfig: [`Ciphers ${CIPHER}`] });
  const rowServers: Sshd[] = [];
  const proxy = await startProxy({ staticDir: dist });
  const keyDir = mkdtempSync(join(tmpdir(), 'postern-bench-'));
  writeTextFile();
  const page = await launchBareChromium({ width: 1280, height: 800 });
  try {
    const owner = await signIn(proxy.url, proxy.ownerSigninUrl);
    await owner.call('PUT', '/api/settings', { shareableLinks: true });
    const res = (await owner.call('POST', '/api/resources', {
      name: 'bench', address: '127.0.0.1', ports: { ssh: [sshd.port] }, sshHostKeyFingerprint: sshd.hostFingerprints.ed25519,
    })).body;
    const link = (await owner.call('POST', '/api/links', { resourceIds: [res.id] })).body[0];
    const linkUrl = `${proxy.url}/#/l/${link.token}`;
    const user = sshd.fixture.user;
    const keyText = sshd.fixture.userKeys.ed25519;
    const keyFile = join(keyDir, 'id_ed25519');
    writeFileSync(keyFile, keyText, { mode: 0o600 });

    const cold = await postern(page, linkUrl, user, keyText, 0); // first visit, Connect at once: fetches and compiles the SSH chunks
    // Connect, like for like: per key exchange, a server that allows only it, both clients alternating.
    const rows: Array<{ row: KexRow; ours: number[]; theirs: number[]; posternSide: string; opensshSide: string; phases: string }> = [];
    for (const row of KEX_ROWS) {
      const server = await startSshd({ build: row.build, extraConfig: [`KexAlgorithms ${row.kex}`, `Ciphers ${CIPHER}`] });
      rowServers.push(server);
      const r = (await owner.call('POST', '/api/resources', {
        name: `bench-${row.kex}`, address: '127.0.0.1', ports: { ssh: [server.port] }, sshHostKeyFingerprint: server.hostFingerprints.ed25519,
      })).body;
      const rowLink = `${proxy.url}/#/l/${(await owner.call('POST', '/api/links', { resourceIds: [r.id] })).body[0].token}`;
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        theirs.push(await opensshConnect(server.port, user, keyFile, row));
        ours.push(await postern(page, rowLink, user, keyText));
      }
      const phases = phaseLog[phaseLog.length - 1];
      rows.push({ row, ours, theirs, phases, posternSide: await posternNegotiated(page), opensshSide: opensshNegotiated(server.port, user, keyFile, row) });
    }
    // Before the throughput runs: once keys are typed into a session, leaving the page asks first (beforeunload).
    if (TRACE_CONNECT) await tracedConnect(page, linkUrl, user, keyText);
    await postern(page, linkUrl, user, keyText); // back on the unrestricted server for the throughput runs
    await page.evaluate((port) => ((window as unknown as { __benchPort: number }).__benchPort = port), sshd.port);
    await startBenchWorker(page, link.token, user, keyText);
    // The first run compiles the SSH code in this new worker (on the renderer's thread pool, which counts among
    // the browser's other threads), as the session's worker did long before: the second is measured.
    await workerThroughput(page);
    const { rate: pipeline, cpu: pipelineCpu } = await withCpu(() => workerThroughput(page));
    await endBenchWorker(page);
    const size = await sttySize(page);
    const native = opensshThroughput(sshd.port, user, keyFile);
    const throughputSides = { postern: await posternNegotiated(page), openssh: opensshNegotiated(sshd.port, user, keyFile) };
    const xtermSource = readFileSync(join(ROOT, 'node_modules/@xterm/xterm/lib/xterm.mjs'), 'utf8');
    // The terminal and xterm.js alone take turns, PAIRS times: one run each varies by some 10%, and a drift in
    // the machine's state touches both sides alike. The table shows each figure's median.
    const sessionRuns: Measured[] = [];
    const directRuns: Measured[] = [];
    for (let i = 0; i < PAIRS; i++) {
      sessionRuns.push({ ...(await withCpu(() => sessionThroughput(page))), frames: await framesDrawn(page) });
      directRuns.push({ ...(await withCpu(() => xtermThroughput(page, xtermSource, size))), frames: await framesDrawn(page) });
      await removeBenchXterm(page);
    }
    const { rate: session, cpu: sessionCpu, frames: sessionFrames } = medianOf(sessionRuns);
    const { rate: direct, cpu: directCpu, frames: directFrames } = medianOf(directRuns);
    const { rate: paced, cpu: pacedCpu } = await withCpu(() => xtermThroughput(page, xtermSource, size, session));
    const pacedFrames = await framesDrawn(page);
    await removeBenchXterm(page);
    const opensshArgs = ['-o', 'LogLevel=ERROR', ...sshArgs(sshd.port, user, keyFile)];
    const echoes = { theirs: await opensshEcho(opensshArgs, PROMPT), ours: await sessionEcho(page) };
    const interrupts = { ours: [] as number[], theirs: [] as number[] };
    for (let i = 0; i < RUNS; i++) {
      interrupts.theirs.push(await opensshInterrupt(opensshArgs, PROMPT, TEXT_FILE));
      interrupts.ours.push(await sessionInterrupt(page, TEXT_FILE));
    }
    const idle = await idleCost(page, xtermSource, size);
    let webgl: { gl: string; active: boolean; session: number; direct: number; sessionCpu: Map<string, number>; directCpu: Map<string, number> } | undefined;
    if (WEBGL) {
      const { gl, active } = await useWebgl(page);
      const { rate: glSession, cpu: sessionCpu } = await withCpu(() => sessionThroughput(page, active ? 'webgl' : 'dom'));
      const webglSource = readFileSync(join(ROOT, 'node_modules/@xterm/addon-webgl/lib/addon-webgl.mjs'), 'utf8');
      const { rate: glDirect, cpu: directCpu } = await withCpu(() => xtermThroughput(page, xtermSource, size, 0, webglSource));
      await removeBenchXterm(page);
      webgl = { gl, active, session: glSession, direct: glDirect, sessionCpu, directCpu };
    }
    if (TRACE) {
      // What a focused terminal still costs once its blink has stopped (cursor-blink.ts).
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur(), null);
      await focusTerminal(page);
      await new Promise((r) => setTimeout(r, BLINK_TIMEOUT_MS + 1000));
      await traced(page, 'idle terminal, focused, its blink stopped', () => new Promise((r) => setTimeout(() => r(0), IDLE_MS)), IDLE_MS);
      await traced(page, 'terminal', () => sessionThroughput(page));
      await traced(page, 'xterm-alone', () => xtermThroughput(page, xtermSource, size));
      await removeBenchXterm(page);
    }
    if (PROFILE_DIR) {
      await profiled(page, 'terminal', () => sessionThroughput(page));
      await profiled(page, 'xterm-alone', () => xtermThroughput(page, xtermSource, size));
      await removeBenchXterm(page);
      // Profiled from its start: the profiler attaches to workers as they are made.
      await profiled(page, 'worker-alone', async () => (await startBenchWorker(page, link.token, user, keyText), await workerThroughput(page), workerThroughput(page)));
      await endBenchWorker(page);
    }

    const pad = (s: string, n: number) => s.padStart(n);
    console.log(`\nSSH benchmark against OpenSSH sshd on 127.0.0.1 (median of ${RUNS} connects; ${MB} MB of output, median of ${PAIRS} throughput runs each side)`);
    console.log(`Postern's Connect is pressed ${THINK_MS} ms after the form is filled in (--think), as a visitor would; the page prepares SSH meanwhile`);
    console.log(`${'measure'.padEnd(34)}${pad('Postern', 14)}${pad('reference', 14)}${pad('ratio', 9)}   goal`);
    for (const { row, ours, theirs } of rows) {
      const c = median(ours);
      const o = median(theirs);
      console.log(`${`connect → prompt (ms) ${row.kex.replace(/-sha\d+$/, '')}`.padEnd(34)}${pad(c.toFixed(0), 14)}${pad(o.toFixed(0) + ' ssh -tt', 14)}${pad((c / o).toFixed(2) + '×', 9)}   ≤ 1.10×`);
    }
    console.log(`${'  first visit, Connect at once (ms)'.padEnd(34)}${pad(cold.toFixed(0), 14)}`);
    console.log(`${'terminal throughput (MB/s)'.padEnd(34)}${pad(session.toFixed(1), 14)}${pad(direct.toFixed(1) + ' xterm', 14)}${pad(((session / direct) * 100).toFixed(0) + '%', 9)}   ≥ 80%`);
    console.log(`${'  SSH worker alone, no rendering'.padEnd(34)}${pad(pipeline.toFixed(1), 14)}${pad(native.toFixed(1) + ' ssh', 14)}${pad(((pipeline / native) * 100).toFixed(0) + '%', 9)}   ≥ 100%`);
    console.log(`${'  OpenSSH ssh -tt into /dev/null'.padEnd(34)}${pad('', 14)}${pad(native.toFixed(1), 14)}${pad(((session / native) * 100).toFixed(0) + '%', 9)}   (server's ceiling)`);
    console.log(`  throughput runs negotiated: Postern ${throughputSides.postern}; ssh ${throughputSides.openssh}`);
    const detail = (r: string) => r.startsWith('  ');
    const worker = (m: Map<string, number>) => m.get('SSH worker thread')?.toFixed(1) ?? '-';
    console.log(`${'  SSH worker alone: CPU ms per MB'.padEnd(34)}${pad(worker(pipelineCpu), 14)}   (in the terminal run ${worker(sessionCpu)}); ${workerMessages} data messages to the page, ${(BYTES / workerMessages / 1024).toFixed(0)} KB each`);
    // What the browser's other threads (the WebSocket's I/O threads, the renderer's thread pool) and the page spend on
    // the SSH stream itself, with nothing drawn.
    console.log(`${'    browser, other threads'.padEnd(34)}${pad(pipelineCpu.get('browser, other threads')?.toFixed(1) ?? '-', 14)}   (page main thread ${pipelineCpu.get('page main thread (xterm.js)')?.toFixed(1) ?? '-'}): the stream's share of the terminal run's`);
    const [echoOurs, echoTheirs] = [median(echoes.ours), median(echoes.theirs)];
    console.log(`${'keystroke → its echo (ms)'.padEnd(34)}${pad(echoOurs.toFixed(1), 14)}${pad(echoTheirs.toFixed(1) + ' ssh -tt', 14)}   (drawn; ssh: read)`);
    console.log(`  each key, Postern: ${echoes.ours.map((ms) => ms.toFixed(1)).join(' ')}; ssh -tt: ${echoes.theirs.map((ms) => ms.toFixed(1)).join(' ')}`);
    const [stopOurs, stopTheirs] = [median(interrupts.ours), median(interrupts.theirs)];
    // No ratio: ssh reads the output into this process and draws nothing, so it keeps no window's worth to draw.
    console.log(`${'Ctrl+C in a flood → next line (ms)'.padEnd(34)}${pad(stopOurs.toFixed(0), 14)}${pad(stopTheirs.toFixed(0) + ' ssh -tt', 14)}   (ssh draws nothing)`);
    console.log(`  runs, Postern: ${interrupts.ours.map((ms) => ms.toFixed(0)).join(' ')}; ssh -tt: ${interrupts.theirs.map((ms) => ms.toFixed(0)).join(' ')}`);
    const roles = [...new Set([...sessionCpu.keys(), ...directCpu.keys()])].filter((r) => !detail(r)).sort();
    const details = [...new Set([...sessionCpu.keys(), ...directCpu.keys()])].filter(detail)
      .sort((a, b) => (sessionCpu.get(b) ?? 0) - (sessionCpu.get(a) ?? 0)).filter((r) => (sessionCpu.get(r) ?? 0) + (directCpu.get(r) ?? 0) >= 0.2);
    const total = (m: Map<string, number>) => [...m].filter(([r]) => !detail(r)).reduce((a, [, v]) => a + v, 0);
    const browserSide = (m: Map<string, number>) => (m.get('page main thread (xterm.js)') ?? 0) + (m.get('browser, other threads') ?? 0);
    const cores = availableParallelism();
    console.log(`\nwhere the CPU went during the throughput runs (CPU ms per MB shown; ${cores} cores)`);
    console.log(`${''.padEnd(34)}${pad('terminal', 14)}${pad('xterm alone', 14)}${pad(`at ${paced.toFixed(0)} MB/s`, 14)}`);
    const cpuRow = (r: string) => console.log(`${('  ' + r).padEnd(34)}${[sessionCpu, directCpu, pacedCpu].map((m) => pad(m.get(r)?.toFixed(1) ?? '-', 14)).join('')}`);
    for (const r of roles) {
      cpuRow(r);
      if (r === 'browser, other threads') details.forEach(cpuRow);
    }
    console.log(`${'  frames drawn per MB'.padEnd(34)}${[sessionFrames, directFrames, pacedFrames].map((f) => pad((f / MB).toFixed(2), 14)).join('')}`);
    console.log(`${'  total'.padEnd(34)}${[sessionCpu, directCpu, pacedCpu].map((m) => pad(total(m).toFixed(1), 14)).join('')}`);
    console.log(`${'  most the cores allow (MB/s)'.padEnd(34)}${pad(((cores * 1000) / total(sessionCpu)).toFixed(1), 14)}${pad(((cores * 1000) / total(directCpu)).toFixed(1), 14)}`);
    const [oursCpu, xtermCpu] = [browserSide(sessionCpu), browserSide(directCpu)];
    console.log(`${'  page main + browser other'.padEnd(34)}${pad(oursCpu.toFixed(1), 14)}${pad(xtermCpu.toFixed(1), 14)}${pad(browserSide(pacedCpu).toFixed(1), 14)}`);
    console.log(`${'    terminal ÷ xterm alone'.padEnd(34)}${pad('', 14)}${pad((oursCpu / xtermCpu).toFixed(2) + '×', 14)}${pad((oursCpu / browserSide(pacedCpu)).toFixed(2) + '×', 14)}   goal ≤ 1.30× (unpaced)`);
    const pairRatios = sessionRuns.map((r, i) => (browserSide(r.cpu) / browserSide(directRuns[i].cpu)).toFixed(2) + '×');
    console.log(`      each pair, in turn (${PAIRS}; the columns above are medians): ${pairRatios.join(' ')}`);
    const [idleOurs, idleTheirs] = [browserSide(idle.ours), browserSide(idle.theirs)];
    console.log(`\n${'idle terminal, focused (CPU ms/s)'.padEnd(34)}${pad(idleOurs.toFixed(0), 14)}${pad(idleTheirs.toFixed(0) + ' xterm', 14)}${pad((idleOurs / idleTheirs).toFixed(2) + '×', 9)}`);
    const idleSplit = (m: Map<string, number>) => `page main thread ${(m.get('page main thread (xterm.js)') ?? 0).toFixed(0)}, other threads ${(m.get('browser, other threads') ?? 0).toFixed(0)}`;
    console.log(`  over ${IDLE_MS / 1000} s each, cursor blinking: Postern ${idleSplit(idle.ours)}; xterm alone ${idleSplit(idle.theirs)}`);
    console.log(`  Postern once its cursor has stopped blinking (10 s after it last moved): ${browserSide(idle.still).toFixed(0)} (${idleSplit(idle.still)})`);
    console.log(`  for reference, an empty textarea with the focus, its caret blinking: ${browserSide(idle.caret).toFixed(0)} (${idleSplit(idle.caret)})`);
    if (webgl) {
      const w = webgl;
      console.log(`\nwith the WebGL setting on (xterm alone: with the WebGL addon), GL: ${w.gl}`);
      console.log(w.active ? "  the terminal draws with xterm.js's WebGL renderer" : '  the terminal kept the DOM renderer: this GL runs in software');
      console.log(`${'terminal throughput (MB/s)'.padEnd(34)}${pad(w.session.toFixed(1), 14)}${pad(w.direct.toFixed(1) + ' xterm', 14)}${pad(((w.session / w.direct) * 100).toFixed(0) + '%', 9)}`);
      console.log(`${'CPU ms per MB'.padEnd(34)}${pad('terminal', 14)}${pad('xterm alone', 14)}`);
      const glRoles = [...new Set([...w.sessionCpu.keys(), ...w.directCpu.keys()])].filter((r) => !detail(r) || (w.sessionCpu.get(r) ?? 0) + (w.directCpu.get(r) ?? 0) >= 0.2);
      for (const r of glRoles) console.log(`${('  ' + r).padEnd(34)}${[w.sessionCpu, w.directCpu].map((m) => pad(m.get(r)?.toFixed(1) ?? '-', 14)).join('')}`);
      const [ours, theirs] = [browserSide(w.sessionCpu), browserSide(w.directCpu)];
      console.log(`${'  page main + browser other'.padEnd(34)}${pad(ours.toFixed(1), 14)}${pad(theirs.toFixed(1), 14)}`);
      console.log(`${'    terminal ÷ xterm alone'.padEnd(34)}${pad('', 14)}${pad((ours / theirs).toFixed(2) + '×', 14)}   ` +
        `(÷ the DOM xterm alone above: ${(ours / xtermCpu).toFixed(2)}×)`);
    }
    console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`phases (ms after Connect), first visit: ${phaseLog[0]}`);
    for (const { row, ours, theirs, posternSide, opensshSide, phases } of rows) {
      console.log(`${row.kex} (${row.build === 'debian' ? "Debian's OpenSSH 9.2" : 'OpenSSH 10.5'}): negotiated by Postern: ${posternSide}; by ssh: ${opensshSide}`);
      console.log(`  connect runs, Postern: ${ours.map((x) => x.toFixed(0)).join(' ')}; ssh -tt: ${theirs.map((x) => x.toFixed(0)).join(' ')}`);
      console.log(`  phases (ms after Connect), last run: ${phases}`);
    }
    for (const line of profileLog) console.log(line);
  } finally {
    await page.close();
    await proxy.stop();
    await sshd.stop();
    await Promise.all(rowServers.map((s) => s.stop()));
    rmSync(keyDir, { recursive: true, force: true });
    rmSync(TEXT_FILE, { force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
