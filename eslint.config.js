// ESLint over the whole repository: the recommended JavaScript, TypeScript and Svelte rule sets,
// and the import boundaries that keep the layers apart (docs: the BOUNDARIES table below).
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { defineConfig, globalIgnores } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

/** True if `path` is one of `prefixes` or lies under one of them. */
const under = (path, prefixes) => prefixes.some((p) => path === p || path.startsWith(`${p}/`));

const PAGES = ['src/link', 'src/console', 'src/signin', 'src/app', 'src/HomePage.svelte', 'src/App.svelte'];

/**
 * Who may not import what, as repository paths (a folder stands for everything under it). Each
 * rule applies to the files under `files`, except those under `except`. `demo` rules also refuse
 * dynamic import(); the others refuse static imports and re-exports.
 */
const BOUNDARIES = [
  {
    files: ['src/ssh/core', 'src/ssh/server'],
    // Only the SSH library (core, keys, server) and src/shared: no DOM side, no page, no demo, no proxy.
    forbid: (t) => under(t, ['src', 'proxy', 'wasm']) && !under(t, ['src/ssh/core', 'src/ssh/keys', 'src/ssh/server', 'src/shared']),
    message: 'The SSH core and server role are sans-IO and DOM-free: they import only src/ssh/{core,keys,server} and src/shared.',
  },
  {
    files: ['proxy'],
    forbid: (t) => under(t, ['src', 'wasm']) && !under(t, ['src/shared']),
    message: 'The proxy imports only src/shared from the SPA.',
  },
  {
    files: ['src/ssh', 'src/rdp'],
    forbid: (t) => under(t, PAGES),
    message: 'Protocol back ends do not import pages; pages are given the back end (src/session holds the contract).',
  },
  {
    files: ['src/shared'],
    forbid: (t) => !under(t, ['src/shared']),
    message: 'src/shared is shared by the proxy and the SPA: it imports nothing outside src/shared.',
  },
  {
    files: ['src', 'wasm'],
    except: ['src/demo'],
    forbid: (t) => under(t, ['src/demo']),
    message: 'Production code does not import the demo; only src/main.ts and src/app may load it, with a dynamic import().',
  },
  {
    files: ['src', 'wasm'],
    except: ['src/demo', 'src/main.ts', 'src/app'],
    dynamic: true,
    forbid: (t) => under(t, ['src/demo']),
    message: 'Only src/main.ts and src/app load the demo (with a dynamic import()), once, when the mode is chosen.',
  },
  {
    // bench/ drives the proxy and the test machines with the tests' own helpers (tests/support).
    files: ['src', 'proxy', 'wasm', 'scripts'],
    forbid: (t) => under(t, ['tests']),
    message: 'Nothing outside tests/ (and bench/) imports tests/.',
  },
];

const root = import.meta.dirname;
const SOURCE = /\.(ts|js|mjs|svelte)$/;

/** Every folder and file of the tree that the linter sees, repository-relative. */
function walk(dir, out = { folders: [], entries: [] }) {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      out.folders.push(path);
      out.entries.push(path);
      walk(path, out);
    } else if (SOURCE.test(entry.name)) {
      out.entries.push(path);
    }
  }
  return out;
}
const tree = walk('');
const topLevel = ['src', 'proxy', 'wasm', 'scripts', 'bench', 'tests'];
const sourceFolders = tree.folders.filter((f) => topLevel.some((t) => f === t || f.startsWith(`${t}/`)));
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A regular expression for the specifiers, written in `folder`, that reach `target`. */
function specifierPattern(folder, target) {
  let rel = relative(join(root, folder), join(root, target)) || '.';
  if (!rel.startsWith('.')) rel = `./${rel}`;
  const file = SOURCE.test(target);
  return file
    ? `^${escape(rel.replace(/\.(ts|js)$/, ''))}(\\.(ts|js))?$`
    : `^${escape(rel)}(\\/|$)`;
}

/** The boundary rules that apply to a file. */
const rulesFor = (file) => BOUNDARIES.filter((b) => under(file, b.files) && !under(file, b.except ?? []));

/** The two rules that hold `rules` for files in `folder`. */
function restrictions(folder, rules) {
  const targets = tree.entries.filter((e) => topLevel.some((t) => e === t || e.startsWith(`${t}/`)));
  const staticPatterns = [];
  const dynamicSelectors = [];
  for (const rule of rules) {
    // A folder is named whole when all of it is forbidden, else the forbidden parts inside it.
    const whole = (t) => rule.forbid(t) && targets.every((e) => !e.startsWith(`${t}/`) || rule.forbid(e));
    const hits = targets.filter((t) => whole(t) && !targets.some((p) => t.startsWith(`${p}/`) && whole(p)));
    for (const target of hits) {
      const regex = specifierPattern(folder, target);
      if (rule.dynamic) dynamicSelectors.push({ selector: `ImportExpression[source.value=/${regex}/]`, message: rule.message });
      else staticPatterns.push({ regex, message: rule.message });
    }
  }
  return {
    'no-restricted-imports': staticPatterns.length ? ['error', { patterns: staticPatterns }] : 'off',
    'no-restricted-syntax': dynamicSelectors.length ? ['error', ...dynamicSelectors] : 'off',
  };
}

/**
 * One config block per folder (and one per file whose rules differ from its folder's, as
 * src/main.ts): a block holds the union of the rules that apply, since a later block's options
 * for the same rule replace an earlier block's rather than add to them.
 */
function boundaryBlocks() {
  const blocks = [];
  for (const folder of sourceFolders) {
    const byDefault = rulesFor(`${folder}/*`);
    blocks.push({ files: [`${folder}/*.{ts,js,mjs,svelte}`], rules: restrictions(folder, byDefault) });
    for (const file of tree.entries.filter((e) => e.startsWith(`${folder}/`) && !e.slice(folder.length + 1).includes('/') && SOURCE.test(e))) {
      const own = rulesFor(file);
      if (own.length !== byDefault.length || own.some((r, i) => r !== byDefault[i])) {
        blocks.push({ files: [file], rules: restrictions(folder, own) });
      }
    }
  }
  return blocks;
}

export default defineConfig(
  globalIgnores(['node_modules/', 'dist/', 'data/', 'test-results/', 'playwright-report/', '.tmp/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  svelte.configs['flat/recommended'],
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
    },
    rules: {
      // Unused names are errors, except the ones that say so with a leading underscore (as tsc's noUnused*).
      '@typescript-eslint/no-unused-vars': ['error', {
        argsIgnorePattern: '^_',
        varsIgnorePattern: '^_',
        caughtErrorsIgnorePattern: '^_',
        destructuredArrayIgnorePattern: '^_',
        // `const { id, ...rest } = x` is how a field is left out.
        ignoreRestSiblings: true,
      }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
  },
  boundaryBlocks(),
);
