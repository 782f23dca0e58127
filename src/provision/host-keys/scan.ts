// What a host's sshd offers, read two ways: unverified, as a stranger sees it (one ssh per key
// family that stops after the key exchange: for messages and first contact), and verified, over
// the already trusted connection (sshd's own configuration, read on the host).
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Target } from '../inventory.js';
import type { Spawn } from '../runner.js';
import { asRoot } from '../remote.js';
import { sshArgv, sshOptions, type SshSettings } from '../ssh.js';
import { knownHostsName, parseKnownHosts, sameKey, type HostKey } from './known-hosts.js';

/** HostKeyAlgorithms per family: one probe each, so every family the server has is seen. */
const FAMILIES: Record<string, string> = {
  ED25519: 'ssh-ed25519',
  ECDSA: 'ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521',
  RSA: 'rsa-sha2-512,rsa-sha2-256',
};

/**
 * A known-hosts file path as an ssh_config value, quoted (spaces). ssh expands %-tokens in
 * UserKnownHostsFile (`percent`), not in GlobalKnownHostsFile.
 */
export function fileValue(path: string, percent = false): string {
  if (/["\\\n]/.test(path)) throw new Error(`a known_hosts path ssh cannot be given: ${JSON.stringify(path)}`);
  return `"${percent ? path.replace(/%/g, '%%') : path}"`;
}

/** `ssh OPTIONS` that are placed first win over the user's (for ssh, the first value given wins). */
export function withFirst(s: SshSettings, first: string[]): SshSettings {
  return { ...s, options: [...first, ...s.options] };
}

export interface Probed {
  keys: HostKey[];
  /** ssh's last words when no key could be read at all (unreachable, refused). */
  error?: string;
}

/**
 * The server's host keys as anyone connecting sees them — unverified by definition. Each probe
 * records the key into its own empty file and stops at authentication (none is tried).
 */
export async function probeHostKeys(spawn: Spawn, base: SshSettings, t: Target, scratch: string): Promise<Probed> {
  const results = await Promise.all(
    Object.values(FAMILIES).map(async (algorithms) => {
      const file = join(scratch, `probe-${randomBytes(6).toString('hex')}`);
      writeFileSync(file, '', { mode: 0o600 });
      try {
        const s = withFirst({ ...base, controlDir: undefined }, [
          `UserKnownHostsFile=${fileValue(file, true)}`,
          'GlobalKnownHostsFile=/dev/null',
          'StrictHostKeyChecking=accept-new',
          'HashKnownHosts=no',
          'UpdateHostKeys=no',
          'CheckHostIP=no',
          `HostKeyAlgorithms=${algorithms}`,
          'PreferredAuthentications=none',
          'ControlMaster=no',
          'ControlPath=none',
        ]);
        const r = await spawn(sshArgv(s, t.address, t.user, ['true']), { timeoutMs: 30_000 });
        return { keys: parseKnownHosts(readFileSync(file, 'utf8'), file) as HostKey[], stderr: r.stderr };
      } finally {
        rmSync(file, { force: true });
      }
    }),
  );
  const keys: HostKey[] = [];
  for (const k of results.flatMap((r) => r.keys)) if (!keys.some((o) => sameKey(o, k))) keys.push({ type: k.type, blob: k.blob });
  const said = results.map((r) => r.stderr.trim().split('\n').filter(Boolean).pop() ?? '').find(Boolean);
  return keys.length ? { keys } : { keys, error: said || 'no host key received' };
}

export interface Resolved {
  /** The name ssh looks the host up by in known_hosts (HostKeyAlias, or host and port). */
  name: string;
  /** The user's own known_hosts files (UserKnownHostsFile), expanded. */
  userFiles: string[];
}

/** `ssh -G`: how the user's ssh_config and -o resolve for this host. */
export async function resolveHost(spawn: Spawn, base: SshSettings, t: Target): Promise<Resolved> {
  const r = await spawn(['ssh', '-G', ...sshOptions({ ...base, controlDir: undefined }, t.user), '--', t.address], { timeoutMs: 10_000 });
  const conf = new Map<string, string>();
  if (r.exitCode === 0) for (const line of r.stdout.split('\n')) conf.set(line.split(' ')[0], line.slice(line.indexOf(' ') + 1).trim());
  const home = homedir();
  const files = (conf.get('userknownhostsfile') || '~/.ssh/known_hosts ~/.ssh/known_hosts2').split(/\s+/).filter(Boolean);
  const alias = conf.get('hostkeyalias');
  return {
    name: alias && alias !== 'none' ? alias : knownHostsName(conf.get('hostname') || t.address, Number(conf.get('port') || 22)),
    userFiles: files.map((f) => f.replace(/^~(?=\/|$)/, home)),
  };
}

/**
 * Run as root on the host: the host keys sshd's own configuration names (`sshd -T`, as the
 * running daemon reads it — states that change it reload sshd), and the algorithms it allows.
 * Reading them is ~0.1 s; asking the daemon (ssh-keyscan) costs a key exchange per type.
 */
const SSHD_KEYS = `sshd=$(command -v sshd || echo /usr/sbin/sshd)
"$sshd" -T | while read -r k v; do
  case "$k" in
    hostkey) if [ -r "$v.pub" ]; then cat "$v.pub"; else ssh-keygen -y -f "$v"; fi ;;
    hostkeyalgorithms) echo "@algorithms $v" ;;
  esac
done
`;

/** Whether sshd's HostKeyAlgorithms let it offer a key of this type. */
export function offers(algorithms: string[], type: string): boolean {
  if (type === 'ssh-rsa') return algorithms.some((a) => ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'].includes(a));
  return algorithms.includes(type);
}

/** The keys the host's sshd offers, read over the connection `settings` already verified. */
export async function scanVerified(spawn: Spawn, settings: SshSettings, t: Target): Promise<HostKey[]> {
  const r = await spawn(sshArgv(settings, t.address, t.user, asRoot(['sh', '-s'])), { input: SSHD_KEYS, timeoutMs: 30_000 });
  const algorithms = /^@algorithms (\S+)$/m.exec(r.stdout)?.[1].split(',');
  const keys = parseKnownHosts(r.stdout.replace(/^(?=(ssh|ecdsa)-)/gm, 'host '), 'sshd -T').map((k) => ({ type: k.type, blob: k.blob }));
  const offered = algorithms ? keys.filter((k) => offers(algorithms, k.type)) : [];
  if (r.exitCode !== 0 || !offered.length) {
    const said = r.stderr.trim().split('\n').filter(Boolean).pop();
    throw new Error(`could not read sshd's host keys on the host (${said || `exit ${r.exitCode}`})`);
  }
  return offered;
}
