// The shell scripts the controller sends over SSH (on stdin, never as arguments), bundled
// into dist/brine.js so the controller needs no files beside it.
import { createHash } from 'node:crypto';
import { HOST_PATHS } from '../core/host-paths.js';
import bootstrap from '../../bootstrap.sh?raw';
import collect from './collect.sh?raw';
import launch from './launch.sh?raw';

export const scripts = { bootstrap, launch, collect };

const { varDir, runs, reports, agent, logDir } = HOST_PATHS;

/** The launcher as sent: collect.sh's function, then the launcher, which prints `mark` before collecting. */
export const launchInput = (mark: string) => `BRINE_MARK='${mark}'\n${collect}\n${launch}`;

/** The launcher's arguments before the agent's argv. */
export const launchArgs = (run: string, via: string) => [run, via, runs, reports, agent];

/** collect.sh run on its own, with collectArgs. */
export const collectInput = `set -eu\n${collect}\ncollect_runs "$@" </dev/null\n`;
export const collectArgs = [runs, reports];

/** Recorded by bootstrap on the host: a changed bootstrap.sh runs again, an unchanged one is skipped. */
export const bootstrapVersion = createHash('sha256').update(bootstrap).digest('hex').slice(0, 16);

/** bootstrap.sh's arguments: its version, then the root-only directories it makes (marker in the first). */
export const bootstrapArgs = [bootstrapVersion, varDir, runs, reports, agent, logDir];
