// Talking to one benchmark host: put the staged files on it, and run a measured command.
import type { TestHost } from '../test/harness/index.js';
import { REMOTE } from './tools.js';

export interface Sample {
  label: string;
  exit: number;
  wall_s: number;
  user_s: number;
  sys_s: number;
  maxrss_kib: number;
  tree_pss_peak_kib: number | null;
  stdout_tail: string;
  stderr_tail: string;
}

/** Where measure.py leaves each command's full output on the host. */
export const LOG_DIR = '/var/tmp/bench';

/** Copies the staged tree to /opt/bench (the harness has waited for systemd to finish booting). */
export async function prepare(host: TestHost, staged: string): Promise<void> {
  await host.sshOk(['mkdir', '-p', REMOTE]);
  await host.rsync(`${staged}/`, `${REMOTE}/`);
}

export async function measure(host: TestHost, label: string, argv: string[], opts: { sample?: boolean } = {}): Promise<Sample> {
  const r = await host.ssh(['python3', `${REMOTE}/measure.py`, ...(opts.sample ? ['--sample'] : []), LOG_DIR, label, '--', ...argv]);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.exitCode !== 0 || !line.startsWith('{')) {
    throw new Error(`${host.name}: measure.py ${label} failed (exit ${r.exitCode}):\n${r.stderr}${r.stdout}`);
  }
  return JSON.parse(line) as Sample;
}
