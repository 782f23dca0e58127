// Deletes cached rootfs builds of known flavours that the current recipe no longer produces,
// unless a mounted overlay still uses them. Other flavours (e.g. a benchmark's) are left alone.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from './config.js';
import type { Flavour } from './flavours.js';
import { isStale } from './lock.js';
import { rootfsPaths } from './rootfs.js';

/** Lower dirs of every overlay mounted on this machine. */
function lowerDirsInUse(): Set<string> {
  const used = new Set<string>();
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const m = /lowerdir=([^,\s]+)/.exec(line);
    if (m) for (const d of m[1].split(':')) used.add(d);
  }
  return used;
}

export function pruneCache(flavours: Flavour[], log: (msg: string) => void = () => {}): string[] {
  const inUse = lowerDirsInUse();
  const removed: string[] = [];
  for (const f of flavours) {
    const current = `${f.name}-${rootfsPaths(f).key}`;
    const stale = (n: string) => new RegExp(`^${f.name}-[0-9a-f]{12}(\\.|$)`).test(n) && !n.startsWith(current);
    const rootfs = join(cacheDir, 'rootfs');
    for (const n of existsSync(rootfs) ? readdirSync(rootfs) : []) {
      const dir = join(rootfs, n);
      if (!stale(n) || inUse.has(dir)) continue;
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    }
    for (const n of existsSync(cacheDir) ? readdirSync(cacheDir) : []) {
      // A tar whose tree is still mounted stays, and so does a build in progress elsewhere.
      const base = n.replace(/\.tar.*$/, '').replace(/\.lock$/, '');
      const lock = join(cacheDir, 'locks', `${base}.lock`);
      if (!stale(n) || existsSync(join(rootfs, base)) || (existsSync(lock) && !isStale(lock))) continue;
      rmSync(join(cacheDir, n), { force: true });
      removed.push(join(cacheDir, n));
    }
    const locks = join(cacheDir, 'locks');
    for (const n of existsSync(locks) ? readdirSync(locks) : []) {
      if (stale(n) && isStale(join(locks, n))) {
        rmSync(join(locks, n), { force: true });
        removed.push(join(locks, n));
      }
    }
  }
  for (const r of removed) log(`removed ${r}`);
  return removed;
}
