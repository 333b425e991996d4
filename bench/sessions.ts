// Sessions benchmark: what an idle relayed session costs. Opens N WebSocket sessions through Postern's
// /ws/relay and, in the same run, through a stock websockify, both to one TCP echo target on loopback;
// echoes 1 MiB through each session (checking every byte with SHA-256), lets them idle, and prints the
// bytes lost and the relay's memory per session: fresh (connected, one byte echoed), idle after the
// traffic, and after every session has closed (what was not given back).
// Postern: heap + external (V8's heap and the buffers it tracks outside it) after a forced full GC,
// read inside the proxy through a small --import hook that answers SIGUSR2; and the process's RSS,
// PSS and private memory from /proc/<pid>/smaps_rollup. websockify (Python, one forked process per
// session) has no heap + external to read: it gets RSS, PSS and private memory summed over its
// process tree. RSS summed over forks counts the pages they share once per fork; PSS divides shared
// pages among the processes sharing them, so PSS is the figure to compare across the two.
// Each figure is (measured − measured before the sessions opened) ÷ sessions.
// websockify takes at most ~500 sessions at once (see WEBSOCKIFY_SESSIONS), so it gets 500.
// Run: npm run bench:sessions [-- --sessions 1000 --mib 1 --idle-ms 3000 --concurrency 50
//        --relays postern,websockify --websockify-sessions 500]
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { descendants, pidWith } from '../tests/support/processes.ts';
import { signIn, startProxy } from '../tests/support/proxy.ts';
import { arg, args } from './args.ts';

const SESSIONS = Number(arg('--sessions', '1000'));
const MIB_EACH = Number(arg('--mib', '1'));
/** How long the sessions sit idle after the traffic before memory is read (the proxy releases a quiet
 *  session's read buffers after about a second). */
const IDLE_MS = Number(arg('--idle-ms', '3000'));
/** Sessions moving their MiB at the same time. */
const CONCURRENCY = Number(arg('--concurrency', '50'));
const RELAYS = arg('--relays', 'postern,websockify').split(',');
/** Stock websockify (Debian's 0.10) cannot hold many more: it forks a process per session with Python's
 *  multiprocessing, whose parent keeps a descriptor per child, so later children's sockets get numbers
 *  above 1023, and each child relays with select(), which cannot watch those ("filedescriptor out of
 *  range in select()"): past ~508 sessions new ones hang. */
const WEBSOCKIFY_SESSIONS = Number(arg('--websockify-sessions', String(Math.min(SESSIONS, 500))));
/** Messages the client sends: SSH's channel packets are at most 32 KB. */
const MESSAGE = 16 * 1024;
/** Bytes a session may have sent and not yet had back. */
const IN_FLIGHT = 256 * 1024;
/** Sessions opened at the same time. */
const OPENING = 50;
const OPEN_DEADLINE_MS = 30_000;
const MOVE_DEADLINE_MS = 120_000;
const MiB = 1024 * 1024;
const KiB = 1024;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- the TCP echo target (its own process, so the relay's figures are the relay's alone) ----

function serveEcho(): void {
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    s.on('error', () => s.destroy());
    s.pipe(s);
  });
  server.listen(0, '127.0.0.1', () => console.log(`port ${(server.address() as net.AddressInfo).port}`));
}

