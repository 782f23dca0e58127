// argv for the system's ssh and rsync (so ~/.ssh/config, the agent and ProxyJump work): the
// user's -F/-i/-o go first — for ssh the first value given wins — then brine's defaults.
import { InventoryError } from '../core/errors.js';
import { remoteCommand, rsyncQuote } from './quote.js';

export interface SshSettings {
  /** -F: an ssh_config file instead of ~/.ssh/config. */
  configFile?: string;
  /** -i: an identity (private key) file. */
  identity?: string;
  /** -o options, as given (`Port=2222`, `ProxyJump=bastion`). */
  options: string[];
  /**
   * A private 0700 directory for brine's own connection sharing: the steps on a host
   * (bootstrap, upload, run and collect) then share one SSH connection. Unset: no sharing.
   */
  controlDir?: string;
}

/**
 * Never prompt (hosts run in parallel), never connect to a host whose key is not known (not
 * even if an ssh_config says otherwise: see host-keys/trust.ts), give up on a dead address in
 * 10 s, and notice a dropped connection within a minute. A user's -o for any of these replaces
 * brine's; as command-line options they do beat the same settings in an ssh_config file.
 */
export const DEFAULT_SSH_OPTIONS = ['BatchMode=yes', 'StrictHostKeyChecking=yes', 'ConnectTimeout=10', 'ServerAliveInterval=15', 'ServerAliveCountMax=4'];

/** Options without the destination; `user` becomes -l. */
export function sshOptions(s: SshSettings, user?: string): string[] {
  const out: string[] = [];
  if (s.configFile) out.push('-F', s.configFile);
  if (s.identity) out.push('-i', s.identity);
  const given = new Set(s.options.map((o) => o.split(/[=\s]/)[0].toLowerCase()));
  const defaults = [...DEFAULT_SSH_OPTIONS, ...(s.controlDir ? controlOptions(s.controlDir) : [])];
  for (const o of [...s.options, ...defaults.filter((d) => !given.has(d.split('=')[0].toLowerCase()))]) out.push('-o', o);
  if (user) out.push('-l', user);
  return out;
}

/** %C is a hash of host, port and user: short enough for a socket path, one per connection. */
export function controlOptions(dir: string): string[] {
  return ['ControlMaster=auto', `ControlPath=${dir}/%C`, 'ControlPersist=60'];
}

/** Ends a shared connection (`ssh -O exit`); harmless when there is none. */
export function closeArgv(s: SshSettings, address: string, user: string | undefined): string[] {
  return ['ssh', ...sshOptions(s, user), '-O', 'exit', '--', checkAddress(address)];
}

export function checkAddress(address: string): string {
  // A leading '-' would read as an option; whitespace or quotes are never part of a host name.
  if (!address || address.startsWith('-') || /[\s'"`$;&|<>\\]/.test(address)) throw new InventoryError(`not a host address: ${JSON.stringify(address)}`);
  return address;
}

/** `ssh OPTIONS -- ADDRESS 'quoted remote argv'`. */
export function sshArgv(s: SshSettings, address: string, user: string | undefined, remote: string[]): string[] {
  return ['ssh', ...sshOptions(s, user), '--', checkAddress(address), remoteCommand(remote)];
}

export interface RsyncUpload {
  sources: string[];
  /** Absolute directory on the host (created by rsync; its parent must exist). */
  dest: string;
  /** Through `sudo -n rsync` on the host (a non-root login). */
  sudo: boolean;
  /**
   * A directory on the host whose files, where identical (same content, by checksum, and
   * mtime) to ones sent at the same relative path, are hard-linked instead of sent.
   */
  linkDest?: string;
}

/** rsync into a root-only directory: files 0600/dirs 0700, owned by the receiving root. */
export function rsyncArgv(s: SshSettings, address: string, user: string | undefined, u: RsyncUpload): string[] {
  const rsh = ['ssh', ...sshOptions(s, user)].map(rsyncQuote).join(' ');
  const host = checkAddress(address).includes(':') ? `[${address}]` : address;
  return [
    'rsync',
    '--recursive',
    '--links',
    '--times',
    '--compress',
    '--chmod=D0700,F0600',
    '--no-owner',
    '--no-group',
    ...(u.linkDest ? ['--checksum', `--link-dest=${u.linkDest}`] : []),
    '-e',
    rsh,
    ...(u.sudo ? ['--rsync-path=sudo -n rsync'] : []),
    '--',
    ...u.sources,
    `${host}:${u.dest.endsWith('/') ? u.dest : u.dest + '/'}`,
  ];
}
