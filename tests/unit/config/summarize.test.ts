// The closing line of npm test (scripts/summarize.mjs) over small vitest and Playwright reports: a test
// file that fails outside its tests (cannot load, throws at load, a hook fails) is one failure.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '../../..');
const fixture = (name: string) => join(__dirname, 'fixtures/summarize', name);

function summarize(...reports: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'scripts/summarize.mjs'), ...reports], { cwd: root, encoding: 'utf8' });
  const lines = r.stdout.trim().split('\n');
  return { line: lines.at(-1), failed: lines.slice(0, -1), stderr: r.stderr, status: r.status };
}

describe('the closing line', () => {
  it('adds up green reports and exits 0', () => {
    expect(summarize(fixture('vitest-green.json'), fixture('playwright-green.json'))).toEqual({
      line: '6 passed, 0 failed, 1 skipped', failed: [], stderr: '', status: 0,
    });
  });

  it('counts a vitest file that failed to load as a failure, besides its failed tests, and names it', () => {
    const r = summarize(fixture('vitest-file-failed.json'));
    // 1 passed, 1 failed test, 1 file that never ran: the file with a failed test is not counted twice.
    expect(r.line).toBe('1 passed, 2 failed, 1 skipped');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^\/repo\/tests\/unit\/broken\.test\.ts failed outside its tests: Cannot find module '\.\/does-not-exist'/m);
    expect(r.stderr).not.toContain('red.test.ts');
    // Each failed test is named above the closing line, so the tail of a long log says which.
    expect(r.failed).toEqual([expect.stringMatching(/^FAILED \/repo\/tests\/unit\/red\.test\.ts › .+: /)]);
  });

  it('counts a Playwright load error as a failure although no test ran, and names the file', () => {
    const r = summarize(fixture('vitest-green.json'), fixture('playwright-load-error.json'));
    expect(r.line).toBe('2 passed, 1 failed');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^\/repo\/tests\/e2e\/broken\.spec\.ts failed outside its tests: Error: Cannot find module '\/repo\/tests\/e2e\/gone\.ts'/m);
    expect(r.stderr).not.toContain('\u001b[');
  });

  it('counts a missing report as a failure', () => {
    const r = summarize(fixture('vitest-green.json'), fixture('no-such-report.json'));
    expect(r.line).toBe('2 passed, 1 failed');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/No report at .*no-such-report\.json: that test stage did not run to the end\./);
  });
});
