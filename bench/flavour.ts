// The benchmark's test-host flavour: `full` (brine's stack preinstalled) plus Debian's own
// Ansible (ansible-core + collections: community.general.ufw, ansible.posix.authorized_key;
// python3-apt, which its apt module would otherwise try to download) and Puppet (sshkeys_core
// for ssh_authorized_key; libuser, without which its groupadd provider silently ignores
// `members`), and the measuring tools.
import { defineFlavour } from '../test/harness/index.js';

export const BENCH_PACKAGES = [
  'ansible',
  'python3-apt',
  'puppet',
  'puppet-module-puppetlabs-sshkeys-core',
  'libuser',
  'time',
  'strace',
];

export const bench = defineFlavour({ name: 'bench', base: 'full', include: BENCH_PACKAGES });

/**
 * A fresh server for the first-converge-on-bare-host phase: each tool's own runtime installed
 * (brine's nodejs, Ansible's python3, Puppet's ruby, and rsync to stage the files), the stack's
 * packages only pre-downloaded, as in `bare` — so apt's work is measured, the network is not.
 */
export const benchBare = defineFlavour({ name: 'bench-bare', base: 'bare', include: [...BENCH_PACKAGES, 'nodejs', 'rsync'] });
