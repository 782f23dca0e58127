// Can this machine run test hosts? Root, overlayfs mountable, systemd-nspawn installable.
// Where not, e2e tests are skipped loudly instead of failing.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { runRoot } from './config.js';

export interface Support {
  ok: boolean;
  reason?: string;
}

export async function checkSupport(): Promise<Support> {
  if (process.env.BRINE_SKIP_E2E === '1') return { ok: false, reason: 'BRINE_SKIP_E2E=1 is set' };
  if (process.platform !== 'linux') return { ok: false, reason: `needs Linux, not ${process.platform}` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'needs root (systemd-nspawn, mount, ip link)' };
  if (!readFileSync('/proc/filesystems', 'utf8').includes('overlay')) {
    return { ok: false, reason: 'the kernel has no overlayfs' };
  }
  // A real mount proves the privileges (a root without CAP_SYS_ADMIN, e.g. plain docker, fails).
  const probe = join(runRoot, `probe-${process.pid}`);
  const d = (n: string) => join(probe, n);
  try {
    for (const n of ['lower', 'upper', 'work', 'merged']) mkdirSync(d(n), { recursive: true });
    const res = await execa('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${d('lower')},upperdir=${d('upper')},workdir=${d('work')}`, d('merged')], { reject: false });
    if (res.exitCode !== 0) return { ok: false, reason: `cannot mount overlayfs: ${res.stderr.trim()}` };
    await execa('umount', [d('merged')]);
    return { ok: true };
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

export function skipBanner(reason: string): string {
  const line = '!'.repeat(78);
  return `\n${line}\n!! END-TO-END TESTS SKIPPED: ${reason}\n!! They boot Debian test hosts with systemd-nspawn and need root on Linux; CI runs them.\n${line}\n`;
}
