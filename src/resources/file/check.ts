// Validators run on a candidate before it replaces the live file — in --test too.
// check_cmd gets the candidate's path (Salt); check_in_place sees the whole configuration as
// it would be, with the candidate mounted over the target in a private mount namespace.
import { ValidationError } from '../../core/errors.js';
import type { CommandResult, Content, HostView } from '../../host/types.js';

/** Salt's check_cmd: the candidate file's path goes last; non-zero means "do not install". */
export async function checkCandidate(host: HostView, argv: string[], candidate: Content): Promise<void> {
  const path = await host.scratch(candidate);
  rejectUnless(await host.query([...argv, path]), 'check_cmd', argv, path);
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
export async function checkInPlace(host: HostView, argv: string[], target: string, candidate: Content, mode: number): Promise<void> {
  const cand = await host.scratch(candidate, { mode });
  const r = await host.query(['unshare', '--mount', '--propagation', 'private', '--', '/bin/sh', '-c', IN_PLACE, 'brine-check', cand, target, ...argv]);
  rejectUnless(r, 'check_in_place', argv, cand);
}

function rejectUnless(r: CommandResult, what: string, argv: string[], path: string): void {
  if (r.exitCode === 0) return;
  const out = (r.stderr || r.stdout).trim().split(path).join('<candidate>');
  throw new ValidationError(`${what} rejected the new content (exit ${r.exitCode}): ${argv.join(' ')}${out ? `\n${out}` : ''}`);
}
