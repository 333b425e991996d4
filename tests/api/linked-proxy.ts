// One proxy process for a whole API test file, signed in as its first owner, with shareable links on:
// registers the file's beforeAll and afterAll. The stage's fields are set once beforeAll has run.
import { afterAll, beforeAll } from 'vitest';
import { signIn, startProxy, type ProxyProcess } from '../support/proxy.ts';

export interface LinkedProxy {
  proxy: ProxyProcess;
  owner: Awaited<ReturnType<typeof signIn>>;
}

export function linkedProxy(): LinkedProxy {
  const stage = {} as LinkedProxy;
  beforeAll(async () => {
    stage.proxy = await startProxy();
    stage.owner = await signIn(stage.proxy.url, stage.proxy.ownerSigninUrl);
    await stage.owner.call('PUT', '/api/settings', { shareableLinks: true });
  });
  afterAll(async () => {
    await stage.proxy?.stop();
  });
  return stage;
}
