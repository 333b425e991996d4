// The demo machine's Web Worker: the demo SSH server and shell, with no network. Each `connect`
// message brings a MessagePort that carries one SSH connection's raw bytes (see
// src/ssh/core/message-port-stream.ts); the client on the other end cannot tell it from a relay WebSocket.
import { authorizedKeysLine, fingerprintSha256, parsePublicKeyLine } from '../ssh/keys/index';
import { toBase64 } from '../ssh/core/wire/bytes';
import { messagePortStream, type MessagePortLike } from '../ssh/core/index';
import { loadMachineState, saveAuthorizedKeys } from './host-key-store';
import { DEMO_PASSWORD, DEMO_USER, type DemoMachineInfo, type FromDemoWorker, type ToDemoWorker } from './protocol';
import { startDemoShell } from './shell/shell';
import { SshServer, hostKeyFromSeed, newHostKeySeed, type Account } from './ssh-server/index';

/** The part of DedicatedWorkerGlobalScope used here (the root tsconfig types `self` as a Window). */
interface WorkerScope {
  postMessage(message: FromDemoWorker): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<ToDemoWorker>) => void): void;
}
const scope = self as unknown as WorkerScope;

const BANNER = 'Postern demo machine: an SSH server running in this browser tab. Sign in as demo, password demo.\r\n';

interface Machine {
  server: SshServer;
  account: Account;
  lines: string[];
  persistent: boolean;
}

const machine: Promise<Machine> = loadMachineState(newHostKeySeed).then((state) => {
  const account: Account = { password: DEMO_PASSWORD, authorizedKeys: [] };
  const lines: string[] = [];
  for (const line of state.authorizedKeys) {
    try {
      account.authorizedKeys.push(parsePublicKeyLine(line).blob);
      lines.push(line);
    } catch {
      // A damaged entry is dropped rather than blocking the demo.
    }
  }
  const server = new SshServer({
    hostKey: hostKeyFromSeed(state.hostKeySeed),
    accounts: new Map([[DEMO_USER, account]]),
    startProgram: startDemoShell,
    banner: BANNER,
  });
  return { server, account, lines, persistent: state.persistent };
});

function info(m: Machine): DemoMachineInfo {
  const blob = m.server.options.hostKey.publicBlob;
  return {
    username: DEMO_USER,
    password: DEMO_PASSWORD,
    hostKeyType: 'ssh-ed25519',
    hostKeyFingerprint: fingerprintSha256(blob),
    hostKeyLine: `ssh-ed25519 ${toBase64(blob)}`,
  };
}

async function authorize(m: Machine, line: string): Promise<string> {
  const key = parsePublicKeyLine(line); // throws KeyError('malformed') with a sentence
  if (!m.account.authorizedKeys.some((b) => fingerprintSha256(b) === fingerprintSha256(key.blob))) {
    m.account.authorizedKeys.push(key.blob);
    m.lines.push(authorizedKeysLine({ publicBlob: key.blob, comment: key.comment }));
    if (m.persistent) await saveAuthorizedKeys(m.lines).catch(() => undefined);
  }
  return fingerprintSha256(key.blob);
}

scope.addEventListener('message', (event) => {
  const msg = event.data;
  void machine.then(async (m) => {
    switch (msg.type) {
      case 'connect':
        m.server.serve(messagePortStream(msg.port as MessagePortLike));
        return;
      case 'info':
        scope.postMessage({ type: 'info', id: msg.id, info: info(m) });
        return;
      case 'authorize-key':
        try {
          scope.postMessage({ type: 'authorized', id: msg.id, fingerprint: await authorize(m, msg.line) });
        } catch (e) {
          scope.postMessage({ type: 'failed', id: msg.id, message: e instanceof Error ? e.message : String(e) });
        }
        return;
    }
  });
});
