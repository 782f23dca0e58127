// Reads /proc: process identity (pid + start time, immune to pid reuse), parents, argv.
// The sweep and teardown use it to signal only processes they can prove are ours.
import { readFileSync, readdirSync } from 'node:fs';

/** A process as (pid, kernel start time): a pid alone may be reused after exit. */
export interface ProcessId {
  pid: number;
  start: number;
}

function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may contain spaces and parens: split after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Start time in clock ticks since boot, or null when the process does not exist. */
export function startTime(pid: number): number | null {
  const f = statFields(pid);
  return f ? Number(f[19]) : null;
}

export function parentPid(pid: number): number | null {
  const f = statFields(pid);
  return f ? Number(f[1]) : null;
}

export function isZombie(pid: number): boolean {
  return statFields(pid)?.[0] === 'Z';
}

export function self(): ProcessId {
  return { pid: process.pid, start: startTime(process.pid) ?? 0 };
}

/** True while the very process (same pid and start time) is still running. */
export function isAlive(id: ProcessId): boolean {
  const start = startTime(id.pid);
  return start !== null && start === id.start && !isZombie(id.pid);
}

export function allPids(): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
}

export function childrenOf(pid: number): number[] {
  return allPids().filter((p) => parentPid(p) === pid);
}

export function cmdline(pid: number): string[] | null {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw ? raw.replace(/\0$/, '').split('\0') : null;
  } catch {
    return null;
  }
}

/** Value following `flag` in argv (e.g. `-M th3` → 'th3'), or undefined. */
export function argAfter(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Exited: no such process, or a zombie waiting to be reaped by its parent. */
export function isGone(pid: number): boolean {
  return startTime(pid) === null || isZombie(pid);
}

/** Blocks the thread: teardown must finish even where the event loop no longer turns. */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Polls until every pid is gone or `ms` passed; returns those still alive. */
export function waitGoneSync(pids: number[], ms: number): number[] {
  const deadline = Date.now() + ms;
  let alive = pids.filter((p) => !isGone(p));
  while (alive.length && Date.now() < deadline) {
    sleepSync(50);
    alive = alive.filter((p) => !isGone(p));
  }
  return alive;
}

/** Sends a signal, ignoring "no such process". */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}
