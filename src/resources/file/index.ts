// The `file` kind: managed, directory, symlink, absent.
import type { ResourceKind } from '../resource.js';
import { absent } from './absent.js';
import { directory } from './directory.js';
import { managed } from './managed.js';
import { symlink } from './symlink.js';

export const file: ResourceKind = { managed, directory, symlink, absent };
