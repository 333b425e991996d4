// Adds up the JSON reports of vitest and Playwright into one closing line: "N passed, N failed".
// A test file that fails outside its tests (it cannot be loaded, throws at load, or a hook fails)
// counts as one failure: vitest reports it as a failed file with no failed test in it, Playwright as
// a top-level error (and then runs nothing). Each failure is named just above the closing line, so the
// tail of a long CI log says which tests failed and why.
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

// eslint-disable-next-line no-control-regex -- colour codes begin with ESC (\x1b)
const plain = (s) => String(s ?? '').replace(/\x1b\[[0-9;]*m/g, '').trim();
const firstLine = (s) => plain(s).split('\n')[0].slice(0, 300);
// The first lines of a failed hook's message (a server's start-up log can follow its first line).
const firstLines = (s, n = 25) => plain(s).split('\n').slice(0, n).join('\n  ');
const where = (file) => {
  if (!file) return 'a test file';
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
};

let passed = 0, failed = 0, skipped = 0;
const failures = [];
const playwrightFailures = (suites, file) => {
  for (const s of suites ?? []) {
    playwrightFailures(s.suites, s.file ?? file);
    for (const spec of s.specs ?? []) {
      if (spec.ok) continue;
      const error = spec.tests?.flatMap((t) => t.results ?? []).find((r) => r.error)?.error;
      failures.push(`${where(spec.file ?? file)}:${spec.line} › ${spec.title}: ${firstLine(error?.message)}`);
    }
  }
};
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    console.error(`No report at ${file}: that test stage did not run to the end.`);
    failed++;
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  if ('numPassedTests' in r) {
    // Written beside the report by tests/support/hook-errors-reporter.ts: vitest's JSON has no hook errors.
    const hooksFile = file.replace(/\.json$/, '-hooks.json');
    const hookErrors = existsSync(hooksFile) ? JSON.parse(readFileSync(hooksFile, 'utf8')) : {};
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + (r.numTodoTests ?? 0);
    for (const f of r.testResults ?? []) {
      for (const a of f.assertionResults ?? []) {
        if (a.status === 'failed') failures.push(`${where(f.name)} › ${a.fullName}: ${firstLine(a.failureMessages?.[0])}`);
      }
      if (f.status !== 'failed' || (f.assertionResults ?? []).some((a) => a.status === 'failed')) continue;
      const hook = hookErrors[f.name]?.[0];
      console.error(`${where(f.name)} failed outside its tests: ${firstLine(f.message) || (hook ? `a hook failed: ${firstLines(hook)}` : 'a hook failed (see the log above)')}`);
      failed++;
    }
  } else if (r.stats) {
    passed += r.stats.expected + r.stats.flaky;
    failed += r.stats.unexpected;
    skipped += r.stats.skipped;
    playwrightFailures(r.suites);
    for (const e of r.errors ?? []) {
      console.error(`${where(e.location?.file)} failed outside its tests: ${firstLine(e.message ?? e.stack) || 'see the log above'}`);
      failed++;
    }
  } else {
    console.error(`${file} is neither a vitest nor a Playwright JSON report.`);
    failed++;
  }
}
for (const f of failures) console.log(`FAILED ${f}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
