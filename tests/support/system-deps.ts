// Which system files the tests and benchmarks need, and whether a fresh Debian machine gets them from
// scripts/setup.sh. A suite that is green only where someone installed a package by hand hides a
// missing line in setup.sh (x11-xserver-utils once: every RDP test was skipped on a fresh machine).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A system file named in the tests or benchmarks: by absolute path, or as a command found on PATH. */
export interface Needed {
  /** The absolute path, such as /usr/bin/xsetroot; for a command, the path it resolves to here. */
  path: string;
  /** The command's name when it was named without a path ("ssh-keygen"). */
  command?: string;
  /** Files that name it, relative to the repository. */
  namedIn: string[];
}

/** Packages in every Debian image, besides those marked Essential (bash, coreutils, dash, …). */
export const BASE_PACKAGES = ['bash', 'coreutils', 'passwd', 'login', 'util-linux', 'libc-bin', 'python3'];

const SOURCE = /\.(ts|mts|cts|js|mjs|cjs|sh|py)$/;
// A quoted absolute path under /usr, /bin or /sbin, up to its closing quote, a space or a ${…}.
const QUOTED_PATH = /(['"`])(\/(?:usr|bin|sbin)\/[A-Za-z0-9_.+-][A-Za-z0-9_./+-]*)(?=\1|\s|\$\{)/g;
// A program run by its bare name, as the first argument of execFileSync, execFile, spawnSync or spawn.
const RUN_COMMAND = /\b(?:execFileSync|execFile|spawnSync|spawn)\(\s*(['"])([A-Za-z0-9_.+-]+)\1/g;
// Written unquoted, so this file does not name them as files it needs.
// Node.js itself runs `npm test` before setup.sh can install anything: a prerequisite, however installed.
const PREREQUISITES = new Set(['node', 'npm', 'npx']);
const PATH_DIRS = 'usr/local/sbin usr/local/bin usr/sbin usr/bin sbin bin'.split(' ').map((d) => `/${d}`);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(p));
    else if (SOURCE.test(entry.name)) out.push(p);
  }
  return out;
}

/** Every system file the given folders name, each with the files naming it. */
export function neededSystemFiles(repo: string, folders: string[]): Needed[] {
  const found = new Map<string, Needed>();
  const add = (key: string, item: Omit<Needed, 'namedIn'>, file: string) => {
    const n = found.get(key) ?? { ...item, namedIn: [] };
    if (!n.namedIn.includes(file)) n.namedIn.push(file);
    found.set(key, n);
  };
  for (const folder of folders) {
    for (const file of sourceFiles(join(repo, folder))) {
      const text = readFileSync(file, 'utf8');
      const rel = relative(repo, file);
      for (const m of text.matchAll(QUOTED_PATH)) {
        const path = m[2].length > 1 ? m[2].replace(/\/+$/, '') : m[2];
        add(path, { path }, rel);
      }
      for (const m of text.matchAll(RUN_COMMAND)) {
        const command = m[2];
        if (PREREQUISITES.has(command)) continue;
        const dir = PATH_DIRS.find((d) => existsSync(join(d, command)));
        add(`command:${command}`, { command, path: dir ? join(dir, command) : '' }, rel);
      }
    }
  }
  return [...found.values()].sort((a, b) => (a.command ?? a.path).localeCompare(b.command ?? b.path));
}

/** The Debian packages scripts/setup.sh --test installs: the keys of its `want` table. */
export function setupPackages(setupScript: string): string[] {
  const table = /declare -A want=\(([\s\S]*?)\n\s*\)/.exec(setupScript);
  if (!table) throw new Error('scripts/setup.sh has no "declare -A want=( … )" table of Debian packages.');
  return [...table[1].matchAll(/\[([a-z0-9][a-z0-9.+-]*)\]=/g)].map((m) => m[1]);
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd} could not run: ${r.error.message}`);
  return r.stdout;
}

/** Packages marked Essential: every Debian system has them. */
export function essentialPackages(): string[] {
  return run('dpkg-query', ['-W', '-f', '${Package} ${Essential}\\n'])
    .split('\n')
    .filter((l) => l.endsWith(' yes'))
    .map((l) => l.split(' ')[0]);
}

/** The packages and everything they depend on, recursively (apt-cache depends; recommends not followed). */
export function dependencyClosure(packages: string[]): Set<string> {
  const out = run('apt-cache', ['depends', '--recurse', '--no-recommends', '--no-suggests', '--no-conflicts',
    '--no-breaks', '--no-replaces', '--no-enhances', ...packages]);
  const names = new Set(packages);
  for (const line of out.split('\n')) {
    // Top lines are the packages reached; "  Depends: x" lines name them as well.
    const m = /^(?:\s+\|?(?:Pre)?Depends:\s+)?([a-z0-9][a-z0-9.+-]*)(?::[a-z0-9]+)?\s*$/.exec(line);
    if (m) names.add(m[1]);
  }
  return names;
}

/** The installed Debian packages that own each path (itself, or where its symlinks lead). */
export function owners(paths: string[]): Map<string, string[]> {
  const result = new Map<string, string[]>();
  const query = new Map<string, string[]>(); // asked path → the paths it answers for
  for (const p of paths) {
    if (!p) continue;
    result.set(p, []);
    const asks = new Set([p]);
    try {
      asks.add(realpathSync(p));
    } catch {
      // missing: dpkg has nothing to say either
    }
    // Merged /usr: dpkg may know /usr/bin/mkdir as /bin/mkdir, and /bin/bash as itself.
    for (const a of [...asks]) {
      if (/^\/(bin|sbin|lib)\//.test(a)) asks.add(`/usr${a}`);
      if (/^\/usr\/(bin|sbin|lib)\//.test(a)) asks.add(a.slice(4));
    }
    for (const a of asks) query.set(a, [...(query.get(a) ?? []), p]);
  }
  if (query.size === 0) return result;
  for (const line of run('dpkg', ['-S', ...query.keys()]).split('\n')) {
    if (line.startsWith('diversion by ')) continue;
    const i = line.lastIndexOf(': ');
    if (i < 0) continue;
    const pkgs = line.slice(0, i).split(', ').map((s) => s.replace(/:[a-z0-9]+$/, ''));
    for (const p of query.get(line.slice(i + 2)) ?? []) {
      result.set(p, [...new Set([...(result.get(p) ?? []), ...pkgs])]);
    }
  }
  return result;
}

export interface Facts {
  /** Packages a fresh machine has after setup.sh: what it installs, every image's base, and their dependencies. */
  provided: Set<string>;
  /** The packages owning each path. */
  owners: Map<string, string[]>;
  exists(path: string): boolean;
}

/** One sentence per needed file that a fresh machine would lack. */
export function missingOnFreshMachine(needed: Needed[], facts: Facts): string[] {
  const problems: string[] = [];
  for (const n of needed) {
    const what = n.command ? `The command ${n.command}` : n.path;
    const where = `named in ${n.namedIn.join(', ')}`;
    if (!n.path || !facts.exists(n.path)) {
      problems.push(`${what} (${where}) is not on this machine, so no installed Debian package provides it: ` +
        `add the package that ships ${n.command ?? n.path} to the "want" table in scripts/setup.sh.`);
      continue;
    }
    const pkgs = facts.owners.get(n.path) ?? [];
    if (pkgs.length === 0) {
      problems.push(`${what} (${where}) belongs to no Debian package here (installed by hand?): ` +
        'install it from a package listed in scripts/setup.sh instead.');
      continue;
    }
    if (pkgs.some((p) => facts.provided.has(p))) continue;
    const at = n.command ? ` (${n.path})` : '';
    problems.push(`${what}${at} (${where}) comes from the Debian package ${pkgs.join(' or ')}, which scripts/setup.sh ` +
      `does not install, directly or as a dependency: add ${pkgs[0]} to its "want" table.`);
  }
  return problems;
}

/** The facts of this machine for the packages setup.sh installs. */
export function machineFacts(setupScript: string, needed: Needed[]): Facts {
  const provided = dependencyClosure([...setupPackages(setupScript), ...BASE_PACKAGES, ...essentialPackages()]);
  return {
    provided,
    owners: owners(needed.map((n) => n.path)),
    exists: (p) => existsSync(p) && (statSync(p).isFile() || statSync(p).isDirectory()),
  };
}
