// SSH and rsync to test hosts through one per-run ssh_config (key, the run's known_hosts with
// each host's keys pinned before it boots, strict checking), which brine's own `provision` can
// use too via `ssh -F`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { timeouts } from './config.js';
import { rsyncQuote, shellQuote } from '../../src/provision/quote.js';

export interface SshResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface SshOptions {
  /** Fed to the remote command's stdin. */
  input?: string;
  /** Remote user (default root, from the config). */
  user?: string;
  /** Extra identity file (private key) to offer. */
  identity?: string;
  timeout?: number;
}

export interface SshEntry {
  name: string;
  address: string;
}

/** Quotes one argv element for the remote POSIX shell ssh hands the command to (brine's own). */
export { shellQuote };

/** argv arrays keep their word boundaries remotely; a string is a shell script as-is. */
export function remoteCommand(command: string[] | string): string {
  return typeof command === 'string' ? command : command.map(shellQuote).join(' ');
}

export function sshConfigText(hosts: SshEntry[], identity: string, knownHosts: string): string {
  return hosts
    .map((h) =>
      [
        `Host ${h.name} ${h.address}`,
        `  HostName ${h.address}`,
        '  User root',
        `  IdentityFile ${identity}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${knownHosts}`,
        '  StrictHostKeyChecking yes',
        '  BatchMode yes',
        '  ConnectTimeout 5',
        '  ServerAliveInterval 5',
        '  LogLevel ERROR',
        '',
      ].join('\n'),
    )
    .join('\n');
}

/**
 * Pins a host's keys in the run's known_hosts: `pubs` holds `TYPE BASE64 [comment]` lines (the
 * host's ssh_host_*_key.pub files); the address's earlier lines are replaced.
 */
export function pinHostKeys(knownHosts: string, address: string, pubs: string): void {
  const keep = existsSync(knownHosts) ? readFileSync(knownHosts, 'utf8').split('\n').filter((l) => l && !l.startsWith(`${address} `)) : [];
  const keys = pubs.split('\n').map((l) => l.trim().split(/\s+/)).filter((w) => w.length >= 2 && /^(ssh|ecdsa)-/.test(w[0]));
  if (!keys.length) throw new Error(`no host keys to pin for ${address}`);
  writeFileSync(knownHosts, [...keep, ...keys.map(([type, blob]) => `${address} ${type} ${blob}`)].join('\n') + '\n', { mode: 0o600 });
}

export function writeSshConfig(path: string, hosts: SshEntry[], identity: string, knownHosts: string): void {
  writeFileSync(path, sshConfigText(hosts, identity, knownHosts), { mode: 0o600 });
}

/** `ssh -F config [-l user] [-i key] NAME COMMAND`: the config carries everything else. */
export function sshArgv(configFile: string, name: string, command: string[] | string, opts: SshOptions = {}): string[] {
  const remote = remoteCommand(command);
  if (!remote.trim()) throw new Error('ssh: empty command');
  return [
    '-F',
    configFile,
    ...(opts.user ? ['-l', opts.user] : []),
    ...(opts.identity ? ['-i', opts.identity] : []),
    name,
    remote,
  ];
}

export async function runSsh(configFile: string, name: string, command: string[] | string, opts: SshOptions = {}): Promise<SshResult> {
  const res = await execa('ssh', sshArgv(configFile, name, command, opts), {
    reject: false,
    input: opts.input ?? '',
    timeout: opts.timeout ?? timeouts.sshMs,
    stripFinalNewline: false,
  });
  return { exitCode: res.exitCode ?? -1, stdout: res.stdout, stderr: res.stderr };
}

/** rsync -a over the same ssh config; `pull` copies host → local instead. */
export function rsyncArgv(configFile: string, name: string, src: string, dest: string, pull = false): string[] {
  // rsync splits -e on whitespace and honours quotes, by its own rules.
  const rsh = `ssh -F ${rsyncQuote(configFile)}`;
  return ['-a', '-e', rsh, pull ? `${name}:${src}` : src, pull ? dest : `${name}:${dest}`];
}

export async function generateKey(path: string): Promise<void> {
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'brine-testhost', '-f', path]);
}
