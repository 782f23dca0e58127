// The shell scripts the controller sends over SSH (on stdin, never as arguments), bundled
// into dist/brine.js so the controller needs no files beside it.
import { createHash } from 'node:crypto';
import bootstrap from '../../bootstrap.sh?raw';
import collect from './collect.sh?raw';
import launch from './launch.sh?raw';
import releases from './releases.sh?raw';

export const scripts = { bootstrap, launch, collect, releases };

/** The launcher as sent: collect.sh's function, then the launcher, which prints `mark` before collecting. */
export const launchInput = (mark: string) => `BRINE_MARK='${mark}'\n${collect}\n${launch}`;

/** collect.sh run on its own. */
export const collectInput = `set -eu\n${collect}\ncollect_runs </dev/null\n`;

/** Recorded by bootstrap on the host: a changed bootstrap.sh runs again, an unchanged one is skipped. */
export const bootstrapVersion = createHash('sha256').update(bootstrap).digest('hex').slice(0, 16);
