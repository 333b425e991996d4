// The demo's stand-in for what the proxy does to live link sessions (proxy/sessions/link-policy.ts and
// session-limits.ts), by the same rules: the demo machine's connection runs through a MessagePort pair
// in this page, which ends it with the rule's sentence when the link is deleted, expires, leaves its
// hours, reaches its longest session or idle limit (input: bytes from the SSH client), or is edited to
// narrow its clipboard or file-transfer rule. Checked once a second, as the proxy does.
import type { LinkPolicy } from '../shared/api.ts';
import { narrowedRule, sessionLimitState } from '../shared/rules/policy.ts';
import type { LocalApi } from './local-api';

const TICK_MS = 1_000;

/** A port to hand the SSH client instead of `machine`, watched under the link's rules. */
export function underLinkRules(machine: MessagePort, api: LocalApi, token: string): MessagePort {
  const channel = new MessageChannel();
  const client = channel.port1;
  const startedAt = new Date();
  let lastInputAt = startedAt;
  let over = false;
  // The rules the session opened under: an edit that narrows them ends it, as on the proxy.
  let opened: LinkPolicy | undefined;
  void api.liveLink(token, startedAt).then((state) => {
    if (!('refused' in state)) opened ??= state.link.policy ?? {};
  }, () => undefined);

  const finish = (sentence?: string) => {
    if (over) return;
    over = true;
    clearInterval(timer);
    if (sentence) {
      client.postMessage({ end: true, error: sentence });
      machine.postMessage({ end: true });
    }
    client.close();
    machine.close();
  };
  client.addEventListener('message', (e: MessageEvent) => {
    if (e.data instanceof ArrayBuffer) lastInputAt = new Date();
    if (!over) machine.postMessage(e.data, e.data instanceof ArrayBuffer ? [e.data] : []);
    if (typeof e.data === 'object' && e.data !== null && 'end' in e.data) finish();
  });
  machine.addEventListener('message', (e: MessageEvent) => {
    if (!over) client.postMessage(e.data, e.data instanceof ArrayBuffer ? [e.data] : []);
    if (typeof e.data === 'object' && e.data !== null && 'end' in e.data) finish();
  });
  client.start();
  machine.start();

  const timer = setInterval(() => {
    const now = new Date();
    void api.liveLink(token, now).then((state) => {
      if ('refused' in state) return finish(state.refused);
      const narrowed = opened && narrowedRule(opened, state.link.policy);
      if (narrowed) return finish(narrowed);
      opened = state.link.policy ?? {};
      const limit = sessionLimitState(state.link.policy ?? {}, startedAt, lastInputAt, now);
      if (limit.end) finish(limit.message);
    }, () => undefined);
  }, TICK_MS);
  return channel.port2;
}
