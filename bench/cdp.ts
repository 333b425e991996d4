// A bare Chromium for benchmarks, driven over the DevTools protocol with only Page, Runtime and Input.
// Playwright turns on the Network domain in every page and worker, and Chromium then copies each
// WebSocket frame, base64-encoded, to the driver: at tens of MB/s that costs the browser process and
// the driver a fifth of this machine's CPU, which a visitor's browser never spends.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';

export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A DevTools protocol message: a reply (id, then result or error) or an event (method). */
interface CdpMessage {
  id?: number;
  method?: string;
  sessionId?: string;
  params?: CdpResult;
  result?: CdpResult;
  error?: { message: string; data?: string };
}

/** The fields of the replies read here. */
interface CdpResult {
  targetId?: string;
  targetInfo?: { type: string; url: string };
  profile?: CpuProfile;
  sessionId?: string;
  result?: { value?: unknown };
  exceptionDetails?: { text: string; exception?: { description?: string } };
}

export interface CdpPage {
  /** Loads `url` in a fresh document and waits for its load event. */
  goto(url: string): Promise<void>;
  /** Runs `fn(arg)` in the page (a function without closures) and returns its awaited, JSON-able result. */
  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  /** Types text into the focused element, as an input method would. */
  insertText(text: string): Promise<void>;
  pressEnter(): Promise<void>;
  /** A letter key as a keyboard sends it, with Ctrl held if `ctrl`. */
  pressKey(letter: string, ctrl?: boolean): Promise<void>;
  /**
   * Starts the V8 sampling profiler in the page and in each of its dedicated workers (those running now and
   * those started later); the returned function stops them all and gives each target's `.cpuprofile`.
   */
  startProfiling(intervalUs?: number): Promise<() => Promise<Array<{ target: string; profile: CpuProfile }>>>;
  /** Records a browser trace (every process); the returned function stops it and gives its events. */
  startTracing(categories: string): Promise<() => Promise<TraceEvent[]>>;
  close(): Promise<void>;
}

/** One event of Chromium's trace format. */
export interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string };
}

