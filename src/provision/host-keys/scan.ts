// What a host's sshd offers, read two ways: unverified, as a stranger sees it (one ssh per key
// family that stops after the key exchange: for messages and first contact), and verified, over
// the already trusted connection (ssh-keyscan on the host against the address we came in on).
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Target } from '../inventory.js';
import type { Spawn } from '../runner.js';
import { sshArgv, sshOptions, type SshSettings } from '../ssh.js';
import { knownHostsName, parseKnownHosts, sameKey, type HostKey } from './known-hosts.js';

/** HostKeyAlgorithms per family: one probe each, so every family the server has is seen. */
const FAMILIES: Record<string, string> = {
  ED25519: 'ssh-ed25519',
  ECDSA: 'ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521',
  RSA: 'rsa-sha2-512,rsa-sha2-256',
};

/** A known-hosts file path as an ssh_config value: quoted (spaces), never %-expanded. */
export function fileValue(path: string): string {
  if (/["\\\n]/.test(path)) throw new Error(`a known_hosts path ssh cannot be given: ${JSON.stringify(path)}`);
  return `"${path.replace(/%/g, '%%')}"`;
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
          `UserKnownHostsFile=${fileValue(file)}`,
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
 * Run by the login user (sudo would drop SSH_CONNECTION): the keys sshd offers on the very
 * address and port this connection came in on, asked from the host itself.
 */
const KEYSCAN = 'set -- $SSH_CONNECTION; [ -n "$4" ] || { echo "brine: no SSH_CONNECTION" >&2; exit 3; }; exec ssh-keyscan -T 5 -p "$4" "$3"';

/** The host's keys, read over the connection `settings` already verified. */
export async function scanVerified(spawn: Spawn, settings: SshSettings, t: Target): Promise<HostKey[]> {
  const r = await spawn(sshArgv(settings, t.address, t.user, ['sh', '-c', KEYSCAN]), { timeoutMs: 30_000 });
  const keys = parseKnownHosts(r.stdout, 'ssh-keyscan').map((k) => ({ type: k.type, blob: k.blob }));
  if (r.exitCode !== 0 || !keys.length) {
    const said = r.stderr.trim().split('\n').filter((l) => l && !l.startsWith('#')).pop();
    throw new Error(`could not read the host's keys with ssh-keyscan on it (${said || `exit ${r.exitCode}`})`);
  }
  return keys;
}