async function startEcho(): Promise<{ port: number; stop(): void }> {
  const child = spawn(process.execPath, [...process.execArgv, import.meta.filename, '--echo'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const deadline = setTimeout(() => child.kill(), 30_000);
  for await (const line of createInterface({ input: child.stdout! })) {
    const m = /^port (\d+)$/.exec(line);
    if (m) {
      clearTimeout(deadline);
      return { port: Number(m[1]), stop: () => child.kill() };
    }
  }
  throw new Error('the echo target did not start');
}

// ---- descriptors ----

/** Each session holds a descriptor in the client (this process), two in the relay (WebSocket and
 *  target) and one in the echo target: about 4 × sessions in all, 2 × sessions in the busiest process. */
function checkDescriptors(): string {
  const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files')) ?? '';
  const [soft, hard] = line.split(/\s{2,}/).slice(1, 3).map((v) => (v === 'unlimited' ? Infinity : Number(v)));
  const need = 2 * SESSIONS + 256;
  let now = soft;
  // Node raises its own soft limit to the hard one when it starts; a child (websockify) inherits ours.
  if (soft < need && hard >= need) {
    try {
      execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${hard}:${hard}`]);
      now = hard;
    } catch {
      // prlimit missing: said below
    }
  }
  const note = `open files: soft ${now}, hard ${hard}; ~${4 * SESSIONS + 100} descriptors across client, relay and target, ` +
    `${need} in the busiest process`;
  if (now < need) {
    throw new Error(`${note}: too few. Raise the limit (ulimit -n ${need}, or LimitNOFILE= / limits.conf for the hard ` +
      `limit) or run fewer sessions (--sessions ${Math.max(1, Math.floor((now - 256) / 2))}).`);
  }
  return note;
}

// ---- memory ----

interface Smaps {
  rss: number;
  pss: number;
  /** Private_Clean + Private_Dirty: pages no other process maps. */
  priv: number;
}
interface Memory extends Smaps {
  /** V8 heap used + external (ArrayBuffers and other memory V8 is told about), after a full GC. */
  heapExternal?: number;
  processes: number;
}

function smaps(pid: number): Smaps | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * KiB;
    return { rss: kb('Rss'), pss: kb('Pss'), priv: kb('Private_Clean') + kb('Private_Dirty') };
  } catch {
    return undefined; // ended meanwhile
  }
}

function treeSmaps(root: number): Memory {
  const m: Memory = { rss: 0, pss: 0, priv: 0, processes: 0 };
  for (const pid of [root, ...descendants(root)]) {
    const s = smaps(pid);
    if (!s) continue;
    m.rss += s.rss;
    m.pss += s.pss;
    m.priv += s.priv;
    m.processes++;
  }
  return m;
}

/** Loaded into the proxy with --import: on SIGUSR2, two full collections (the second frees what the
 *  first's finalizers let go, and gives ArrayBuffer backing stores time to be swept), then one line. */
const HOOK = `
import v8 from 'node:v8';
import vm from 'node:vm';
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
let seq = 0;
process.on('SIGUSR2', () => {
  gc();
  setTimeout(() => {
    gc();
    setTimeout(() => {
      const m = process.memoryUsage();
      process.stdout.write('bench-memory ' + ++seq + ' ' + (m.heapUsed + m.external) + '\\n');
    }, 100);
  }, 100);
});
`;

interface Relay {
  name: string;
  url: string;
  protocols: string[];
  /** The relay's process (websockify: the parent of one fork per session). */
  pid: number;
  measure(): Promise<Memory>;
  stop(): Promise<void>;
}

async function startPostern(echoPort: number, hookDir: string): Promise<Relay> {
  const hook = join(hookDir, 'memory-hook.mjs');
  writeFileSync(hook, HOOK);
  const proxy = await startProxy({ env: { NODE_OPTIONS: `--import ${pathToFileURL(hook).href}` } });
  const owner = await signIn(proxy.url, proxy.ownerSigninUrl);
  await owner.call('PUT', '/api/settings', { shareableLinks: true });
  const res = (await owner.call('POST', '/api/resources', { name: 'echo', address: '127.0.0.1', ports: { ssh: [echoPort] } })).body;
  const link = (await owner.call('POST', '/api/links', { resourceIds: [res.id] })).body[0];
  const pid = pidWith(proxy.dataDir);
  let asked = 0;
  return {
    name: 'postern',
    url: `${proxy.url.replace('http', 'ws')}/ws/relay?protocol=ssh&port=${echoPort}`,
    protocols: ['binary', `postern.link.${link.token}`],
    pid,
    async measure() {
      const seq = ++asked;
      process.kill(pid, 'SIGUSR2');
      const re = new RegExp(`^bench-memory ${seq} (\\d+)$`, 'm');
      for (let i = 0; i < 200 && !re.test(proxy.output()); i++) await sleep(25);
      const got = re.exec(proxy.output());
      if (!got) throw new Error('the proxy did not report its memory (is the --import hook loaded?)');
      // The proxy alone: tsx's esbuild service runs as its child and is not the relay.
      return { ...(smaps(pid) ?? { rss: NaN, pss: NaN, priv: NaN }), processes: 1, heapExternal: Number(got[1]) };
    },
    stop: () => proxy.stop(),
  };
}

async function startWebsockify(echoPort: number): Promise<Relay> {
  const port = await freePort();
  const child = spawn('/usr/bin/websockify', [`127.0.0.1:${port}`, `127.0.0.1:${echoPort}`], { stdio: 'ignore' });
  for (let i = 0; i < 200 && !(await canConnect(port)); i++) await sleep(50);
  return {
    name: 'websockify',
    url: `ws://127.0.0.1:${port}/`,
    protocols: ['binary'],
    pid: child.pid!,
    measure: async () => treeSmaps(child.pid!),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill();
      await Promise.race([exited, sleep(5000)]);
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = net.createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => ok(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      ok(true);
    });
    s.once('error', () => ok(false));
  });
}

// ---- sessions ----

interface Session {
  ws: WebSocket;
  /** Where the session's incoming messages go now. */
  onData: (d: Buffer) => void;
  closed: boolean;
}

function openSession(relay: Relay): Promise<Session | undefined> {
  return new Promise((ok) => {
    const ws = new WebSocket(relay.url, relay.protocols, { perMessageDeflate: false });
    ws.binaryType = 'nodebuffer';
    const s: Session = { ws, onData: () => {}, closed: false };
    const timer = setTimeout(() => done(false), OPEN_DEADLINE_MS);
    let settled = false;
    const done = (opened: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!opened) ws.terminate();
      ok(opened ? s : undefined);
    };
    ws.on('message', (d: Buffer) => s.onData(d));
    ws.on('error', () => done(false));
    ws.on('close', () => {
      s.closed = true;
      done(false);
    });
    // One byte there and back: the relay has dialled the target and the path works.
    ws.once('open', () => {
      s.onData = () => done(true);
      ws.send(Buffer.from('x'));
    });
  });
}

