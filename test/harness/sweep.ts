// Cleans up what crashed or killed runs left behind, touching only what is provably ours:
// nspawn processes booting a tree under our run root, mounts there, bridges with our alias whose
// maker is gone, cgroups under brine-testhost/.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { cgroupNames, removeCgroups } from './cgroup.js';
import { locksDir, runsDir } from './config.js';
import { isStale, reclaimIfStale } from './lock.js';
import { deleteStaleBridge, ourBridges, slot } from './network.js';
import { mountsUnder, unmountAll } from './overlay.js';
import { allPids, argAfter, childrenOf, cmdline, isAlive, signal } from './proc.js';

export interface SweepReport {
  killed: number[];
  runs: string[];
  bridges: string[];
  locks: string[];
}

/** Whether the run dir's owner (encoded in its name) is gone. Unparseable names: not ours. */
export function isStaleRun(name: string): boolean {
  const m = /^(\d+)-(\d+)-[0-9a-f]+$/.exec(name);
  return !!m && !isAlive({ pid: Number(m[1]), start: Number(m[2]) });
}

/** systemd-nspawn processes (pid → run dir name) whose -M is thN and -D is under runsDir. */
export function ourNspawns(): Map<number, string> {
  const found = new Map<number, string>();
  for (const pid of allPids()) {
    const argv = cmdline(pid);
    if (!argv || basename(argv[0]) !== 'systemd-nspawn') continue;
    const machine = argAfter(argv, '-M');
    const dir = argAfter(argv, '-D');
    if (!machine || !/^th\d+$/.test(machine) || !dir?.startsWith(`${runsDir}/`)) continue;
    found.set(pid, dir.slice(runsDir.length + 1).split('/')[0]);
  }
  return found;
}

async function waitGone(pids: number[], ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (pids.some((p) => existsSync(`/proc/${p}`)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether a live process holds slot n's lock (its bridge and cgroup are in use). */
function slotHeld(n: number): boolean {
  const lock = slot(n).lock;
  return existsSync(lock) && !isStale(lock);
}

export async function sweepStale(log: (msg: string) => void = () => {}): Promise<SweepReport> {
  const report: SweepReport = { killed: [], runs: [], bridges: [], locks: [] };

  // 1. Containers of dead runs: SIGKILL the container's PID 1 first, then nspawn.
  for (const [pid, run] of ourNspawns()) {
    if (!isStaleRun(run)) continue;
    for (const init of childrenOf(pid)) signal(init, 'SIGKILL');
    signal(pid, 'SIGKILL');
    report.killed.push(pid);
  }
  await waitGone(report.killed, 10_000);

  // 2. Overlays and dirs of dead runs.
  for (const run of existsSync(runsDir) ? readdirSync(runsDir) : []) {
    if (!isStaleRun(run)) continue;
    const dir = join(runsDir, run);
    unmountAll(dir);
    if (mountsUnder(dir).length === 0) rmSync(dir, { recursive: true, force: true });
    report.runs.push(run);
  }

  // 3. Our bridges whose maker is gone and whose slot no live process holds.
  for (const { name, owner } of await ourBridges()) {
    if ((owner !== 'unknown' && isAlive(owner)) || slotHeld(Number(/^th(\d+)-br$/.exec(name)![1]))) continue;
    deleteStaleBridge(name);
    report.bridges.push(name);
  }

  // 4. Container cgroups (brine-testhost/thN) whose slot no live process holds.
  for (const name of cgroupNames()) {
    if (!slotHeld(Number(name.slice(2)))) removeCgroups(name);
  }

  // 5. Slot locks of dead owners.
  for (const f of existsSync(locksDir) ? readdirSync(locksDir) : []) {
    if (/^th\d+\.lock$/.test(f) && reclaimIfStale(join(locksDir, f))) report.locks.push(f);
  }

  const n = report.killed.length + report.runs.length + report.bridges.length + report.locks.length;
  if (n) log(`swept stale test-host leftovers: ${JSON.stringify(report)}`);
  return report;
}
