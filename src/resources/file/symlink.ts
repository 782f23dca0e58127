// file.symlink: a symbolic link pointing at `target`.
import { StateFailure } from '../../core/errors.js';
import type { ResourceFunction } from '../resource.js';
import { parsePath, planParents } from './paths.js';

export interface SymlinkSpec {
  path: string;
  target: string;
  force: boolean;
  makedirs: boolean;
}

export const symlink: ResourceFunction<SymlinkSpec> = {
  parse(a) {
    return { path: parsePath(a), target: a.required('target'), force: a.bool('force', false), makedirs: a.bool('makedirs', false) };
  },

  async plan(spec, { host }) {
    const st = await host.stat(spec.path);
    if (st?.type === 'symlink' && st.target === spec.target) return { changes: [] };
    if (st && st.type !== 'symlink' && !spec.force) {
      throw new StateFailure(`${spec.path} exists and is a ${st.type} (set force: true to replace it)`);
    }
    if (st?.type === 'directory') throw new StateFailure(`${spec.path} is a directory; brine will not replace a directory with a link`);
    const changes = st ? [] : await planParents(host, spec.path, spec.makedirs);
    changes.push({
      summary: st?.type === 'symlink' ? `link target ${st.target} → ${spec.target}` : `create link → ${spec.target}`,
      detail: { target: { old: st?.target ?? null, new: spec.target } },
      apply: (h) => h.symlink(spec.target, spec.path),
      predict: (h) => h.symlink(spec.target, spec.path),
    });
    return { changes };
  },
};
