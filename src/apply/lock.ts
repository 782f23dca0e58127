// One apply at a time per host: an exclusive lock file naming its holder; a holder that
// died (no such pid) leaves a stale lock that the next run takes over.
import { hostname, userInfo } from 'node:os';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { ioError, LockError } from '../core/errors.js';
import { removeOnExit } from '../core/on-exit.js';
import { isAlive } from '../host/leftovers.js';

export interface LockInfo {
  pid: number;
  user: string;
  host: string;
  since: string;
  what: string;
}

export class ApplyLock {
  private constructor(
    private readonly path: string,
    private readonly forget: () => void,
  ) {}

  static async acquire(dir: string, what: string): Promise<ApplyLock> {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 }).catch(async (err) => {
      // A recursive mkdir under a read-only mount says ENOENT; the plain one says why.
      const plain = await fs.mkdir(dir, { mode: 0o700 }).then(() => undefined, (e: unknown) => e);
      if (plain === undefined) return;
      throw ioError("create brine's var dir", dir, (plain as NodeJS.ErrnoException).code === 'ENOENT' ? err : plain);
    });
    const path = join(dir, 'apply.lock');
    const info: LockInfo = { pid: process.pid, user: safeUser(), host: hostname(), since: new Date().toISOString(), what };
    for (let attempt = 0; attempt < 2; attempt++) {
      let fh: fs.FileHandle;
      try {
        fh = await fs.open(path, 'wx', 0o600);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError('create the apply lock', path, err);
        const holder = await readHolder(path);
        if (holder && isAlive(holder.pid)) {
          throw new LockError(`another brine apply holds ${path}: pid ${holder.pid}, user ${holder.user}, since ${holder.since} (${holder.what})`);
        }
        // Stale: its process is gone (or it never got its holder written). Remove and try once
        // more (a racing run may win).
        await fs.rm(path, { force: true });
        continue;
      }
      // A full disk fails the write, not the create: then no empty lock may stay behind.
      try {
        await fh.writeFile(JSON.stringify(info) + '\n');
        await fh.close();
      } catch (err) {
        await fh.close().catch(() => undefined);
        await fs.rm(path, { force: true });
        throw ioError('write the apply lock', path, err);
      }
      return new ApplyLock(path, removeOnExit(path));
    }
    throw new LockError(`could not take ${path}: another run took it first`);
  }

  async release(): Promise<void> {
    this.forget();
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

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? '?');
  }
}