/** V8's profile format (DevTools `Profiler.Profile`), as saved in `.cpuprofile` files. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }>;
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** The functions with the most self time in a profile: [name at url:line, ms, share of the sampled time]. */
export function topSelfTime(profile: CpuProfile, count = 15): Array<{ fn: string; ms: number; share: number }> {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const deltas = profile.timeDeltas ?? [];
  const samples = profile.samples ?? [];
  let total = 0;
  for (let i = 0; i < samples.length; i++) {
    // A sample's time is the gap to the next sample (V8's deltas give the gap to the previous one).
    const us = deltas[i + 1] ?? 0;
    const f = byNode.get(samples[i])!.callFrame;
    const file = f.url.slice(f.url.lastIndexOf('/') + 1);
    const key = `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
    self.set(key, (self.get(key) ?? 0) + us);
    total += us;
  }
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, count).map(([fn, us]) => ({ fn, ms: us / 1000, share: us / total }));
}

export async function launchBareChromium(viewport = { width: 1280, height: 800 }): Promise<CdpPage> {
  const profile = mkdtempSync(join(tmpdir(), 'postern-bench-chromium-'));
  const child = spawn('/usr/bin/chromium', [...CHROMIUM_FLAGS, '--remote-debugging-port=0', `--user-data-dir=${profile}`,
    `--window-size=${viewport.width},${viewport.height}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`chromium exited with ${code}:\n${err}`)));
  });
  const ws = new WebSocket(endpoint, { perMessageDeflate: false, maxPayload: 256 << 20 });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));

  let nextId = 0;
  const pending = new Map<number, { resolve: (v: CdpResult) => void; reject: (e: Error) => void }>();
  const listeners: Array<(m: CdpMessage) => void> = [];
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as CdpMessage;
    if (m.id === undefined) return listeners.forEach((l) => l(m));
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error) p?.reject(new Error(`${m.error.message} ${m.error.data ?? ''}`));
    else p?.resolve(m.result!);
  });
  const send = (method: string, params: object = {}, sessionId?: string) =>
    new Promise<CdpResult>((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params, sessionId }));
    });

  const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
  const on = (method: string) => send(method, {}, sessionId);
  await on('Page.enable');
  await send('Page.setBypassCSP', { enabled: true }, sessionId); // the bench loads xterm.js from a blob: URL
  await send('Emulation.setDeviceMetricsOverride', { ...viewport, deviceScaleFactor: 1, mobile: false }, sessionId);
  // tsx compiles with esbuild's keepNames, whose __name() helper functions passed to evaluate() call.
  await send('Page.addScriptToEvaluateOnNewDocument', { source: 'globalThis.__name = (f) => f;' }, sessionId);

  const key = (type: string, extra: object) => send('Input.dispatchKeyEvent', { type, ...extra }, sessionId);
  return {
    async goto(url) {
      const loaded = new Promise<void>((resolve) => {
        const l = (m: CdpMessage) => {
          if (m.sessionId !== sessionId || m.method !== 'Page.loadEventFired') return;
          listeners.splice(listeners.indexOf(l), 1);
          resolve();
        };
        listeners.push(l);
      });
      await send('Page.navigate', { url }, sessionId);
      await loaded;
    },
    async evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R> {
      const r = await send('Runtime.evaluate', { expression: `(${fn.toString()})(${JSON.stringify(arg)})`, awaitPromise: true, returnByValue: true }, sessionId);
      if (r.exceptionDetails) throw new Error(`in page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
      return r.result!.value as R;
    },
    async insertText(text) {
      await send('Input.insertText', { text }, sessionId);
    },
    async pressEnter() {
      const enter = { key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, nativeVirtualKeyCode: 13 };
      await key('keyDown', { ...enter, text: '\r', unmodifiedText: '\r' });
      await key('keyUp', enter);
    },
    async pressKey(letter, ctrl = false) {
      const upper = letter.toUpperCase();
      const press = { key: letter, code: `Key${upper}`, windowsVirtualKeyCode: upper.charCodeAt(0), modifiers: ctrl ? 2 : 0 };
      await key('keyDown', ctrl ? press : { ...press, text: letter, unmodifiedText: letter });
      await key('keyUp', press);
    },
    async startProfiling(intervalUs = 200) {
      const targets = new Map<string, string>([[sessionId!, 'page']]);
      const start = async (s: string) => {
        await send('Profiler.enable', {}, s);
        await send('Profiler.setSamplingInterval', { interval: intervalUs }, s);
        await send('Profiler.start', {}, s);
      };
      const attached = (m: CdpMessage) => {
        if (m.method !== 'Target.attachedToTarget' || m.params?.targetInfo?.type !== 'worker') return;
        const s = m.params.sessionId!;
        targets.set(s, `worker ${m.params.targetInfo.url.slice(m.params.targetInfo.url.lastIndexOf('/') + 1)}`);
        void start(s).then(() => send('Runtime.runIfWaitingForDebugger', {}, s));
      };
      listeners.push(attached);
      await start(sessionId!);
      await send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true }, sessionId);
      return async () => {
        listeners.splice(listeners.indexOf(attached), 1);
        const out: Array<{ target: string; profile: CpuProfile }> = [];
        for (const [s, target] of targets) {
          const stopped = await send('Profiler.stop', {}, s).catch(() => undefined); // a worker that has ended took its profile along
          if (stopped?.profile) out.push({ target, profile: stopped.profile });
        }
        // Only now: turning auto-attach off detaches the workers' sessions.
        await send('Target.setAutoAttach', { autoAttach: false, waitForDebuggerOnStart: false, flatten: true }, sessionId);
        return out;
      };
    },
    async startTracing(categories) {
      const events: TraceEvent[] = [];
      const collect = (m: CdpMessage) => {
        if (m.method === 'Tracing.dataCollected') events.push(...((m.params as unknown as { value: TraceEvent[] }).value));
      };
      listeners.push(collect);
      await send('Tracing.start', { categories, transferMode: 'ReportEvents' });
      return async () => {
        const complete = new Promise<void>((resolve) => {
          const l = (m: CdpMessage) => {
            if (m.method !== 'Tracing.tracingComplete') return;
            listeners.splice(listeners.indexOf(l), 1);
            resolve();
          };
          listeners.push(l);
        });
        await send('Tracing.end');
        await complete;
        listeners.splice(listeners.indexOf(collect), 1);
        return events;
      };
    },
    async close() {
      ws.close();
      child.kill();
      await new Promise((resolve) => child.once('exit', resolve));
      // Its helper processes may still be writing for a moment after the browser exits: a profile left
      // behind in the temporary directory is not worth failing a finished benchmark for.
      try {
        rmSync(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 250 });
      } catch (e) {
        console.warn(`could not remove the browser profile ${profile}: ${(e as Error).message}`);
      }
    },
  };
}
