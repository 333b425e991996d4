// In-memory pairs for the demo server tests: the real client core (connectSsh) over memoryPipe()
// against the real demo server and shell. Nothing here imitates either side.

import { connectSsh, memoryPipe, type ByteStream, type ConnectOptions } from '../../../src/ssh/core/stream';
import type { SshChannel } from '../../../src/ssh/core/channel';
import type { SshClient } from '../../../src/ssh/core/client';
import { SshServer, hostKeyFromSeed, newHostKeySeed, type AccountBook, type SshServerOptions } from '../../../src/demo/ssh-server/index';
import { startDemoShell } from '../../../src/demo/shell/shell';

export interface Pair {
  server: SshServer;
  session: ReturnType<SshServer['serve']>;
  client: SshClient;
  accounts: AccountBook;
}

export function demoServer(options: Partial<SshServerOptions> = {}): SshServer {
  return new SshServer({
    hostKey: hostKeyFromSeed(newHostKeySeed()),
    accounts: new Map([['demo', { password: 'demo', authorizedKeys: [] }]]),
    startProgram: startDemoShell,
    ...options,
  });
}

/** A client connected to a fresh demo server; the host key is accepted unless told otherwise. */
export function pair(opts: { server?: Partial<SshServerOptions>; client?: Partial<ConnectOptions>; acceptHostKey?: boolean; stream?: [ByteStream, ByteStream] } = {}): Pair {
  const server = demoServer(opts.server);
  const [clientEnd, serverEnd] = opts.stream ?? memoryPipe();
  const session = server.serve(serverEnd);
  const client = connectSsh(clientEnd, { username: 'demo', keepaliveIntervalMs: 0, ...opts.client });
  if (opts.acceptHostKey !== false) client.on('hostKey', () => client.acceptHostKey());
  return { server, session, client, accounts: server.accounts };
}

export async function signedIn(opts: Parameters<typeof pair>[0] = {}): Promise<Pair> {
  const p = pair(opts);
  await p.client.ready;
  await p.client.signInWithPassword('demo');
  return p;
}

export function stripAnsi(text: string): string {
  // CSI (colours, cursor) and OSC (the prompt's OSC 7, ended by BEL or ST).
  // eslint-disable-next-line no-control-regex -- terminal escape sequences begin with ESC (\x1b)
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g, '');
}

const PROMPT = /demo@postern-demo:[^\r\n$]*\$ $/;

/** The client side of a pty session: collects output, types lines, waits for prompts. */
export class Terminal {
  raw = '';
  /** raw without ANSI sequences, kept up to date chunk by chunk (output can be megabytes). */
  text = '';
  received = 0;
  private tail = ''; // an escape sequence cut off at a chunk boundary
  private waiters: Array<() => void> = [];
  private readonly decoder = new TextDecoder();

  constructor(readonly channel: SshChannel) {
    channel.on('data', (bytes) => {
      this.received += bytes.length;
      const chunk = this.decoder.decode(bytes, { stream: true });
      this.raw += chunk;
      let fresh = this.tail + chunk;
      // eslint-disable-next-line no-control-regex -- an escape sequence cut at the chunk's end
      const cut = /\x1b(\[[0-9;?]*)?$/.exec(fresh);
      this.tail = cut ? cut[0] : '';
      if (cut) fresh = fresh.slice(0, cut.index);
      this.text += stripAnsi(fresh);
      for (const w of this.waiters.splice(0)) w();
    });
    channel.on('close', () => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Resolves once the predicate holds for the output so far; fails if the channel closes first. */
  async until(predicate: (text: string) => boolean): Promise<void> {
    for (;;) {
      if (predicate(this.text)) return;
      if (this.channel.state === 'closed') throw new Error(`channel closed while waiting; output so far:\n${this.text}`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  prompt(): Promise<void> {
    return this.until((t) => PROMPT.test(t.slice(-200)));
  }

  /** Types a command and returns what it printed before the next prompt. */
  async run(command: string): Promise<string> {
    await this.prompt();
    const mark = this.text.length;
    this.channel.write(command + '\r');
    await this.until((t) => t.length > mark + command.length && PROMPT.test(t.slice(Math.max(mark, t.length - 200))));
    const out = this.text.slice(mark);
    const afterEcho = out.slice(out.indexOf('\r\n') + 2);
    return afterEcho.replace(PROMPT, '');
  }
}

export async function shell(p: Pair, size = { cols: 80, rows: 24 }, flow: 'auto' | 'manual' = 'auto'): Promise<Terminal> {
  const channel = await p.client.openShell(size, flow);
  const term = new Terminal(channel);
  await term.prompt();
  return term;
}

/** Lets pending microtasks and I/O callbacks run (settling, not timing). */
export function settle(turns = 5): Promise<void> {
  return new Promise<void>((resolve) => {
    let n = 0;
    const step = () => (++n >= turns ? resolve() : setImmediate(step));
    setImmediate(step);
  });
}
