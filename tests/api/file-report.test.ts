// The SSH page's file report on the relay's WebSocket, through the real proxy: a text message with the
// page's running totals, taken on SSH sessions only (a link's or a console user's), kept and written into the session's audit
// row at close as counted by the client. A malformed one ends that connection alone, with a sentence.
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/shared/api.ts';
import { encodeFileReport, FILE_REPORTS_PER_SECOND, type FileReport } from '../../src/shared/rules/file-report.ts';
import { linkedProxy } from './linked-proxy.ts';
import { echoServerForFile, openRelay, within } from '../support/relay-client.ts';

const stage = linkedProxy();
const echo = echoServerForFile();

async function linkTo(name: string, protocol: 'ssh' | 'rdp' = 'ssh') {
  const res = (await stage.owner.call('POST', '/api/resources', { name, address: '127.0.0.1', ports: { [protocol]: [echo.port] } })).body;
  const link = (await stage.owner.call('POST', '/api/links', { resourceIds: [res.id] })).body[0];
  return { res, link };
}

const openLink = (token: string, protocol: 'ssh' | 'rdp' = 'ssh') =>
  openRelay(stage.proxy.url, `protocol=${protocol}&port=${echo.port}`, ['binary', `postern.link.${token}`]);

/** The session's audit row once it is closed. */
async function closedEntry(match: (e: AuditEntry) => boolean): Promise<AuditEntry> {
  for (let i = 0; i < 200; i++) {
    const entry = ((await stage.owner.call('GET', '/api/audit')).body as AuditEntry[]).find((e) => e.action === 'connect' && match(e));
    if (entry && entry.outcome !== 'open') return entry;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the session\'s audit row was not closed');
}

