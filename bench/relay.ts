// Relay benchmark: Postern's /ws/relay beside a stock websockify, in one run, against the same TCP
// source. Prints connect latency (WebSocket open → first byte), throughput both ways, and the relay
// process's CPU milliseconds per MB — steadier than MB/s on a busy machine, and the figure that says
// what the relay takes from the processes sharing its machine (sshd, the browser).
// Cases: "down" is a source writing 64 KB at a time as fast as the relay takes it; "small" writes 4 KB
// at a time with a short sleep between writes, as sshd does with a pty, so the relay sees small reads
// (its CPU per MB is the figure to watch); "up" is the client sending 64 KB messages as fast as it can.
// The TCP source runs in its own process, as sshd would. Rounds alternate postern and websockify so
// both see the same share of the machine's other load.
// Run: npm run bench:relay [-- --mb 200 --small-mb 50 --small-gap-us 100 --rounds 5 --cases DSU]
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { descendants, pidWith } from '../tests/support/processes.ts';
import { signIn, startProxy } from '../tests/support/proxy.ts';
import { arg, args } from './args.ts';

const MB = Number(arg('--mb', '200'));
const SMALL_MB = Number(arg('--small-mb', '50'));
/** Sleep between two 4 KB writes of the small case, in microseconds. */
const SMALL_GAP_US = Number(arg('--small-gap-us', '100'));
const ROUNDS = Number(arg('--rounds', '5'));
/** Which cases to run: any of D (down), S (small), U (up). */
const CASES = arg('--cases', 'DSU');
/** Extra NODE_OPTIONS for the proxy, e.g. "--import /tmp/profile-hook.mjs" to profile it. */
const PROXY_NODE_OPTIONS = arg('--proxy-node-options', '');
const CHUNK = Buffer.alloc(64 * 1024, 0x61);
const SMALL = Buffer.alloc(4 * 1024, 0x62);
const MiB = 1024 * 1024;

/** The TCP source (run as its own process with --source). First byte: 'D' sends MB in 64 KB writes;
 *  'S' sends SMALL_MB in 4 KB writes, sleeping SMALL_GAP_US after each; 'U' counts what arrives and
 *  answers once it has MB; 'P' answers one byte. Downloads leave the closing to the client once it
 *  has every byte: websockify drops whatever it still holds when its target closes. */
function serveSource(): void {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    s.once('data', (first) => {
      const cmd = String.fromCharCode(first[0]);
      if (cmd === 'P') s.end('p');
      else if (cmd === 'D') {
        let left = MB * MiB;
        const pump = () => {
          while (left > 0) {
            left -= CHUNK.length;
            if (!s.write(CHUNK)) return void s.once('drain', pump);
          }
        };
        pump();
      } else if (cmd === 'S') {
        let left = SMALL_MB * MiB;
        // Writes and naps block this process's event loop, so hand it back every few milliseconds.
        const pump = () => {
          const until = performance.now() + 5;
          while (left > 0 && performance.now() < until) {
            left -= SMALL.length;
            if (!s.write(SMALL)) return void s.once('drain', pump);
            Atomics.wait(nap, 0, 0, SMALL_GAP_US / 1000);
          }
          if (left > 0) setImmediate(pump);
        };
        pump();
      } else if (cmd === 'U') {
        let got = first.length - 1;
        s.on('data', (d) => {
          got += d.length;
          if (got >= MB * MiB) s.write('done'); // the client closes: websockify's child must live until counted
        });
      }
    });
  });
  server.listen(0, '127.0.0.1', () => console.log(`port ${(server.address() as net.AddressInfo).port}`));
}

async function startSource(): Promise<{ port: number; stop(): void }> {
  const child = spawn(process.execPath, [...process.execArgv, import.meta.filename, '--source', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: child.stdout! })) {
    const m = /^port (\d+)$/.exec(line);
    if (m) return { port: Number(m[1]), stop: () => child.kill() };
  }
  throw new Error('the TCP source did not start');
}

/** What a process and everything it forked (websockify forks a child per connection) has used so far,
 *  summed over their live threads from /proc/<pid>/task/<tid>/: CPU time in milliseconds (schedstat's
 *  first field, in ns) and voluntary context switches (each one a sleep and a wake-up). */
