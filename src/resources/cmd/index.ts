// The `cmd` kind: run, wait (run.ts) and script (script.ts).
import type { ResourceKind } from '../resource.js';
import { run, wait } from './run.js';
import { script } from './script.js';

export const cmd: ResourceKind = { run, wait, script };
