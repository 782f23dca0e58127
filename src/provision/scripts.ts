// The files the controller sends to hosts — shell scripts (over SSH on stdin, never as
// arguments) and the agent's loader (uploaded beside the bundle) — bundled into dist/brine.js
// so the controller needs no files beside it.
import { createHash } from 'node:crypto';
import bootstrap from '../../bootstrap.sh?raw';
import agentLoader from './agent-load.cjs?raw';
import collect from './collect.sh?raw';
import launch from './launch.sh?raw';

export const scripts = { bootstrap, launch, collect };

export { agentLoader };

/** Recorded by bootstrap on the host: a changed bootstrap.sh runs again, an unchanged one is skipped. */
export const bootstrapVersion = createHash('sha256').update(bootstrap).digest('hex').slice(0, 16);
