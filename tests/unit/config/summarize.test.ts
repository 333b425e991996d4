// The closing line of npm test (scripts/summarize.mjs) over small vitest and Playwright reports: a test
// file that fails outside its tests (cannot load, throws at load, a hook fails) is one failure.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '../../..');
const fixture = (name: string) => join(__dirname, 'fixtures/summarize', name);

function summarize(...reports: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'scripts/summarize.mjs'), ...reports], { cwd: root, encoding: 'utf8' });
  const lines = r.stdout.trim().split('\n');
  return { line: lines.at(-1), failed: lines.slice(0, -1), stderr: r.stderr, status: r.status };
}

describe('the hook-errors reporter', () => {
  it('keeps the messages of failed suite and file hooks by file, and writes them where POSTERN_HOOK_ERRORS says', async () => {
    const { default: HookErrors } = await import('../../support/hook-errors-reporter.ts');
    const out = join(mkdtempSync(join(tmpdir(), 'postern-hooks-')), 'hooks.json');
    const reporter = new HookErrors();
    const module = { moduleId: '/repo/a.test.ts', errors: () => [{ message: 'afterAll: could not stop' }] };
    reporter.onTestSuiteResult({ module, errors: () => [{ message: 'beforeAll: no server' }] });
    reporter.onTestSuiteResult({ module: { moduleId: '/repo/b.test.ts' }, errors: () => [] });
    reporter.onTestModuleEnd(module);
    process.env.POSTERN_HOOK_ERRORS = out;
    try {
      reporter.onTestRunEnd();
    } finally {
      delete process.env.POSTERN_HOOK_ERRORS;
    }
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({ '/repo/a.test.ts': ['beforeAll: no server', 'afterAll: could not stop'] });
  });
});

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

  it('names the error of a failed hook, with the lines after its first, from the hooks file beside the report', () => {
    const r = summarize(fixture('vitest-hook-failed.json'));
    expect(r.line).toBe('0 passed, 1 failed, 1 skipped');
    expect(r.stderr).toContain('/repo/tests/interop/server.test.ts failed outside its tests: a hook failed: the server did not start\n  its log, line 1\n  its log, line 2');
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
