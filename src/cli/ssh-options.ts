// The SSH options every controller command shares (provision, history, releases, rollback).
import type { Command } from 'commander';
import type { SshSettings } from '../provision/ssh.js';
import { list, repeat, whole } from './options.js';

export const positive = whole(1);

export function sshOptions(cmd: Command): Command {
  return cmd
    .option('-H, --hosts <host,...>', 'only these hosts (addresses or ids; user@host allowed), as `fab -H`', list)
    .option('-u, --user <user>', 'SSH login user for every host (root, or a developer with passwordless sudo)')
    .option('-i, --identity <file>', 'identity (private key) file, passed to ssh and rsync')
    .option('-o, --ssh-option <option>', 'ssh option (e.g. Port=2222), passed to ssh and rsync; repeatable', repeat, [])
    .option('-F, --ssh-config <file>', 'ssh_config file, passed to ssh and rsync')
    .option('-d, --dir <dir>', 'project directory holding states/ and pillar/', process.cwd())
    .option('--parallel <n>', 'hosts at once', positive, 10);
}

export function settings(o: { identity?: string; sshOption: string[]; sshConfig?: string }): SshSettings {
  return { identity: o.identity, options: o.sshOption, configFile: o.sshConfig };
}