function treeUsage(root: number): { cpuMs: number; wakes: number } {
  let cpuMs = 0;
  let wakes = 0;
  for (const pid of [root, ...descendants(root)]) {
    try {
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        cpuMs += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
        wakes += Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'))?.[1] ?? 0);
      }
    } catch {
      // ended meanwhile
    }
  }
  return { cpuMs, wakes };
}

function openWs(url: string, protocols: string[]): Promise<WebSocket> {
  return new Promise((ok, fail) => {
    const ws = new WebSocket(url, protocols);
    ws.binaryType = 'nodebuffer';
    ws.once('open', () => ok(ws));
    ws.once('error', fail);
  });
}

interface Relay {
  name: string;
  url: string;
  protocols: string[];
  pid: number;
}
interface Sample {
  mbps: number;
  cpuPerMb: number;
  /** Voluntary context switches per MB: how often the relay slept and was woken. */
  wakesPerMb: number;
  /** Mean size of the WebSocket messages the client received (download cases), in KB. */
  messageKb: number;
}

/** One transfer through a relay: throughput, the relay's CPU per MB, and the messages' mean size. */
async function transfer(relay: Relay, cmd: 'D' | 'S' | 'U'): Promise<Sample> {
  const total = (cmd === 'S' ? SMALL_MB : MB) * MiB;
  const ws = await openWs(relay.url, relay.protocols);
  await new Promise((r) => setTimeout(r, 100)); // let the relay finish dialling before counting
  const use0 = treeUsage(relay.pid);
  const t0 = performance.now();
  let messages = 0;
  let received = 0;
  ws.send(Buffer.from(cmd));
  await new Promise<void>((ok, fail) => {
    ws.on('close', () => fail(new Error(`${relay.name} closed after ${received} bytes of ${total}`)));
    if (cmd === 'U') {
      let sent = 0;
      ws.on('message', () => ok());
      const pump = () => {
        while (sent < total && ws.bufferedAmount < 8 * MiB) {
          ws.send(CHUNK);
          sent += CHUNK.length;
        }
        if (sent < total) setTimeout(pump, 1);
      };
      pump();
    } else {
      ws.on('message', (d: Buffer) => {
        messages++;
        received += d.length;
        if (received >= total) ok();
      });
    }
  });
  const seconds = (performance.now() - t0) / 1000;
  const use1 = treeUsage(relay.pid); // before closing: websockify's child still lives
  ws.removeAllListeners('close');
  ws.close();
  const mb = total / MiB;
  return { mbps: mb / seconds, cpuPerMb: (use1.cpuMs - use0.cpuMs) / mb, wakesPerMb: (use1.wakes - use0.wakes) / mb,
    messageKb: messages ? received / messages / 1024 : NaN };
}

