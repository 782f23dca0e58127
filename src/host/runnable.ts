// In a dry run, a command that names a file an earlier state writes runs on a scratch copy of it.
import { basename } from 'node:path';
import { UnknownError } from '../core/errors.js';
import type { HostView } from './types.js';

/** Where a program named without a directory is looked for (the agent's PATH on a server). */
export const PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/**
 * In --test, a check that names a file an earlier state of this run writes (the script it runs,
 * the config it checks) runs on a scratch copy of that file as the run will write it, as
 * validators do. What a pending package brings cannot run or be read yet, and a shell string
 * naming a predicted path cannot be rewritten: the answer is unknown (the state is pending).
 */
export async function runnable(host: HostView, argv: string[], full = argv): Promise<string[]> {
  if (!host.predicted) return full;
  const shell = argv.length === 3 && argv[0] === '/bin/sh' && argv[1] === '-c';
  const named = shell ? [...argv[2].matchAll(/\/[\w.+@-]+(?:\/[\w.+@-]+)*/g)].map((m) => m[0]) : argv.filter((a) => a.startsWith('/'));
  const swap = new Map<string, string>();
  for (const path of named) {
    const st = await host.stat(path); // throws UnknownError for what a pending package brings
    const made = host.predicted?.('file', path);
    if (made?.packaged) throw new UnknownError(path, String(made.packaged), String(made.until));
    if (!made?.written) continue;
    if (shell || st?.type !== 'file') throw new UnknownError(path, 'the state writing it', 'is applied');
    swap.set(path, await host.scratch((await host.readBytes(path)) ?? '', { name: basename(path), mode: st.mode & 0o777 }));
  }
  return full.map((a) => swap.get(a) ?? a);
}

