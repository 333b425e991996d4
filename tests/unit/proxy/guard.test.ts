// The last-resort guard: an exception nobody caught is logged without secrets and the process goes on.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../support/proxy.ts';

const SCRIPT = `
import { keepServingThrough } from './proxy/ops/guard.ts';
import { createLog } from './proxy/ops/log.ts';
keepServingThrough(createLog('info'));
setTimeout(() => { throw Object.assign(new Error('boom'), { code: 'EBOOM' }); }, 1);
setTimeout(() => Promise.reject(new Error('rejected')), 2);
setTimeout(() => console.log('still serving'), 50);
`;

describe('keepServingThrough', () => {
  it('logs an uncaught exception and an unhandled rejection, and keeps the process running', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('still serving');
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(lines.map((l) => l.where ?? l.msg)).toEqual(expect.arrayContaining([expect.stringMatching(/uncaught exception/), expect.stringMatching(/unhandled rejection/)]));
    expect(r.stdout).toContain('boom');
    expect(r.stdout).toContain('rejected');
  });
});