/** Echoes `bytes` random bytes through a session; returns how many did not come back intact. */
function move(s: Session, bytes: number): Promise<{ lost: number; corrupt: boolean }> {
  const data = randomBytes(bytes);
  const want = createHash('sha256').update(data).digest('hex');
  const got = createHash('sha256');
  let sent = 0;
  let received = 0;
  return new Promise((ok) => {
    const finish = () => {
      clearTimeout(timer);
      s.onData = () => {};
      s.ws.off('drain', pump);
      const corrupt = received !== bytes || got.digest('hex') !== want;
      ok({ lost: Math.max(0, bytes - received), corrupt });
    };
    const timer = setTimeout(finish, MOVE_DEADLINE_MS);
    const pump = () => {
      while (sent < bytes && sent - received < IN_FLIGHT && s.ws.bufferedAmount < IN_FLIGHT && !s.closed) {
        const n = Math.min(MESSAGE, bytes - sent);
        s.ws.send(data.subarray(sent, sent + n));
        sent += n;
      }
    };
    s.onData = (d) => {
      got.update(d);
      received += d.length;
      if (received >= bytes) finish();
      else pump();
    };
    pump();
  });
}

async function inBatches<T, R>(items: T[], width: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}

async function closeAll(sessions: Session[]): Promise<void> {
  for (const s of sessions) s.ws.close();
  for (let i = 0; i < 200 && sessions.some((s) => !s.closed); i++) await sleep(25);
  for (const s of sessions) if (!s.closed) s.ws.terminate();
}

interface Result {
  relay: string;
  opened: number;
  moved: number;
  lost: number;
  corrupt: number;
  seconds: number;
  base: Memory;
  fresh: Memory;
  idle: Memory;
  closed: Memory;
}

