// Every resource kind brine knows, by the name state files use.
import type { Registry } from './resource.js';
import { cmd } from './cmd/index.js';
import { file } from './file/index.js';
import { group } from './group.js';
import { pkg } from './pkg/index.js';
import { postgresDatabase } from './postgres-database/index.js';
import { postgresUser } from './postgres-user/index.js';
import { service } from './service/index.js';
import { sshAuth } from './ssh-auth/index.js';
import { sysctl } from './sysctl.js';
import { release } from './release/index.js';
import { ufw } from './ufw/index.js';
import { user } from './user.js';
import { cron } from './cron/index.js';
import { debconf } from './debconf.js';
import { host } from './etc-hosts.js';
import { pkgrepo } from './pkgrepo/index.js';
import { timezone } from './timezone.js';
import { locale } from './locale.js';
import { sshKnownHosts } from './ssh-known-hosts/index.js';
import { git } from './git/index.js';
import { pip } from './python/pip.js';
import { virtualenv } from './python/virtualenv.js';

export const registry: Registry = {
  file, cmd, group, user, ssh_auth: sshAuth, sysctl, pkg, pkgrepo, service, ufw, cron, host, timezone, debconf, locale,
  ssh_known_hosts: sshKnownHosts, git, virtualenv, pip, release, postgres_user: postgresUser, postgres_database: postgresDatabase,
};
