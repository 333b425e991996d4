// Console sessions follow the authority they were opened with: a real SSH-style session relayed
// through /ws/relay with a user's session token ends, within a second and with a sentence saying
// why, when that user is deleted, loses an action, or signs that token out. Other sessions go on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE, type AuditEntry } from '../../src/shared/api.ts';
import { signIn, startProxy, type ProxyProcess } from '../support/proxy.ts';
import { echoServerForFile, openRelay, within } from '../support/relay-client.ts';

let proxy: ProxyProcess;
let owner: Awaited<ReturnType<typeof signIn>>;
const echo = echoServerForFile();
let resourceId: string;

beforeAll(async () => {
  proxy = await startProxy();
  owner = await signIn(proxy.url, proxy.ownerSigninUrl);
  resourceId = (await owner.call('POST', '/api/resources', { name: 'desk', address: '127.0.0.1', ports: { ssh: [echo.port] } })).body.id;
});
afterAll(async () => {
  await proxy?.stop();
});

/** A new user, signed in; signInAgain gives the same user a second session token. */
async function newUser(name: string, role: 'owner' | 'contributor' | 'reader') {
  const made = await owner.call('POST', '/api/users', { name, role });
  expect(made.status).toBe(201);
  const id = made.body.user.id as string;
  return {
    id,
    ...(await signIn(proxy.url, made.body.signinUrl)),
    signInAgain: async () => signIn(proxy.url, (await owner.call('POST', `/api/users/${id}/signin-link`)).body.signinUrl),
  };
}

/** A console session relayed to the echo machine, checked to carry bytes both ways. */
async function consoleSession(token: string) {
  const c = openRelay(proxy.url, `resource=${resourceId}&protocol=ssh&port=${echo.port}`, ['binary', `postern.user.${token}`]);
  await c.opened;
  await c.echoes('ping');
  return c;
}

describe('console sessions follow their authority', () => {
  it('ends every session of a deleted user, and only theirs', async () => {
    const dana = await newUser('dana', 'contributor');
    const erin = await newUser('erin', 'reader');
    const [d1, d2, e1] = [await consoleSession(dana.token), await consoleSession(dana.token), await consoleSession(erin.token)];
    expect((await owner.call('DELETE', `/api/users/${dana.id}`)).status).toBe(204);
    const ended = { code: CLOSE.unauthenticated, reason: 'Your user was removed from Postern, so the session was ended.' };
    expect(await within(1000, d1.closed)).toEqual(ended);
    expect(await within(1000, d2.closed)).toEqual(ended);
    await e1.echoes('still here');
    expect((await dana.call('GET', '/api/me')).status).toBe(401);
    e1.ws.close();
  });

  it('ends the sessions of a user whose role loses an action, not when it gains one', async () => {
    const fred = await newUser('fred', 'reader');
    const asReader = await consoleSession(fred.token);
    expect((await owner.call('PUT', `/api/users/${fred.id}`, { role: 'owner' })).body.role).toBe('owner');
    await asReader.echoes('promoted');
    asReader.ws.close();
    await asReader.closed;

    const asOwner = await consoleSession(fred.token);
    expect((await owner.call('PUT', `/api/users/${fred.id}`, { role: 'contributor' })).status).toBe(200);
    expect(await within(1000, asOwner.closed)).toEqual({
      code: CLOSE.forbidden, reason: 'Your role was changed to contributor, which may do less, so the session was ended.',
    });
    // Still signed in, with the new role's rights: a new session opens.
    const again = await consoleSession(fred.token);
    again.ws.close();
    const audit = (await owner.call('GET', '/api/audit')).body.filter((e: AuditEntry) => e.action === 'user.role' && e.detail!.startsWith('fred'));
    expect(audit.map((e: AuditEntry) => e.detail)).toEqual(['fred → contributor', 'fred → owner']);
  });

  it('ends the sessions opened with a token that signs out, not those of the same user\'s other sign-in', async () => {
    const gina = await newUser('gina', 'contributor');
    const laptop = await consoleSession(gina.token);
    const other = await gina.signInAgain();
    const desktop = await consoleSession(other.token);
    expect((await gina.call('DELETE', '/api/session')).status).toBe(204);
    expect(await within(1000, laptop.closed)).toEqual({ code: CLOSE.unauthenticated, reason: 'You signed out of Postern, so the session was ended.' });
    await desktop.echoes('other sign-in');
    expect((await gina.call('GET', '/api/me')).status).toBe(401);
    expect((await other.call('GET', '/api/me')).status).toBe(200);
    desktop.ws.close();
  });
});
