// Kernel limits a fleet of test hosts runs into on a stock Debian machine.
import { readFileSync, writeFileSync } from 'node:fs';

const INOTIFY_INSTANCES = '/proc/sys/fs/inotify/max_user_instances';

/** What `hosts` containers need: each one's systemd, logind and every login's user manager. */
export const inotifyInstancesFor = (hosts: number) => 256 + hosts * 32;

/**
 * Every container's systemd (and logind, and each login's user manager) takes inotify instances
 * from one per-user budget on the machine: Debian's 128 runs out at about a dozen hosts, which
 * then boot degraded. Raised (never lowered) for `hosts` running at once; returns the change.
 */
export function raiseInotifyLimit(hosts: number, file = INOTIFY_INSTANCES): { from: number; to: number } | undefined {
  const want = inotifyInstancesFor(hosts);
  const have = Number(readFileSync(file, 'utf8'));
  if (have >= want) return undefined;
  writeFileSync(file, `${want}\n`);
  return { from: have, to: want };
}
