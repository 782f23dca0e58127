// file.directory: a directory with owner, group and mode.
import { StateFailure } from '../../core/errors.js';
import type { ResourceFunction } from '../resource.js';
import { octal, parseOwnership, planOwnership, resolveOwnership, type Ownership } from './ownership.js';
import { parsePath, planParents } from './paths.js';

export interface DirectorySpec extends Ownership {
  path: string;
  makedirs: boolean;
}

export const directory: ResourceFunction<DirectorySpec> = {
  parse(a) {
    const path = parsePath(a);
    const own = parseOwnership(a, a.has('dir_mode') ? 'dir_mode' : 'mode');
    return { path, ...own, makedirs: a.bool('makedirs', false) };
  },

  async plan(spec, { host }) {
    const st = await host.stat(spec.path);
    if (st && st.type !== 'directory') throw new StateFailure(`${spec.path} exists and is a ${st.type}, not a directory`);
    if (st) return { changes: await planOwnership(host, spec.path, st, spec) };
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
