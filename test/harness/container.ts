// One systemd-nspawn --boot container, started detached (own session) in its own cgroup;
// stopped with SIGTERM (clean poweroff), and if that hangs, SIGKILL to its PID 1 first.
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { createCgroups, ENTER_CGROUPS_AND_EXEC, removeCgroups } from './cgroup.js';
import { childrenOf, isAlive, signal, startTime, waitGoneSync, type ProcessId } from './proc.js';

export interface ContainerSpec {
  name: string;
  bridge: string;
  merged: string;
  logFile: string;
}

/** nspawn's exit code when the container asked to reboot. */
export const EXIT_REBOOT = 133;

export function nspawnArgv(s: ContainerSpec): string[] {
  return [
    '--boot',
    '--register=no', // PID 1 here is not systemd: no machined
    '--keep-unit',
    '--resolv-conf=off',
    // Leave /etc/localtime to the image: nspawn's bind mount makes tzdata's postinst fail on
    // trixie, and with it every package that depends on python3 (ufw, gunicorn).
    '--timezone=off',
    '--link-journal=no',
    `--network-bridge=${s.bridge}`,
    '-D',
    s.merged,
    '-M',
    s.name,
    '--console=pipe',
  ];
}

export class Container {
  readonly pid: number;
  /** pid + start time: what teardown signals, so it can never hit a reused pid. */
  readonly id: ProcessId;
  exitCode: number | null = null;
  private readonly done: Promise<number>;

  private constructor(
    readonly name: string,
    pid: number | undefined,
    result: Promise<{ exitCode?: number }>,
  ) {
    if (pid === undefined) throw new Error('systemd-nspawn did not start');
    this.pid = pid;
    this.id = { pid, start: startTime(pid) ?? -1 };
    this.done = result.then((r) => {
      removeCgroups(name);
      return (this.exitCode = r.exitCode ?? -1);
    });
  }

  static start(s: ContainerSpec): Container {
    const log = { file: s.logFile, append: true } as const;
    const cgroups = createCgroups(s.name);
    const argv = ['-c', ENTER_CGROUPS_AND_EXEC, 'sh', ...cgroups, '--', 'systemd-nspawn', ...nspawnArgv(s)];
    const child = execa('sh', argv, {
      detached: true, // setsid: a Ctrl-C in our terminal must not reach it; we stop it ourselves
      cleanup: false,
      reject: false,
      stdin: 'ignore',
      stdout: log,
      stderr: log,
    });
    return new Container(s.name, child.pid, child);
  }

  get running(): boolean {
    return this.exitCode === null;
  }

  /** Resolves with the exit code, or null if still running after `ms`. */
  async waitExit(ms: number): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((r) => (timer = setTimeout(() => r(null), ms)));
    try {
      return await Promise.race([this.done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Stops systemd-nspawn processes, synchronously (teardown also runs from signal handlers,
 * where vitest's worker may no longer run our promises): SIGTERM (nspawn then powers the
 * container off), and after `graceMs` SIGKILL to each container's PID 1 — nspawn's child —
 * before nspawn itself, or the container would live on as an orphan.
 */
export function stopContainersSync(ids: ProcessId[], graceMs: number): void {
  const pids = ids.filter(isAlive).map((id) => id.pid); // never signal a reused pid
  for (const pid of pids) signal(pid, 'SIGTERM');
  const hung = waitGoneSync(pids, graceMs);
  for (const pid of hung) {
    for (const init of childrenOf(pid)) signal(init, 'SIGKILL');
    signal(pid, 'SIGKILL');
  }
  const left = waitGoneSync(hung, 10_000);
  if (left.length) throw new Error(`systemd-nspawn ${left.join(', ')} survived SIGKILL`);
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(none)';
  }
}

/**
 * What to show when a host fails to boot or reboot: nspawn's own output, and the end of the
 * container's journal (its systemd, as PID 1, writes nothing to the pipe).
 */
export async function diagnostics(logFile: string, merged: string, lines = 30): Promise<string> {
  const journal = await execa('journalctl', ['-D', `${merged}/var/log/journal`, '-n', String(lines), '--no-pager', '-q'], {
    reject: false,
  });
  const j = journal.exitCode === 0 ? journal.stdout : `(journalctl: ${journal.stderr.trim()})`;
  return `--- ${logFile}:\n${tail(logFile, lines)}\n--- container journal:\n${j}`;
}
