// Per-host copy-on-write root: an overlay over the pristine rootfs, plus the few files that
// make a host itself (hostname, machine-id, network, test key), written into the upper layer.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { sleepSync } from './proc.js';

export interface OverlayDirs {
  upper: string;
  work: string;
  merged: string;
}

export function overlayDirs(hostDir: string): OverlayDirs {
  return { upper: join(hostDir, 'upper'), work: join(hostDir, 'work'), merged: join(hostDir, 'merged') };
}

export async function mountOverlay(lower: string, d: OverlayDirs): Promise<void> {
  for (const dir of [d.upper, d.work, d.merged]) mkdirSync(dir, { recursive: true });
  await execa('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${d.upper},workdir=${d.work}`, d.merged]);
}

/** Mount points at or below `dir`, deepest first (the order to unmount them). */
export function mountsUnder(dir: string): string[] {
  const prefix = dir.replace(/\/+$/, '');
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === prefix || p.startsWith(`${prefix}/`))
    .sort((a, b) => b.length - a.length);
}

/** Unmounts everything at or below `dir`; lazily if still busy after a few tries. Synchronous. */
export function unmountAll(dir: string): void {
  for (const mountpoint of mountsUnder(dir)) {
    let res = execaSync('umount', [mountpoint], { reject: false });
    for (let i = 0; res.exitCode !== 0 && i < 5; i++) {
      sleepSync(200);
      res = execaSync('umount', [mountpoint], { reject: false });
    }
    if (res.exitCode !== 0) execaSync('umount', ['-l', mountpoint]);
  }
}

export interface HostIdentity {
  name: string;
  address: string;
  gateway: string;
  authorizedKey: string;
}

function put(root: string, path: string, content: string, mode = 0o644): void {
  const full = join(root, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, content, { mode });
}

/** Writes the per-host files into the merged tree (so they land in the upper layer). */
export function writeHostFiles(merged: string, h: HostIdentity): void {
  put(merged, 'etc/hostname', `${h.name}\n`);
  put(merged, 'etc/hosts', `127.0.0.1\tlocalhost\n127.0.1.1\t${h.name}\n::1\t\tlocalhost ip6-localhost ip6-loopback\n`);
  // A fresh install has its own machine-id; without one systemd treats every boot as first boot.
  put(merged, 'etc/machine-id', `${randomBytes(16).toString('hex')}\n`, 0o444);
  // No IPv6 link-local/RA: nothing answers RAs on the bridge, and waiting for one keeps
  // network-online.target (hence nginx, `is-system-running --wait`) back ~13 s.
  put(
    merged,
    'etc/systemd/network/10-test.network',
    `[Match]\nName=host0\n\n[Network]\nAddress=${h.address}/30\nGateway=${h.gateway}\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n`,
  );
  mkdirSync(join(merged, 'root/.ssh'), { recursive: true });
  chmodSync(join(merged, 'root/.ssh'), 0o700);
  put(merged, 'root/.ssh/authorized_keys', h.authorizedKey, 0o600);
}
