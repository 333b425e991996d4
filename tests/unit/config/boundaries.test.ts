// The import boundaries of eslint.config.js fire on a wrong import and stay quiet on an allowed one,
// and scripts/folder-cycles.mjs finds a folder cycle. Each case is linted as a file that does not
// exist, in the folder it names, so the tree itself is never touched.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '../../..');
const eslint = new ESLint({ cwd: root });

/** The boundary rules that a file at `path` holding `code` breaks. */
async function broken(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return result.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
    .map((m) => m.ruleId!);
}

describe('import boundaries', () => {
  it.each([
    ['src/ssh/core/zz.ts', "import { a } from '../browser/session';"],
    ['src/ssh/core/kex/zz.ts', "import type { A } from '../../../ui/format';"],
    ['src/ssh/server/zz.ts', "export { a } from '../../../proxy/config/config.ts';"],
    ['src/ssh/core/zz.ts', "import { a } from '../../demo/machine';"],
    ['proxy/api/zz.ts', "import { a } from '../../src/ssh/core/index';"],
    ['src/rdp/zz.ts', "import { a } from '../link/protocols';"],
    ['src/ssh/browser/zz.ts', "import App from '../../App.svelte';"],
    ['src/shared/rules/zz.ts', "import { a } from '../../api/client';"],
    ['src/console/zz.ts', "import type { A } from '../demo/local-api';"],
    ['src/console/zz.ts', "const m = import('../demo/local-api');"],
    ['src/main.ts', "import { demoServices } from './demo/services';"],
    ['proxy/zz.ts', "import { a } from '../tests/support/proxy.ts';"],
    ['src/demo/zz.ts', "import { a } from '../../tests/support/proxy.ts';"],
  ])('%s: refuses %s', async (path, code) => {
    expect(await broken(path, code)).not.toEqual([]);
  });

  it.each([
    ['src/ssh/core/zz.ts', "import type { PrivateKey } from '../keys/types';"],
    ['src/ssh/server/zz.ts', "import { Msg } from '../core/index';"],
    ['proxy/api/zz.ts', "import { CLOSE } from '../../src/shared/api.ts';"],
    ['src/rdp/zz.ts', "import type { Session } from '../session/contract';"],
    ['src/shared/rules/zz.ts', "import type { Action } from '../api';"],
    ['src/main.ts', "const m = import('./demo/services');"],
    ['src/app/zz.ts', "const m = import('../demo/services');"],
    ['src/demo/zz.ts', "import { a } from './local-api';"],
    ['bench/zz.ts', "import { startProxy } from '../tests/support/proxy.ts';"],
  ])('%s: allows %s', async (path, code) => {
    expect(await broken(path, code)).toEqual([]);
  });
});

describe('folder cycles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'postern-cycles-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (tree: Record<string, string>) => {
    const top = mkdtempSync(join(dir, 'tree-'));
    for (const [path, text] of Object.entries(tree)) {
      mkdirSync(join(top, path, '..'), { recursive: true });
      writeFileSync(join(top, path), text);
    }
    return spawnSync(process.execPath, [join(root, 'scripts/folder-cycles.mjs'), top], { encoding: 'utf8' });
  };

  it('finds a folder that imports one that imports it back, types included', () => {
    const r = run({ 'a/x.ts': "import type { Y } from '../b/y';", 'b/y.ts': "export { x } from '../a/x';" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/folder import cycle: .*\/a ↔ .*\/b/);
  });

  it('passes a tree whose arrows point one way', () => {
    const r = run({ 'a/x.ts': "import { y } from '../b/y';", 'b/y.ts': "import('../c/z');", 'c/z.ts': 'export {};' });
    expect(r.status).toBe(0);
  });
});
