// Backups of replaced files under brine's own root-only directory, newest few kept per path.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Secrets } from '../../core/secrets.js';
import type { Host } from '../../host/types.js';

const KEEP = 5;

/** The directory holding the backups of `path`; named by a hash when the path holds a secret. */
export function backupDir(varDir: string, path: string, secrets?: Secrets): string {
  const name = secrets?.within(path) ? `sha256-${createHash('sha256').update(path).digest('hex')}` : path.replace(/^\/+/, '').replace(/\//g, '%');
  return join(varDir, 'backup', name);
}

/** Where to put a backup of `path` now; also prunes older ones beyond KEEP. */
export async function backupPath(host: Host, varDir: string, path: string, secrets?: Secrets): Promise<string> {
  const dir = backupDir(varDir, path, secrets);
  await host.mkdir(dir, { parents: true, mode: 0o700 });
  await host.chmod(join(varDir, 'backup'), 0o700);
  const existing = ((await host.readdir(dir)) ?? []).sort();
  for (const old of existing.slice(0, Math.max(0, existing.length - (KEEP - 1)))) await host.remove(join(dir, old));
  return join(dir, new Date().toISOString().replace(/[:.]/g, '-'));
}
