// What an interrupted run leaves, named so the next run can tell it apart from anything else:
// `.NAME.brine-PID-HEX` temp files beside the files brine writes, and `PREFIX-PID-XXXXXX`
// directories (scratch candidates, uploads) in the temp dir. PID is the process that made it;
// one whose process is gone is stale.
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** The temp file an atomic write of `path` goes through (same directory, hidden, this pid). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.brine-${process.pid}-${randomBytes(4).toString('hex')}`);
}

// Also the older `.NAME.brine-HEX` (no pid): no brine makes those any more.
const TEMP = /^\.(.+)\.brine-(?:(\d+)-)?[0-9a-f]{8}$/;

/** Entries of a directory listing that are stale temp files of `base` (any file when omitted). */
export function staleTemps(entries: string[], base?: string): string[] {
  return entries.filter((name) => {
    const m = TEMP.exec(name);
    return Boolean(m) && (base === undefined || m![1] === base) && !(m![2] && isAlive(Number(m![2])));
  });
}

export function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A fresh `PREFIX-PID-` for mkdtemp in the temp dir. */
export function tempDirPrefix(prefix: string): string {
  return join(tmpdir(), `${prefix}-${process.pid}-`);
}

/**
 * Removes this user's `PREFIX-PID-*` directories in the temp dir whose process is gone, and
 * returns their paths (the caller says so).
 */
export function sweepTempDirs(prefix: string): string[] {
  const root = tmpdir();
  const re = new RegExp(`^${prefix}-(\\d+)-[A-Za-z0-9]{6}$`);
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = re.exec(name);
    if (!m || isAlive(Number(m[1]))) continue;
    const path = join(root, name);
    try {
      if (statSync(path).uid !== process.getuid?.()) continue;
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
  return removed;
}
