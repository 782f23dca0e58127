// The controller's note of each upload it has sent but not yet started: a provision killed
// between the two (during rsync) leaves the upload, with its pillar and secrets, on the host.
// The next provision of that host finds the note, removes the upload, and says so.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '../host/leftovers.js';

interface UploadRecord {
  address: string;
  run: string;
  /** The provision that sent it: while it lives, the upload is its own business. */
  pid: number;
}

export class UploadRecords {
  constructor(private readonly dir: string) {}

  /** Notes an upload about to be sent; the returned function forgets it (once it has started or been removed). */
  note(address: string, run: string): () => void {
    const file = join(this.dir, `${run}.json`);
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      writeFileSync(file, JSON.stringify({ address, run, pid: process.pid } satisfies UploadRecord) + '\n', { mode: 0o600 });
    } catch {
      // Without a note the host's collector still removes it, after 30 minutes.
      return () => undefined;
    }
    return () => rmSync(file, { force: true });
  }

  /** Uploads to `address` that a provision no longer running sent and never started. */
  orphans(address: string): { run: string; forget: () => void }[] {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => n.endsWith('.json'));
    } catch {
      return [];
    }
    const out: { run: string; forget: () => void }[] = [];
    for (const name of names) {
      const file = join(this.dir, name);
      try {
        const r = JSON.parse(readFileSync(file, 'utf8')) as UploadRecord;
        if (r.address === address && /^[A-Za-z0-9-]+$/.test(r.run) && !isAlive(r.pid)) out.push({ run: r.run, forget: () => rmSync(file, { force: true }) });
      } catch {
        rmSync(file, { force: true });
      }
    }
    return out;
  }
}
