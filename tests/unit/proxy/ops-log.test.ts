// The JSON log: one line per event with its fields, and no secret ever, even one handed over by mistake.
import { describe, expect, it } from 'vitest';
import { newToken } from '../../../proxy/store/tokens.ts';
import { createLog, describeError, scrub } from '../../../proxy/ops/log.ts';

/** A logger writing into an array, one parsed object per line. */
function capture(level = 'info') {
  const raw: string[] = [];
  const log = createLog(level, { write: (s: string) => void raw.push(s) });
  return { log, raw, lines: () => raw.map((l) => JSON.parse(l)) };
}

const opened = {
  endpoint: '/ws/relay', protocol: 'ssh' as const, port: 22, resourceId: 'res123456789', linkId: 'lnk123456789',
  actor: 'link visitor', client: '203.0.113.7',
};

describe('log helpers', () => {
  it('write one JSON line per connection event, with its fields', () => {
    const { log, raw, lines } = capture();
    log.connectionOpened(opened);
    log.connectionClosed({ ...opened, outcome: 'ok', bytesUp: 11, bytesDown: 2048, durationMs: 1500 });
    log.connectionRefused({ endpoint: '/ws/rdp', reason: 'not-found', status: 404, client: '198.51.100.2' });
    expect(raw).toHaveLength(3);
    for (const l of raw) expect(l.endsWith('\n') && l.indexOf('\n') === l.length - 1).toBe(true);
    const [a, b, c] = lines();
    expect(a).toMatchObject({ level: 'info', service: 'postern', event: 'connection.opened', msg: 'connection opened', ...opened });
    expect(new Date(a.time).toISOString()).toBe(a.time);
    expect(b).toMatchObject({ event: 'connection.closed', ...opened, outcome: 'ok', bytesUp: 11, bytesDown: 2048, durationMs: 1500 });
    expect(c).toMatchObject({ event: 'connection.refused', endpoint: '/ws/rdp', reason: 'not-found', status: 404, client: '198.51.100.2' });
  });

  it('leaves linkId out of a signed-in user\'s connection', () => {
    const { log, lines } = capture();
    log.connectionOpened({ ...opened, linkId: undefined, actor: 'alice' });
    expect(lines()[0]).not.toHaveProperty('linkId');
    expect(lines()[0].actor).toBe('alice');
  });

  it('never writes a token, even one passed by mistake', () => {
    const { log, raw } = capture();
    const token = newToken();
    const session = newToken();
    // Extra fields a careless caller might spread in: the helpers copy only the fields they name.
    log.connectionOpened({ ...opened, token, password: 'hunter2-secret', sessionKey: session } as typeof opened);
    log.connectionRefused({
      endpoint: '/ws/relay', reason: 'not-found', status: 404, client: '192.0.2.1',
      headers: { 'sec-websocket-protocol': `binary, postern.link.${token}` },
    } as Parameters<typeof log.connectionRefused>[0]);
    // A token in a field that is logged: scrubbed by shape.
    log.connectionRefused({ endpoint: `/ws/relay#/l/${token}`, reason: token, status: 404, client: '192.0.2.1' });
    // Through the raw logger: the redaction list blanks the usual secret fields at any level.
    log.pino.info({
      token, password: 'hunter2-secret', authorization: `Bearer ${session}`, signinToken: session,
      headers: { 'sec-websocket-protocol': `binary, postern.user.${session}` },
      req: { headers: { authorization: `Bearer ${session}`, 'sec-websocket-protocol': 'binary, postern.link.short' } },
      nested: { token: 'abc', sessionToken: session, password: 'hunter2-secret', deeper: { more: { passphrase: 'hunter2-secret' } } },
      err: Object.assign(new Error('failed'), { config: { password: 'hunter2-secret' } }),
      note: `opened https://host/#/l/${token} and https://host/#/signin/abc`,
    }, 'raw line');
    const text = raw.join('');
    expect(raw).toHaveLength(4);
    for (const secret of [token, session, 'hunter2-secret', 'postern.link.short', '#/signin/abc']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
  });

  it('reports an internal error by name, message, code and frames, scrubbed', () => {
    const { log, raw, lines } = capture();
    const token = newToken();
    const err = Object.assign(new Error(`could not parse postern.link.${token}`), {
      code: 'EBADTHING', config: { password: 'hunter2-secret' }, headers: { authorization: `Bearer ${token}` },
    });
    log.internalError('relay', err);
    const line = lines()[0];
    expect(line).toMatchObject({ level: 'error', event: 'internal-error', where: 'relay' });
    expect(line.error).toMatchObject({ name: 'Error', code: 'EBADTHING', message: 'could not parse postern.link.[redacted]' });
    expect(line.error.frames).toMatch(/^at /);
    expect(Object.keys(line.error).sort()).toEqual(['code', 'frames', 'message', 'name']);
    expect(raw.join('')).not.toContain(token);
    expect(raw.join('')).not.toContain('hunter2');
    log.internalError('somewhere', 'a thrown string');
    expect(lines()[1].error).toEqual({ name: 'string', message: 'a thrown string' });
  });

  it('respects the level, and refuses an unknown one', () => {
    const quiet = capture('warn');
    quiet.log.connectionOpened(opened);
    quiet.log.internalError('x', new Error('boom'));
    expect(quiet.lines().map((l) => l.event)).toEqual(['internal-error']);
    const silent = capture('silent');
    silent.log.internalError('x', new Error('boom'));
    expect(silent.raw).toEqual([]);
    expect(() => createLog('loud')).toThrow(/must be one of fatal, error, warn, info, debug, trace, silent; got "loud"/);
  });
});

describe('scrub', () => {
  it('blanks token-shaped text and keeps ids, addresses and paths', () => {
    const t = newToken();
    expect(scrub(`token ${t} here`)).toBe('token [redacted] here');
    expect(scrub('postgres://user:pw@db:5432/postern')).toBe('postgres://user:[redacted]@db:5432/postern');
    expect(scrub('Authorization: Bearer abc.def')).toBe('Authorization: Bearer [redacted]');
    expect(scrub('resource res123456789 at 10.0.0.4:22 via /ws/relay, http://127.0.0.1:8080/api')).toBe(
      'resource res123456789 at 10.0.0.4:22 via /ws/relay, http://127.0.0.1:8080/api');
    expect(describeError(new TypeError('x')).name).toBe('TypeError');
  });
});
