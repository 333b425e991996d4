// Finds folder import cycles: a folder that imports (statically, dynamically or for a type) from a
// folder that imports it back, directly or through others. A folder is the directory a file sits
// in, so src/ssh/core and src/ssh/core/kex are two folders. Prints each cycle and exits 1 if any.
// Usage: node scripts/folder-cycles.mjs [root...]   (default: the whole tree)
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = /\.(ts|mts|js|mjs|svelte)$/;
// import x from '…', export … from '…', import '…', import('…'), import type … from '…'
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (SOURCE.test(name)) yield path;
  }
}

function resolveImport(from, specifier) {
  const base = resolve(dirname(from), specifier.replace(/\?.*$/, ''));
  const candidates = [base, `${base}.ts`, `${base}.js`, join(base, 'index.ts'), join(base, 'index.js')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? base;
}

/** folder → set of folders it imports from (relative imports only; packages are not folders here). */
export function folderGraph(roots) {
  const graph = new Map();
  for (const root of roots) {
    for (const file of files(resolve(repo, root))) {
      const from = relative(repo, dirname(file));
      const edges = graph.get(from) ?? new Set();
      graph.set(from, edges);
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
        const to = relative(repo, dirname(resolveImport(file, specifier)));
        if (to !== from && !to.startsWith('node_modules')) edges.add(to);
      }
    }
  }
  return graph;
}

/** Strongly connected groups of more than one folder (Tarjan), each as a sorted list. */
export function folderCycles(graph) {
  let index = 0;
  const stack = [];
  const seen = new Map();
  const cycles = [];
  const visit = (node) => {
    const mine = { index, low: index, onStack: true };
    index++;
    seen.set(node, mine);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const theirs = seen.get(next);
      if (!theirs) {
        visit(next);
        mine.low = Math.min(mine.low, seen.get(next).low);
      } else if (theirs.onStack) {
        mine.low = Math.min(mine.low, theirs.index);
      }
    }
    if (mine.low === mine.index) {
      const group = [];
      let member;
      do {
        member = stack.pop();
        seen.get(member).onStack = false;
        group.push(member);
      } while (member !== node);
      if (group.length > 1) cycles.push(group.sort());
    }
  };
  for (const node of graph.keys()) if (!seen.has(node)) visit(node);
  return cycles;
}

/**
 * Cycles tolerated for now, written as folderCycles prints them. Each is a debt: the check fails on
 * any other cycle, and on a listed one that is gone (so the list only shrinks). None is left.
 */
const KNOWN = [];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const roots = process.argv.slice(2);
  const graph = folderGraph(roots.length ? roots : ['src', 'proxy', 'tests', 'bench', 'wasm', 'scripts']);
  const found = folderCycles(graph).map((group) => ({ group, name: group.join(' ↔ ') }));
  let failed = false;
  for (const { group, name } of found) {
    if (KNOWN.includes(name)) continue;
    failed = true;
    console.error(`folder import cycle: ${name}`);
    for (const a of group) {
      for (const b of graph.get(a)) if (group.includes(b)) console.error(`  ${a} → ${b}`);
    }
  }
  if (!roots.length) {
    for (const name of KNOWN.filter((k) => !found.some((f) => f.name === k))) {
      failed = true;
      console.error(`known cycle is gone, take it off KNOWN in scripts/folder-cycles.mjs: ${name}`);
    }
  }
  if (failed) process.exit(1);
  console.log(`no folder import cycles among ${graph.size} folders` + (KNOWN.length ? ` (besides ${KNOWN.length} known in the proxy)` : ''));
}
