// CPU time by thread over a stretch of a benchmark, read from Linux's /proc: where each megabyte's
// cost goes when the SSH server, the proxy and the browser share one machine's cores.
import { readdirSync, readFileSync } from 'node:fs';

interface ThreadTime {
  ticks: number;
  /** For a process's main thread: the time of its reaped children (the shell's `head`). */
  children: number;
  pid: string;
  name: string;
}

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux architecture Node supports

function readThreads(): Map<string, ThreadTime> {
  const out = new Map<string, ThreadTime>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // ended meanwhile
    }
    for (const tid of tids) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        // utime + stime, and cutime + cstime
        out.set(tid, { ticks: Number(fields[11]) + Number(fields[12]), children: Number(fields[13]) + Number(fields[14]), pid, name });
      } catch {
        // ended meanwhile
      }
    }
  }
  return out;
}

function commandLine(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Which part of the pipeline a thread belongs to, or undefined for the rest of the machine. */
function role(tid: string, t: ThreadTime): string | undefined {
  const cmd = commandLine(t.pid);
  if (cmd.includes('chromium')) {
    if (t.name === 'DedicatedWorker') return 'SSH worker thread';
    if (cmd.includes('--type=renderer') && tid === t.pid) return 'page main thread (xterm.js)';
    return 'browser, other threads';
  }
  if (cmd.includes('proxy/main.ts')) return 'proxy (relay)';
  // The session's login shell runs `head`; its time lands in the shell's children when head ends.
  if (t.name === 'sshd' || cmd.startsWith('sshd') || t.name === 'head' || cmd.startsWith('-')) return 'sshd + head';
  return undefined;
}

/** A browser thread's process type and name, for the `--threads` detail: "renderer: Compositor". */
function browserThread(t: ThreadTime): string {
  const type = /--type=(\S+)/.exec(commandLine(t.pid))?.[1] ?? 'browser';
  const kind = type === 'utility' ? (/--utility-sub-type=\S*?(\w+)\.mojom/.exec(commandLine(t.pid))?.[1] ?? 'utility') : type;
  return `${kind}: ${t.name}`;
}

/**
 * Starts counting; the returned function stops and gives CPU milliseconds by role. With `detail`, the
 * browser's other threads are split by process type and thread name (which of them a change moved).
 */
export function startCpuAccount(detail = false): () => Map<string, number> {
  const before = readThreads();
  return () => {
    const after = readThreads();
    const byRole = new Map<string, number>();
    for (const [tid, t] of after) {
      let r = role(tid, t);
      if (detail && r === 'browser, other threads') r = `  ${browserThread(t)}`;
      const was = before.get(tid);
      let used = t.ticks - (was?.ticks ?? 0);
      if (r === 'sshd + head' && commandLine(t.pid).startsWith('-')) used += t.children - (was?.children ?? 0);
      if (used > 0 && r) byRole.set(r, (byRole.get(r) ?? 0) + (used * 1000) / TICKS_PER_SECOND);
    }
    return byRole;
  };
}
