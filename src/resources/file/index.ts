// The `file` kind: managed, directory, symlink, absent, and Salt's edits append, replace, blockreplace, line, and recurse.
import type { ResourceKind } from '../resource.js';
import { absent } from './absent.js';
import { directory } from './directory.js';
import { managed } from './managed.js';
import { line } from './line.js';
import { recurse } from './recurse.js';
import { symlink } from './symlink.js';
import { append, blockreplace, replace } from './text-edits.js';

export const file: ResourceKind = { managed, directory, symlink, absent, append, replace, blockreplace, line, recurse };
