// A cgroup of its own for each container. systemd-nspawn puts the container under its own
// cgroup; on a machine whose PID 1 is not systemd that is the root, so all containers would
// share /payload/system.slice/… and their systemds would race on (and kill in) each other's
// unit cgroups (units failing with 219/CGROUP, shutdowns hanging). We start nspawn in
// <hierarchy>/brine-testhost/thN instead.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

const BASE = '/sys/fs/cgroup';
const OURS = 'brine-testhost';

/** Hierarchies systemd uses: name=systemd (v1/hybrid) and the unified v2 tree. */
export function cgroupHierarchies(): string[] {
  if (existsSync(join(BASE, 'cgroup.controllers'))) return [BASE]; // pure cgroup v2
  return ['systemd', 'unified'].map((h) => join(BASE, h)).filter((d) => existsSync(join(d, 'cgroup.procs')));
}

export function cgroupDirs(name: string): string[] {
  return cgroupHierarchies().map((h) => join(h, OURS, name));
}

export function createCgroups(name: string): string[] {
  const dirs = cgroupDirs(name);
  for (const d of dirs) mkdirSync(d, { recursive: true });
  return dirs;
}

function hasProcesses(dir: string): boolean {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').trim() !== '';
  } catch {
    return false;
  }
}

/** Removes a cgroup subtree bottom-up (cgroupfs allows only rmdir of empty leaves). */
function removeTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeTree(join(dir, e.name));
  try {
    rmdirSync(dir);
  } catch {
    /* still busy: the sweep retries */
  }
}

/** Removes the container's cgroups once no process is left in them. */
export function removeCgroups(name: string): void {
  for (const d of cgroupDirs(name)) {
    if (!hasProcesses(d)) removeTree(d);
  }
}

/** Names (thN) that have cgroups of ours, for the sweep. */
export function cgroupNames(): string[] {
  const names = new Set<string>();
  for (const h of cgroupHierarchies()) {
    const dir = join(h, OURS);
    if (existsSync(dir)) for (const n of readdirSync(dir)) if (/^th\d+$/.test(n)) names.add(n);
  }
  return [...names];
}

/**
 * sh script run as `sh -c SCRIPT sh DIR... -- NSPAWN-ARGV`: moves itself into each cgroup
 * DIR, then execs systemd-nspawn (same pid), so nspawn starts inside them.
 */
export const ENTER_CGROUPS_AND_EXEC = `
while [ "$1" != "--" ]; do echo $$ > "$1/cgroup.procs" || exit 1; shift; done
shift
exec "$@"
`;
