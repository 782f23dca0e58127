// file.directory: a directory with owner, group and mode; with `recurse`, what is below it too.
import { StateFailure } from '../../core/errors.js';
import type { ResourceFunction } from '../resource.js';
import { octal, parseOwnership, planOwnership, resolveOwnership, type Ownership } from './ownership.js';
import { parsePath, planParents } from './paths.js';
import { parseRecurse, planRecurse, type Recurse } from './directory-recurse.js';

export interface DirectorySpec extends Ownership {
  path: string;
  makedirs: boolean;
  recurse?: Recurse;
  fileMode?: number;
}

export const directory: ResourceFunction<DirectorySpec> = {
  parse(a) {
    const path = parsePath(a);
    const own = parseOwnership(a, a.has('dir_mode') ? 'dir_mode' : 'mode');
    const recurse = parseRecurse(a, own);
    const fileMode = a.mode('file_mode');
    // Salt applies file_mode only when recursing over modes; brine says so instead of ignoring it.
    if (fileMode !== undefined && !recurse?.mode) a.problem('file_mode', 'applies only to the files below the directory: add recurse: [mode]');
    return { path, ...own, makedirs: a.bool('makedirs', false), recurse, fileMode };
  },

  async plan(spec, { host }) {
    const st = await host.stat(spec.path);
    if (st && st.type !== 'directory') throw new StateFailure(`${spec.path} exists and is a ${st.type}, not a directory`);
    const below = () => (spec.recurse ? planRecurse(host, spec.path, spec.recurse, { ...spec, dirMode: spec.mode }) : Promise.resolve([]));
    if (st) return { changes: [...(await planOwnership(host, spec.path, st, spec)), ...(await below())] };
    const changes = await planParents(host, spec.path, spec.makedirs);
    const { uid, gid } = await resolveOwnership(host, spec);
    const mode = spec.mode ?? 0o755;
    changes.push({
      summary: `create directory (mode ${octal(mode)})`,
      apply: (h) => h.mkdir(spec.path, { mode, uid, gid }),
      predict: (h) => h.mkdir(spec.path, { mode, uid, gid }),
    });
    return { changes };
  },
};