async function latency(relay: Relay): Promise<{ p50: number; p90: number }> {
  const times: number[] = [];
  for (let i = -3; i < 20; i++) { // the first three warm up (the proxy's JIT) and are not counted
    const t0 = performance.now();
    const ws = await openWs(relay.url, relay.protocols);
    ws.send(Buffer.from('P'));
    await new Promise<void>((ok) => ws.once('message', () => ok()));
    if (i >= 0) times.push(performance.now() - t0);
    ws.close();
  }
  times.sort((a, b) => a - b);
  return { p50: times[10], p90: times[18] };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function report(relays: Relay[], lat: Map<string, { p50: number; p90: number }>, samples: Map<string, Sample[]>): void {
  const med = (name: string, c: string, f: keyof Sample) => median(samples.get(`${name} ${c}`)?.map((s) => s[f]) ?? [NaN]);
  const cell = (v: number, digits: number, width: number) => v.toFixed(digits).padStart(width);
  console.log(`Relay benchmark: down and up ${MB} MB; small ${SMALL_MB} MB in 4 KB writes ${SMALL_GAP_US} µs apart; ` +
    `medians of ${ROUNDS} rounds; latency over 20 tunnels (open → 1 byte round trip)`);
  console.log('CPU = the relay\'s CPU time per MB moved, all its threads; wakes = their voluntary context switches per MB;');
  console.log('msg = mean size of the WebSocket messages received');
  console.log(`${'relay'.padEnd(11)}${'p50 ms'.padStart(7)}${'p90 ms'.padStart(7)} | ${'down MB/s'.padStart(9)}${'CPU ms/MB'.padStart(10)}${'msg KB'.padStart(7)} | ` +
    `${'small MB/s'.padStart(10)}${'CPU ms/MB'.padStart(10)}${'wakes/MB'.padStart(9)}${'msg KB'.padStart(7)} | ${'up MB/s'.padStart(8)}${'CPU ms/MB'.padStart(10)}`);
  for (const r of relays) {
    const l = lat.get(r.name)!;
    console.log(`${r.name.padEnd(11)}${cell(l.p50, 2, 7)}${cell(l.p90, 2, 7)} | ${cell(med(r.name, 'D', 'mbps'), 0, 9)}${cell(med(r.name, 'D', 'cpuPerMb'), 2, 10)}${cell(med(r.name, 'D', 'messageKb'), 1, 7)} | ` +
      `${cell(med(r.name, 'S', 'mbps'), 0, 10)}${cell(med(r.name, 'S', 'cpuPerMb'), 2, 10)}${cell(med(r.name, 'S', 'wakesPerMb'), 0, 9)}${cell(med(r.name, 'S', 'messageKb'), 1, 7)} | ` +
      `${cell(med(r.name, 'U', 'mbps'), 0, 8)}${cell(med(r.name, 'U', 'cpuPerMb'), 2, 10)}`);
  }
  const ratio = (c: string, f: keyof Sample) => (med('postern', c, f) / med('websockify', c, f)).toFixed(2);
  console.log(`postern/websockify: throughput down ${ratio('D', 'mbps')}×, small ${ratio('S', 'mbps')}×, up ${ratio('U', 'mbps')}×; ` +
    `CPU per MB down ${ratio('D', 'cpuPerMb')}×, small ${ratio('S', 'cpuPerMb')}×, up ${ratio('U', 'cpuPerMb')}×; wakes per MB small ${ratio('S', 'wakesPerMb')}×`);
}

async function main() {
  const source = await startSource();
  const proxy = await startProxy(PROXY_NODE_OPTIONS ? { env: { NODE_OPTIONS: PROXY_NODE_OPTIONS } } : {});
  const owner = await signIn(proxy.url, proxy.ownerSigninUrl);
  await owner.call('PUT', '/api/settings', { shareableLinks: true });
  const res = (await owner.call('POST', '/api/resources', { name: 'bench', address: '127.0.0.1', ports: { ssh: [source.port] } })).body;
  const link = (await owner.call('POST', '/api/links', { resourceIds: [res.id] })).body[0];

  const wsPort = 20000 + Math.floor(Math.random() * 20000);
  const wsify = spawn('websockify', [`127.0.0.1:${wsPort}`, `127.0.0.1:${source.port}`], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 1000));

  try {
    const relays: Relay[] = [
      { name: 'postern', url: `${proxy.url.replace('http', 'ws')}/ws/relay?protocol=ssh&port=${source.port}`,
        protocols: ['binary', `postern.link.${link.token}`], pid: pidWith(proxy.dataDir) },
      { name: 'websockify', url: `ws://127.0.0.1:${wsPort}/`, protocols: ['binary'], pid: wsify.pid! },
    ];
    const lat = new Map<string, { p50: number; p90: number }>();
    for (const r of relays) lat.set(r.name, await latency(r));
    const samples = new Map<string, Sample[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of (['D', 'S', 'U'] as const).filter((c) => CASES.includes(c))) {
        for (const r of relays) {
          const key = `${r.name} ${c}`;
          samples.set(key, [...(samples.get(key) ?? []), await transfer(r, c)]);
        }
      }
    }
    report(relays, lat, samples);
  } finally {
    wsify.kill();
    await proxy.stop();
    source.stop();
  }
}

if (args.includes('--source')) serveSource();
else {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
