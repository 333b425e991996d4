// The page's handle on the demo machine: starts its Web Worker once, and hands out one
// MessagePort per SSH connection. Give the port to the SSH client (transfer it to the SSH worker,
// or wrap it here with messagePortStream()) exactly where a relay WebSocket would go.
// The stream's own file, not the core's index: this page needs the stream, not the SSH client.
import { messagePortStream } from '../ssh/core/message-port-stream';
import type { ByteStream } from '../ssh/core/stream';
import type { DemoMachineInfo, FromDemoWorker, ToDemoWorker } from './protocol';

export class DemoMachine {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: FromDemoWorker): void }>();

  constructor() {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'postern-demo-machine' });
    this.worker.addEventListener('message', (event: MessageEvent<FromDemoWorker>) => {
      const waiting = this.pending.get(event.data.id);
      this.pending.delete(event.data.id);
      waiting?.resolve(event.data);
    });
  }

  /** A new connection to the demo machine's SSH port: the client's end of a MessageChannel. */
  connect(): MessagePort {
    const channel = new MessageChannel();
    this.post({ type: 'connect', port: channel.port2 }, [channel.port2]);
    return channel.port1;
  }

  /** A ByteStream for an SSH client running on this page (connectSsh(stream, ...)). */
  stream(): ByteStream {
    return messagePortStream(this.connect());
  }

  /** The demo credentials and host key, to describe and pin the demo resource. */
  async info(): Promise<DemoMachineInfo> {
    const reply = await this.ask({ type: 'info', id: 0 });
    if (reply.type !== 'info') throw new Error('The demo machine did not describe itself.');
    return reply.info;
  }

  /** Lets a public key ("ssh-ed25519 AAAA... comment") sign in as demo; resolves with its fingerprint. */
  async authorizeKey(line: string): Promise<string> {
    const reply = await this.ask({ type: 'authorize-key', id: 0, line });
    if (reply.type === 'failed') throw new Error(reply.message);
    if (reply.type !== 'authorized') throw new Error('The demo machine did not answer.');
    return reply.fingerprint;
  }

  stop(): void {
    this.worker.terminate();
    if (shared === this) shared = undefined;
  }

  private post(message: ToDemoWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private ask(message: Extract<ToDemoWorker, { id: number }>): Promise<FromDemoWorker> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve });
      this.post({ ...message, id });
    });
  }
}

let shared: DemoMachine | undefined;

/** The one demo machine of this page, started on first use. */
export function demoMachine(): DemoMachine {
  shared ??= new DemoMachine();
  return shared;
}
