// Harness page ?page=demo-machine, for demo-machine.spec.ts: the production demo machine (its Web Worker,
// IndexedDB host key, MessagePort transport) and the production SSH client core, in a real browser, with
// nothing of the SPA around them. The spec drives it through window.harness.
import { demoMachine } from '../../../src/demo/machine';
import { connectSsh, type SshChannel, type SshClient } from '../../../src/ssh/core/index';
import { authorizedKeysLine, generateKey } from '../../../src/ssh/keys/index';

interface Session {
  client: SshClient;
  channel: SshChannel;
  output: string;
  fingerprint: string;
}

let session: Session | undefined;

async function open(auth: 'password' | 'key', password = 'demo'): Promise<{ fingerprint: string; cipher: string }> {
  const machine = demoMachine();
  const client = connectSsh(machine.stream(), { username: 'demo' });
  let fingerprint = '';
  client.on('hostKey', (info) => {
    fingerprint = info.fingerprint;
    client.acceptHostKey();
  });
  await client.ready;
  if (auth === 'password') await client.signInWithPassword(password);
  else {
    const key = await generateKey('ed25519', 'harness');
    await machine.authorizeKey(authorizedKeysLine(key));
    await client.authMethods();
    await client.authenticate({ method: 'publickey', key });
  }
  const channel = await client.openShell({ cols: 80, rows: 24 });
  const decoder = new TextDecoder();
  session = { client, channel, output: '', fingerprint };
  const s = session;
  channel.on('data', (bytes) => (s.output += decoder.decode(bytes, { stream: true })));
  return { fingerprint, cipher: client.negotiated?.cipherS2C ?? '' };
}

async function run(command: string): Promise<string> {
  const s = session!;
  const mark = s.output.length;
  s.channel.write(command + '\r');
  const prompt = /\$ $/;
  for (;;) {
    // eslint-disable-next-line no-control-regex -- terminal escape sequences begin with ESC (\x1b)
    const fresh = s.output.slice(mark).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    if (fresh.includes('\r\n') && prompt.test(fresh)) return fresh.slice(fresh.indexOf('\r\n') + 2).replace(/[^\n]*\$ $/, '');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function signInError(password: string): Promise<{ kind: string; message: string }> {
  try {
    await open('password', password);
    return { kind: 'none', message: '' };
  } catch (e) {
    return { kind: (e as { kind: string }).kind, message: (e as Error).message };
  }
}

Object.assign(window, { harness: { info: () => demoMachine().info(), open, run, signInError, close: () => session?.client.close() } });
document.getElementById('status')!.textContent = 'ready';
