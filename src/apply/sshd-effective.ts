// sshd's effective settings for one user (`sshd -T -C user=…`), with the predicted sshd config,
// passwd and group in place: each predicted file is mounted over the real one in a private mount
// namespace that dies with the command (a new file through a copy of its directory), as
// check_in_place does. Nothing on the host changes.
import type { PredictedHost } from '../host/predicted.js';
import type { HostView } from '../host/types.js';

export const SSHD = '/usr/sbin/sshd';
const MOUNTED = ['/etc/ssh', '/etc/passwd', '/etc/group'];

// Fixed text: candidates and targets arrive as positional pairs, then `--` and the command.
const MOUNT_ALL = [
  'set -e',
  'while [ "$1" != -- ]; do',
  '  cand=$1 target=$2; shift 2',
  '  if [ -e "$target" ]; then mount --bind "$cand" "$target"',
  '  else dir=$(dirname "$target"); copy=$(mktemp -d -p "$(dirname "$cand")")',
  '    cp -a "$dir/." "$copy/"; cp "$cand" "$copy/$(basename "$target")"; mount --bind "$copy" "$dir"; fi',
  'done',
  'shift',
  'exec "$@"',
].join('\n');

export interface SshdSettings {
  ports: number[];
  permitRootLogin: string;
  pubkey: boolean;
  allowUsers: string[];
  denyUsers: string[];
  allowGroups: string[];
  denyGroups: string[];
  authorizedKeysFiles: string[];
}

export function parseSshdT(text: string): SshdSettings {
  const values = (key: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(key + ' '))
      .flatMap((l) => l.slice(key.length + 1).trim().split(/\s+/));
  const listen = values('listenaddress').map((a) => Number(/:(\d+)$/.exec(a)?.[1])).filter((n) => n > 0);
  const ports = [...new Set([...values('port').map(Number), ...listen])].sort((a, b) => a - b);
  const one = (key: string, dflt: string) => values(key)[0] ?? dflt;
  return {
    ports,
    permitRootLogin: one('permitrootlogin', 'prohibit-password'),
    pubkey: one('pubkeyauthentication', 'yes') === 'yes',
    allowUsers: values('allowusers'),
    denyUsers: values('denyusers'),
    allowGroups: values('allowgroups'),
    denyGroups: values('denygroups'),
    authorizedKeysFiles: values('authorizedkeysfile'),
  };
}

/**
 * The settings sshd applies to `user`, as configured now (`after` undefined) or after the run;
 * none when sshd is not installed, and an `error` when it rejects the configuration.
 */
export async function sshdFor(real: HostView, user: string, after?: PredictedHost): Promise<{ settings?: SshdSettings; error?: string }> {
  if (!(await real.stat(SSHD))) return {};
  const argv = [SSHD, '-T', '-C', `user=${user},host=brine-lockout-check,addr=127.0.0.1`];
  const pairs: string[] = [];
  for (const f of after?.filesAt(MOUNTED) ?? []) pairs.push(await real.scratch(f.data, { mode: f.mode }), f.path);
  const r = pairs.length
    ? await real.query(['unshare', '--mount', '--propagation', 'private', '--', '/bin/sh', '-c', MOUNT_ALL, 'brine-lockout', ...pairs, '--', ...argv])
    : await real.query(argv);
  if (r.exitCode !== 0) return { error: `sshd -T failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ')}` };
  return { settings: parseSshdT(r.stdout) };
}

const glob = (pattern: string, value: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(value);

/** Why sshd's Allow/Deny settings (and root's PermitRootLogin) refuse `user`, if they do. */
export function refusal(s: SshdSettings, user: string, groups: string[]): string | undefined {
  const name = (p: string) => p.split('@')[0];
  if (!s.pubkey) return 'PubkeyAuthentication no';
  if (user === 'root' && !['yes', 'prohibit-password', 'without-password'].includes(s.permitRootLogin)) return `PermitRootLogin ${s.permitRootLogin}`;
  if (s.denyUsers.some((p) => glob(name(p), user))) return `DenyUsers ${s.denyUsers.join(' ')}`;
  if (s.allowUsers.length && !s.allowUsers.some((p) => glob(name(p), user))) return `AllowUsers ${s.allowUsers.join(' ')}`;
  if (s.denyGroups.some((p) => groups.some((g) => glob(p, g)))) return `DenyGroups ${s.denyGroups.join(' ')}`;
  if (s.allowGroups.length && !s.allowGroups.some((p) => groups.some((g) => glob(p, g)))) return `AllowGroups ${s.allowGroups.join(' ')} (${user} is in ${groups.join(', ') || 'no group'})`;
  return undefined;
}
