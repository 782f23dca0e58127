// file.absent: the path does not exist (a file, link or whole directory is removed).
import type { ResourceFunction } from '../resource.js';
import { parsePath } from './paths.js';

export const absent: ResourceFunction<{ path: string }> = {
  parse(a) {
    const path = parsePath(a);
    if (path === '/') a.problem('name', 'refusing to remove /');
    return { path };
  },

  async plan(spec, { host }) {
    const st = await host.stat(spec.path);
    if (!st) return { changes: [] };
    return { changes: [{ summary: `remove ${st.type}`, apply: (h) => h.remove(spec.path), predict: (h) => h.remove(spec.path) }] };
  },
};
