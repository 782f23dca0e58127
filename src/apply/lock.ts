// One apply at a time per host: an exclusive lock file naming its holder; a holder that
// died (no such pid) leaves a stale lock that the next run takes over.
import { hostname, userInfo } from 'node:os';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { LockError } from '../core/errors.js';

export interface LockInfo {
  pid: number;
  user: string;
  host: string;
  since: string;
  what: string;
}

export class ApplyLock {
  private constructor(private readonly path: string) {}

  static async acquire(dir: string, what: string): Promise<ApplyLock> {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, 'apply.lock');
    const info: LockInfo = { pid: process.pid, user: safeUser(), host: hostname(), since: new Date().toISOString(), what };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await fs.writeFile(path, JSON.stringify(info) + '\n', { flag: 'wx', mode: 0o600 });
        return new ApplyLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const holder = await readHolder(path);
        if (holder && isAlive(holder.pid)) {
          throw new LockError(`another brine apply holds ${path}: pid ${holder.pid}, user ${holder.user}, since ${holder.since} (${holder.what})`);
        }
        // Stale: its process is gone. Remove and try once more (a racing run may win).
        await fs.rm(path, { force: true });
      }
    }
    throw new LockError(`could not take ${path}: another run took it first`);
  }

  async release(): Promise<void> {
    await fs.rm(this.path, { force: true });
  }
}

async function readHolder(path: string): Promise<LockInfo | undefined> {
  try {
    return JSON.parse(await fs.readFile(path, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? '?');
  }
}
