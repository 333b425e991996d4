// Relay benchmark: Postern's /ws/relay beside a stock websockify, in one run, against the same TCP
// source. Prints connect latency (WebSocket open → first byte) and download/upload throughput.
// Run: npm run bench:relay [-- --mb 200 --rounds 3]
import { spawn } from 'node:child_process';
import net from 'node:net';
import WebSocket from 'ws';
import { signIn, startProxy } from '../tests/support/proxy.ts';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const MB = arg('--mb', 200);
const ROUNDS = arg('--rounds', 3);
const CHUNK = Buffer.alloc(64 * 1024, 0x61);

/** A TCP service: 'D' → sends MB megabytes then closes; 'U' → counts what arrives and reports at the end; 'P' → one byte back. */
function startTarget(): Promise<{ port: number; close(): void }> {
  const server = net.createServer((s) => {
    s.once('data', (first) => {
      const cmd = String.fromCharCode(first[0]);
      if (cmd === 'P') s.end('p');
      else if (cmd === 'D') {
        let left = MB * 1024 * 1024;
        const pump = () => {
          while (left > 0) {
            left -= CHUNK.length;
            if (!s.write(CHUNK)) return void s.once('drain', pump);
          }
          s.end();
        };
        pump();
      } else if (cmd === 'U') {
        let got = first.length - 1;
        s.on('data', (d) => {
          got += d.length;
          if (got >= MB * 1024 * 1024) s.end('done');
        });
      }
    });
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ port: (server.address() as net.AddressInfo).port, close: () => server.close() })));
}

function openWs(url: string, protocols: string[]): Promise<WebSocket> {
  return new Promise((ok, fail) => {
    const ws = new WebSocket(url, protocols);
    ws.binaryType = 'nodebuffer';
    ws.once('open', () => ok(ws));
    ws.once('error', fail);
  });
}

async function measure(url: string, protocols: string[]) {
  // Latency: open a tunnel, send 'P', wait for the byte back.
  const latencies: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    const ws = await openWs(url, protocols);
    ws.send(Buffer.from('P'));
    await new Promise<void>((ok) => ws.once('message', () => ok()));
    latencies.push(performance.now() - t0);
    ws.close();
  }
  latencies.sort((a, b) => a - b);
  const down: number[] = [];
  const up: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let ws = await openWs(url, protocols);
    let t0 = performance.now();
    ws.send(Buffer.from('D'));
    await new Promise<void>((ok) => ws.on('close', () => ok()));
    down.push(MB / ((performance.now() - t0) / 1000));

    ws = await openWs(url, protocols);
    t0 = performance.now();
    ws.send(Buffer.from('U'));
    let sent = 0;
    const target = MB * 1024 * 1024;
    await new Promise<void>((ok) => {
      ws.on('message', () => ok());
      const pump = () => {
        while (sent < target && ws.bufferedAmount < 8 * 1024 * 1024) {
          ws.send(CHUNK);
          sent += CHUNK.length;
        }
        if (sent < target) setTimeout(pump, 1);
      };
      pump();
    });
    up.push(MB / ((performance.now() - t0) / 1000));
    ws.close();
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { p50: latencies[10], p90: latencies[18], down: med(down), up: med(up) };
}

async function main() {
  const target = await startTarget();
  const proxy = await startProxy();
  const owner = await signIn(proxy.url, proxy.ownerSigninUrl);
  await owner.call('PUT', '/api/settings', { shareableLinks: true });
  const res = (await owner.call('POST', '/api/resources', { name: 'bench', address: '127.0.0.1', ports: { ssh: [target.port] } })).body;
  const link = (await owner.call('POST', '/api/links', { resourceIds: [res.id] })).body[0];

  const wsPort = 20000 + Math.floor(Math.random() * 20000);
  const wsify = spawn('websockify', [`127.0.0.1:${wsPort}`, `127.0.0.1:${target.port}`], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 1000));

  try {
    const postern = await measure(`${proxy.url.replace('http', 'ws')}/ws/relay?protocol=ssh&port=${target.port}`, ['binary', `postern.link.${link.token}`]);
    const stock = await measure(`ws://127.0.0.1:${wsPort}/`, ['binary']);
    const row = (name: string, m: typeof postern) =>
      `${name.padEnd(12)} ${m.p50.toFixed(2).padStart(8)} ${m.p90.toFixed(2).padStart(8)} ${m.down.toFixed(0).padStart(10)} ${m.up.toFixed(0).padStart(10)}`;
    console.log(`Relay benchmark: ${MB} MB per transfer, median of ${ROUNDS}; latency over 20 tunnels (open → 1 byte round trip)`);
    console.log(`${'relay'.padEnd(12)} ${'p50 ms'.padStart(8)} ${'p90 ms'.padStart(8)} ${'down MB/s'.padStart(10)} ${'up MB/s'.padStart(10)}`);
    console.log(row('postern', postern));
    console.log(row('websockify', stock));
    console.log(`postern/websockify throughput: down ${(postern.down / stock.down).toFixed(2)}×, up ${(postern.up / stock.up).toFixed(2)}×`);
  } finally {
    wsify.kill();
    await proxy.stop();
    target.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
