// Lock files owned by a live process (pid + start time): address slots and rootfs builds.
// A lock whose owner has died is stale; only the sweep (or a waiting builder) reclaims it.
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isAlive, self, type ProcessId } from './proc.js';

export interface LockOwner extends ProcessId {
  /** Free-form note on what holds it (run dir), for humans reading the file. */
  note?: string;
}

/** Creates the lock file exclusively; false when it already exists. */
export function tryLock(path: string, note?: string): boolean {
  mkdirSync(dirname(path), { recursive: true });
  const owner: LockOwner = { ...self(), note };
  try {
    writeFileSync(path, JSON.stringify(owner) + '\n', { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

export function readLock(path: string): LockOwner | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
  } catch {
    return null;
  }
}

/** Lock exists but its owner is gone (or the file is unreadable garbage). */
export function isStale(path: string): boolean {
  const owner = readLock(path);
  if (owner === null) {
    try {
      readFileSync(path);
    } catch {
      return false; // vanished: not stale, just free
    }
    return true;
  }
  return !isAlive(owner);
}

/**
 * Removes a stale lock. It is first renamed aside and re-checked, so that of two processes
 * reclaiming at once neither deletes a lock the other has just taken.
 */
export function reclaimIfStale(path: string): boolean {
  if (!isStale(path)) return false;
  const aside = `${path}.reclaim-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return false;
  }
  const owner = readLock(aside);
  if (owner && isAlive(owner)) {
    try {
      linkSync(aside, path); // raced with a fresh owner: give its lock back
    } catch {
      /* someone else holds it now */
    }
    rmSync(aside, { force: true });
    return false;
  }
  rmSync(aside, { force: true });
  return true;
}

/** Removes a lock only if this process owns it. */
export function unlock(path: string): void {
  const owner = readLock(path);
  const me = self();
  if (owner && owner.pid === me.pid && owner.start === me.start) rmSync(path, { force: true });
}

/** Waits for an exclusive lock, reclaiming it when its owner died. */
export async function waitLock(path: string, note: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!tryLock(path, note)) {
    if (reclaimIfStale(path)) continue;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for lock ${path} (held by ${JSON.stringify(readLock(path))})`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
