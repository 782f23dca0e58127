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
