// How the sign-in form connects in the offline demo: SSH to the built-in demo machine runs through the
// real SSH back end, given a MessagePort to the machine's Web Worker (src/demo/machine.ts) where the
// proxy's relay would go; every other machine, and RDP, need a Postern proxy, and the form says so in a
// sentence. RDP's WebAssembly is never loaded here.
import { ConnectError, loadOnDemand, type ConnectBackend, type ConnectOptions, type ProtocolBackend } from '../session/contract';
import type { Resource } from '../shared/api';
import { localApi } from './local-api';
import { underLinkRules } from './live-rules';
import { DEMO_ADDRESS } from './seed';
import { demoDb } from './storage';

/** Shown when RDP is chosen in the demo (beside the protocol, and when Connect is pressed anyway). */
export const RDP_NEEDS_PROXY =
  'RDP needs a Postern proxy: the proxy makes the connection to the desktop, and this demo runs without one. Try SSH to the Demo machine instead.';

const rdp: ProtocolBackend = {
  connect() {
    return Promise.reject(new ConnectError('unavailable', RDP_NEEDS_PROXY, 'protocol'));
  },
};

/** The resource a connection is for, checked as the proxy would check it. */
async function target(options: ConnectOptions): Promise<Resource> {
  const a = options.authority;
  if (a.kind === 'link') {
    try {
      return await localApi().linkTarget(a.token, a.accessCode);
    } catch (e) {
      throw new ConnectError('refused', e instanceof Error ? e.message : String(e));
    }
  }
  const r = await (await demoDb()).get('resources', a.resourceId);
  if (!r) throw new ConnectError('refused', 'This machine has been deleted.');
  return r;
}

const ssh: ProtocolBackend = {
  async connect(options, host) {
    const resource = await target(options);
    const allowed = resource.ports.ssh;
    if (!allowed) throw new ConnectError('refused', `"${resource.name}" does not allow SSH connections.`, 'protocol');
    if (!allowed.includes(options.port)) {
      throw new ConnectError('refused', `"${resource.name}" allows SSH only on port ${allowed.join(', ')}.`, 'port');
    }
    if (resource.address !== DEMO_ADDRESS) {
      throw new ConnectError(
        'unreachable',
        `The demo can only reach its built-in Demo machine; "${resource.name}" (${resource.address}) needs a Postern proxy.`,
      );
    }
    const [{ sshBackend }, { demoMachine }] = await Promise.all([import('../ssh/browser/backend'), import('./machine')]);
    // A new port for each attempt, reconnections included: the machine serves one connection per port.
    // Through a link, the link's rules watch the connection as the proxy would.
    const a = options.authority;
    const toMachine = sshBackend(() => ({
      kind: 'port',
      port: a.kind === 'link' ? underLinkRules(demoMachine().connect(), localApi(), a.token) : demoMachine().connect(),
    }));
    const session = await toMachine.connect(options, host);
    const api = localApi();
    void api
      .me()
      .then((me) => (options.authority.kind === 'link' ? 'link visitor' : me.user.name))
      .then((actor) => api.recordConnect({ actor, resourceId: resource.id, resourceName: resource.name, protocol: 'ssh', port: options.port, outcome: 'ok' }))
      .catch(() => undefined); // the audit trail is a courtesy in the demo
    return session;
  },
};

export const demoConnect: ConnectBackend = loadOnDemand({ ssh: async () => ssh, rdp: async () => rdp });