const report = (r: Partial<FileReport>) => encodeFileReport({ filesUp: 0, bytesUp: 0, filesDown: 0, bytesDown: 0, ...r });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the file report', () => {
  it('keeps the last report of an SSH link session and writes it to the audit row, counted by the client', async () => {
    const { link } = await linkTo('report-box');
    const c = openLink(link.token);
    await c.opened;
    await c.echoes('before ');
    c.ws.send(report({ filesUp: 1, bytesUp: 1_500_000 }));
    await pause(300);
    c.ws.send(report({ filesUp: 2, bytesUp: 1_468_006 + 1_500_000, filesDown: 1, bytesDown: 300_000 }));
    await c.echoes('after'); // the binary path relays on, untouched
    c.ws.close();
    expect((await c.closed).code).toBe(1005);
    const entry = await closedEntry((e) => e.linkId === link.id);
    expect(entry).toMatchObject({ outcome: 'ok', bytesUp: 'before after'.length, bytesDown: 'before after'.length });
    expect(entry.files).toEqual({ up: 2, down: 1, bytesUp: 2_968_006, bytesDown: 300_000, countedBy: 'client' });
  });

  it('a session that reports nothing has no file counts', async () => {
    const { link } = await linkTo('quiet-box');
    const c = openLink(link.token);
    await c.opened;
    await c.echoes('x');
    c.ws.close();
    const entry = await closedEntry((e) => e.linkId === link.id);
    expect(entry.outcome).toBe('ok');
    expect(entry).not.toHaveProperty('files');
  });

  it('a binary message that looks like a report is relayed as bytes, never taken as one', async () => {
    const { link } = await linkTo('binary-box');
    const c = openLink(link.token);
    await c.opened;
    await c.echoes(report({ filesUp: 5 }));
    c.ws.close();
    const entry = await closedEntry((e) => e.linkId === link.id);
    expect(entry).not.toHaveProperty('files');
  });

  const MALFORMED: [string, string, RegExp][] = [
    ['not JSON', 'hello', /^The file report is not JSON\.$/],
    ['longer than 256 bytes', report({}) + ' '.repeat(300), /longer than 256 bytes/],
    ['an extra key', '{"filesUp":1,"bytesUp":2,"filesDown":3,"bytesDown":4,"x":0}', /must have exactly filesUp, bytesUp, filesDown, bytesDown/],
    ['a negative count', report({ bytesDown: -5 }), /bytesDown is not a whole number/],
    ['a float', report({ bytesUp: 1.5 }), /bytesUp is not a whole number/],
    ['a huge number', '{"filesUp":1,"bytesUp":1e300,"filesDown":0,"bytesDown":0}', /bytesUp is not a whole number/],
  ];
  for (const [what, text, sentence] of MALFORMED) {
    it(`ends only that connection, with a sentence, for ${what}; another session relays on`, async () => {
      const [{ link }, other] = [await linkTo(`bad-${what}`), await linkTo(`good-${what}`)];
      const bystander = openLink(other.link.token);
      const c = openLink(link.token);
      await Promise.all([c.opened, bystander.opened]);
      c.ws.send(report({ filesUp: 1, bytesUp: 10 }));
      await pause(300);
      c.ws.send(text);
      const closed = await within(5_000, c.closed);
      expect(closed.code).toBe(1003);
      expect(closed.reason).toMatch(sentence);
      await bystander.echoes('still here');
      const entry = await closedEntry((e) => e.linkId === link.id);
      expect(entry).toMatchObject({ outcome: 'bad-report', detail: expect.stringMatching(sentence) });
      // What was reported before the bad message stays on record.
      expect(entry.files).toEqual({ up: 1, down: 0, bytesUp: 10, bytesDown: 0, countedBy: 'client' });
      bystander.ws.close();
    });
  }

  it('ends the connection when a total goes down', async () => {
    const { link } = await linkTo('down-box');
    const c = openLink(link.token);
    await c.opened;
    c.ws.send(report({ filesDown: 3, bytesDown: 900 }));
    await pause(300);
    c.ws.send(report({ filesDown: 2, bytesDown: 900 }));
    const closed = await within(5_000, c.closed);
    expect(closed).toEqual({ code: 1003, reason: 'The file report\'s filesDown went down (from 3 to 2): totals only grow.' });
    const entry = await closedEntry((e) => e.linkId === link.id);
    expect(entry.files).toEqual({ up: 0, down: 3, bytesUp: 0, bytesDown: 900, countedBy: 'client' });
  });

  it('ignores reports beyond a few a second, keeps the connection, and takes one again later', async () => {
    const { link } = await linkTo('flood-box');
    const c = openLink(link.token);
    await c.opened;
    for (let i = 1; i <= 200; i++) c.ws.send(report({ filesUp: i, bytesUp: i }));
    await c.echoes('alive');
    await pause(1100);
    c.ws.send(report({ filesUp: 500, bytesUp: 500 }));
    await c.echoes('alive again');
    c.ws.close();
    const entry = await closedEntry((e) => e.linkId === link.id);
    expect(entry.outcome).toBe('ok');
    expect(entry.files).toEqual({ up: 500, down: 0, bytesUp: 500, bytesDown: 0, countedBy: 'client' });
    expect(FILE_REPORTS_PER_SECOND).toBeLessThan(200);
  });

  it('is kept on a signed-in user\'s SSH session too, and refused on RDP through the relay: text there ends the connection', async () => {
    const { res } = await linkTo('user-box');
    const user = openRelay(stage.proxy.url, `resource=${res.id}&protocol=ssh&port=${echo.port}`, ['binary', `postern.user.${stage.owner.token}`]);
    await user.opened;
    user.ws.send(report({ filesUp: 1, bytesUp: 42 }));
    await user.echoes('still relaying');
    user.ws.close();
    await user.closed;
    const entry = await closedEntry((e) => e.resourceId === res.id && e.actor !== 'link visitor');
    expect(entry.files).toEqual({ up: 1, down: 0, bytesUp: 42, bytesDown: 0, countedBy: 'client' });

    const rdp = await linkTo('rdp-relay-box', 'rdp');
    const c = openLink(rdp.link.token, 'rdp');
    await c.opened;
    c.ws.send(report({ filesUp: 1 }));
    expect(await within(5_000, c.closed)).toEqual({ code: 1003, reason: 'Only binary messages are relayed.' });
  });
});
