// Validators run on a candidate before it replaces the live file — in --test too.
// check_cmd gets the candidate's path (Salt); check_in_place sees the whole configuration as
// it would be, with the candidate mounted over the target in a private mount namespace.
// The verdict is data: rejected (with the validator's own words and line), or blocked when the
// validator itself is not installed yet ("visudo comes with sudo (pending)").
import { basename, dirname } from 'node:path';
import { PATH, runnable } from '../../host/runnable.js';
import { UnknownError } from '../../core/errors.js';
import type { CommandResult, Content, HostView } from '../../host/types.js';

export interface Verdict {
  rejected?: string;
  blocked?: string;
}

/** Salt's check_cmd: the candidate file's path goes last; non-zero means "do not install". */
export async function checkCandidate(host: HostView, argv: string[], target: string, candidate: Content): Promise<Verdict> {
  const path = await host.scratch(candidate);
  try {
    return verdict(host, await host.query([...(await runnable(host, argv)), path]), 'check_cmd', argv, path, target);
  } catch (err) {
    // The predicted host refuses to run what a pending package ships.
    if (err instanceof UnknownError) return pendingTool(argv[0], err.source);
    throw err;
  }
}

// A fixed script: values arrive as positional parameters, never spliced into the text.
// A new file is placed by mounting a copy of its directory that holds the candidate.
const IN_PLACE = [
  'set -e',
  'cand=$1 target=$2; shift 2',
  'if [ -e "$target" ]; then mount --bind "$cand" "$target"',
  'else dir=$(dirname "$target"); copy=$(mktemp -d -p "$(dirname "$cand")")',
  '  cp -a "$dir/." "$copy/"; cp "$cand" "$copy/$(basename "$target")"; mount --bind "$copy" "$dir"; fi',
  'exec "$@"',
].join('\n');

/**
 * A drop-in or a site is not a whole config: `sshd -t` or `nginx -t` must see the candidate
 * where it will live (Ansible #67095). The live file is untouched: the mount dies with the command.
 */
export async function checkInPlace(host: HostView, argv: string[], target: string, candidate: Content, mode: number): Promise<Verdict> {
  // Only a directory on the host can take the candidate's mount.
  const dir = dirname(target);
  const made = host.predicted?.('file', dir);
  if (made?.packaged) return { blocked: `cannot validate yet: ${dir} comes with ${String(made.packaged)} (pending)` };
  if (made?.written) return { blocked: `cannot validate yet: ${dir} is made by an earlier state` };
  const cand = await host.scratch(candidate, { mode });
  try {
    const r = await host.query(['unshare', '--mount', '--propagation', 'private', '--', '/bin/sh', '-c', IN_PLACE, 'brine-check', cand, target, ...(await runnable(host, argv))]);
    return verdict(host, r, 'check_in_place', argv, cand, target);
  } catch (err) {
    if (err instanceof UnknownError) return pendingTool(argv[0], err.source);
    throw err;
  }
}

const pendingTool = (tool: string, source: string): Verdict => ({ blocked: `cannot validate yet: ${basename(tool)} comes with ${source} (pending)` });


async function verdict(host: HostView, r: CommandResult, what: string, argv: string[], path: string, target: string): Promise<Verdict> {
  if (r.exitCode === 0) return {};
  if (r.exitCode === 127) {
    const tool = argv[0];
    for (const p of tool.startsWith('/') ? [tool] : PATH.map((d) => `${d}/${tool}`)) {
      const made = host.predicted?.('file', p);
      if (made?.packaged) return pendingTool(tool, String(made.packaged));
      try {
        if (await host.stat(p)) break;
      } catch (err) {
        if (err instanceof UnknownError) return pendingTool(tool, err.source);
        throw err;
      }
    }
    return { rejected: `${what}: ${tool} is not installed (exit 127): ${argv.join(' ')}` };
  }
  // The validator names the candidate by its scratch path: say the file it will be instead.
  const out = (r.stderr || r.stdout).trim().split(path).join(`${target} (candidate)`);
  return { rejected: `${what} rejected the new content (exit ${r.exitCode}): ${argv.join(' ')}${out ? `\n${out}` : ''}` };
}
