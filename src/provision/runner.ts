// Runs the controller's local processes (ssh, rsync): argv only, never a shell; every outcome
// maps into a result (reject: false), and stdout can be followed line by line as it arrives.
// execa is loaded on first use: `brine apply`, the agent, shares this bundle and never needs it.
import type { CommandResult } from '../host/types.js';

export interface SpawnOptions {
  /** Fed to stdin: how scripts reach the remote shell without showing up in `ps`. */
  input?: string;
  /** Called for each complete stdout line while the process runs. */
  onLine?: (line: string) => void;
  timeoutMs?: number;
}

export type Spawn = (argv: string[], opts?: SpawnOptions) => Promise<CommandResult>;

export const spawnProcess: Spawn = async (argv, opts = {}) => {
  const { execa } = await import('execa');
  const child = execa(argv[0], argv.slice(1), {
    reject: false,
    input: opts.input ?? '',
    timeout: opts.timeoutMs,
    stripFinalNewline: false,
    buffer: true,
  });
  if (opts.onLine && child.stdout) {
    let pending = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) opts.onLine!(l);
    });
    child.stdout.on('end', () => {
      if (pending) opts.onLine!(pending);
      pending = '';
    });
  }
  const r = await child;
  const missing = (r as { code?: string }).code === 'ENOENT';
  return {
    argv,
    exitCode: r.exitCode ?? (missing ? 127 : 255),
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? '') || (r.exitCode === undefined ? (r.shortMessage ?? '') : ''),
  };
};
