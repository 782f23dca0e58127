// Every resource kind brine knows, by the name state files use.
import type { Registry } from './resource.js';
import { cmd } from './cmd.js';
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

export const registry: Registry = { file, cmd, group, user, ssh_auth: sshAuth, sysctl, pkg, service, ufw, release, postgres_user: postgresUser, postgres_database: postgresDatabase };
