// A vitest reporter that keeps the errors of failed hooks (beforeAll, afterAll), which vitest's JSON
// report leaves out: it writes them, by test file, to the JSON file named in POSTERN_HOOK_ERRORS, so
// scripts/summarize.mjs can say why a file failed outside its tests at the tail of a long CI log.
import { writeFileSync } from 'node:fs';
import type { Reporter, TestModule, TestSuite } from 'vitest/node';

type Failed = { message?: string };

export default class HookErrors implements Reporter {
  readonly errors: Record<string, string[]> = {};

  private keep(file: string, list: readonly Failed[]) {
    for (const e of list) (this.errors[file] ??= []).push(String(e.message ?? e));
  }

  onTestSuiteResult(suite: Pick<TestSuite, 'errors'> & { module: Pick<TestModule, 'moduleId'> }) {
    this.keep(suite.module.moduleId, suite.errors());
  }

  onTestModuleEnd(module: Pick<TestModule, 'moduleId' | 'errors'>) {
    this.keep(module.moduleId, module.errors());
  }

  onTestRunEnd() {
    const out = process.env.POSTERN_HOOK_ERRORS;
    if (out) writeFileSync(out, JSON.stringify(this.errors, null, 1));
  }
}
