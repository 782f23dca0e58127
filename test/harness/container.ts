// One systemd-nspawn --boot container: started detached (own session), stopped with SIGTERM
// (clean poweroff), and if that hangs, SIGKILL to its PID 1 before nspawn so none is orphaned.
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { childrenOf, signal } from './proc.js';

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
  exitCode: number | null = null;
  private readonly done: Promise<number>;

  private constructor(pid: number | undefined, result: Promise<{ exitCode?: number }>) {
    if (pid === undefined) throw new Error('systemd-nspawn did not start');
    this.pid = pid;
    this.done = result.then((r) => (this.exitCode = r.exitCode ?? -1));
  }

  static start(s: ContainerSpec): Container {
    const log = { file: s.logFile, append: true } as const;
    const child = execa('systemd-nspawn', nspawnArgv(s), {
      detached: true, // setsid: a Ctrl-C in our terminal must not reach it; we stop it ourselves
      cleanup: false,
      reject: false,
      stdin: 'ignore',
      stdout: log,
      stderr: log,
    });
    return new Container(child.pid, child);
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

  async stop(graceMs: number): Promise<void> {
    if (!this.running) return;
    signal(this.pid, 'SIGTERM'); // nspawn forwards SIGRTMIN+3: orderly poweroff inside
    if ((await this.waitExit(graceMs)) !== null) return;
    for (const init of childrenOf(this.pid)) signal(init, 'SIGKILL');
    signal(this.pid, 'SIGKILL');
    if ((await this.waitExit(10_000)) === null) throw new Error(`systemd-nspawn ${this.pid} survived SIGKILL`);
  }
}

export function logTail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
