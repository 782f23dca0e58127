// Every resource kind brine knows, by the name state files use.
import type { Registry } from '../core/resource.js';
import { cmd } from './cmd.js';
import { file } from './file/index.js';
import { pkg } from './pkg/index.js';
import { service } from './service/index.js';
import { ufw } from './ufw/index.js';

export const registry: Registry = { file, cmd, pkg, service, ufw };
