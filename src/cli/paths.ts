// Where brine keeps its own files on a host: root-only /var/lib/brine, or a per-user dir.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultVarDir(): string {
  if (process.env.BRINE_VAR_DIR) return process.env.BRINE_VAR_DIR;
  if (process.getuid?.() === 0) return '/var/lib/brine';
  return join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'brine');
}