async function run(relay: Relay, sessions: number): Promise<Result> {
  // Warm up (JIT, lazily loaded code, pools), so that one-time costs do not count per session.
  const warm = (await inBatches(Array.from({ length: 20 }), 20, () => openSession(relay))).filter((s) => s !== undefined);
  await inBatches(warm, 20, (s) => move(s, MIB_EACH * MiB));
  await closeAll(warm);
  await sleep(1000);
  const base = await relay.measure();

  const opened = (await inBatches(Array.from({ length: sessions }), OPENING, () => openSession(relay)))
    .filter((s) => s !== undefined);
  await sleep(500);
  globalThis.gc?.();
  const fresh = await relay.measure();

  const t0 = performance.now();
  const moves = await inBatches(opened, CONCURRENCY, (s) => move(s, MIB_EACH * MiB));
  const seconds = (performance.now() - t0) / 1000;
  await sleep(IDLE_MS);
  globalThis.gc?.();
  const idle = await relay.measure();

  await closeAll(opened);
  await sleep(1000);
  const closed = await relay.measure();
  return {
    relay: relay.name,
    opened: opened.length,
    moved: opened.length * MIB_EACH * MiB,
    lost: moves.reduce((n, m) => n + m.lost, 0),
    corrupt: moves.filter((m) => m.corrupt).length,
    seconds,
    base,
    fresh,
    idle,
    closed,
  };
}

function report(results: Result[], header: string[]): void {
  for (const line of header) console.log(line);
  const width = 13;
  const row = (label: string, cells: string[]) => console.log(label.padEnd(34) + cells.map((c) => c.padStart(width)).join(''));
  const per = (r: Result, m: Memory, f: keyof Smaps | 'heapExternal') =>
    m[f] === undefined || r.base[f] === undefined ? '–' : ((m[f]! - r.base[f]!) / Math.max(1, r.opened) / KiB).toFixed(1);
  row('', results.map((r) => r.relay));
  row('sessions opened', results.map((r) => String(r.opened)));
  row('MiB echoed (sent and checked)', results.map((r) => (r.moved / MiB).toFixed(0)));
  row('bytes lost', results.map((r) => String(r.lost)));
  row('sessions failing the checksum', results.map((r) => String(r.corrupt)));
  row('echo time, s', results.map((r) => r.seconds.toFixed(1)));
  row('processes (idle, after traffic)', results.map((r) => String(r.idle.processes)));
  const block = (title: string, f: keyof Smaps | 'heapExternal') => {
    console.log(title);
    row('  fresh (one byte echoed)', results.map((r) => per(r, r.fresh, f)));
    row('  idle after traffic', results.map((r) => per(r, r.idle, f)));
    row('  left after all closed', results.map((r) => per(r, r.closed, f)));
  };
  block('heap + external per session, KiB', 'heapExternal');
  block('RSS per session, KiB (summed over processes)', 'rss');
  block('PSS per session, KiB', 'pss');
  block('private memory per session, KiB', 'priv');
  console.log('Per session = (figure − figure before the sessions opened) ÷ sessions opened. Target for Postern: ' +
    'heap + external ≤ 64 KiB idle after traffic.');
}

async function main() {
  const descriptors = checkDescriptors();
  const cores = execFileSync('nproc', { encoding: 'utf8' }).trim();
  const load0 = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const echo = await startEcho();
  const hookDir = mkdtempSync(join(os.tmpdir(), 'postern-bench-sessions-'));
  const results: Result[] = [];
  try {
    for (const name of RELAYS) {
      const relay = name === 'postern' ? await startPostern(echo.port, hookDir) : await startWebsockify(echo.port);
      try {
        results.push(await run(relay, name === 'websockify' ? WEBSOCKIFY_SESSIONS : SESSIONS));
      } finally {
        await relay.stop();
      }
    }
  } finally {
    echo.stop();
    rmSync(hookDir, { recursive: true, force: true });
  }
  const load1 = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  report(results, [
    `Sessions benchmark: ${SESSIONS} sessions through Postern, ${Math.min(SESSIONS, WEBSOCKIFY_SESSIONS)} through websockify ` +
      `(it takes ~500 at most: select() in a process per session), ${MIB_EACH} MiB echoed through each (${MESSAGE / KiB} KiB messages, ` +
      `${CONCURRENCY} sessions at a time, SHA-256 checked), then ${IDLE_MS} ms idle before measuring`,
    `${cores} cores; load average (1, 5, 15 min) ${load0} at start, ${load1} at end; ${descriptors}`,
  ]);
}

if (args.includes('--echo')) serveEcho();
else {
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
