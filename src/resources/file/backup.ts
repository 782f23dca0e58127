// Backups of replaced files under brine's own root-only directory, newest few kept per path.
import { join } from 'node:path';
import type { Host } from '../../host/types.js';

const KEEP = 5;

/** The directory holding the backups of `path`. */
export function backupDir(varDir: string, path: string): string {
  return join(varDir, 'backup', path.replace(/^\/+/, '').replace(/\//g, '%'));
}

/** Where to put a backup of `path` now; also prunes older ones beyond KEEP. */
export async function backupPath(host: Host, varDir: string, path: string): Promise<string> {
  const dir = backupDir(varDir, path);
  await host.mkdir(dir, { parents: true, mode: 0o700 });
  await host.chmod(join(varDir, 'backup'), 0o700);
  const existing = ((await host.readdir(dir)) ?? []).sort();
  for (const old of existing.slice(0, Math.max(0, existing.length - (KEEP - 1)))) await host.remove(join(dir, old));
  return join(dir, new Date().toISOString().replace(/[:.]/g, '-'));
}
