// Where brine keeps its own files on a host: root-only /var/lib/brine and /var/log/brine,
// or per-user dirs for a non-root run.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { HOST_PATHS } from '../core/host-paths.js';

export function defaultVarDir(): string {
  if (process.env.BRINE_VAR_DIR) return process.env.BRINE_VAR_DIR;
  if (process.getuid?.() === 0) return HOST_PATHS.varDir;
  return join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'brine');
}

/** The run log: /var/log/brine/runs.jsonl as root, else beside the var dir's other files. */
export function defaultRunLog(varDir = defaultVarDir()): string {
  if (process.env.BRINE_RUN_LOG) return process.env.BRINE_RUN_LOG;
  if (process.getuid?.() === 0 && !process.env.BRINE_VAR_DIR) return HOST_PATHS.runLog;
  return join(varDir, 'runs.jsonl');
}
