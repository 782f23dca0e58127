// The `git` kind: latest (a checkout at a remote's branch, tag or commit).
import type { ResourceKind } from '../resource.js';
import { latest } from './latest.js';

export const git: ResourceKind = { latest };
